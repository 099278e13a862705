/**
 * Task collection routes (SM's `pkg/restapi/task.go`): `GET/POST /cluster/{cluster_id}/tasks` and the dry-run
 * `GET /cluster/{cluster_id}/tasks/{type}/target` (SM reads a JSON body on that GET).
 * @module
 */
import type { Context, Hono } from "hono";
import * as v from "valibot";
import { ManagerError, ValidationError } from "../../errors.ts";
import { normalizeTaskUpdateKeys, TaskUpdateEntries, TaskUpdateSchema } from "../../manager/task-json.ts";
import type { TaskListEntry } from "../../manager/task-service.ts";
import { TASK_STATUSES } from "../../scheduler/model.ts";
import { boundedText, jsonObject } from "../../util/input-limits.ts";
import { isUuid, NIL_UUID } from "../../util/uuid.ts";
import type { ServerDeps } from "../deps.ts";
import { readRawGetBody } from "../node-listener.ts";
import { parseJsonBody } from "../validate.ts";
import { registerSuspendRoutes } from "./suspend.ts";
import { registerTaskRoutes } from "./task.ts";
import { taskListBody } from "./task-list-body.ts";
import { API_PREFIX, clusterOf, readBool, requireManager, taskIdOf, taskTypeOf } from "./tasks-common.ts";

/** The body of POST /cluster/{cluster_id}/tasks: a TaskUpdate that may carry the nil id. */
export const CreateTaskSchema = v.pipe(
  v.unknown(),
  v.transform(normalizeTaskUpdateKeys),
  jsonObject("body", { ...TaskUpdateEntries, id: v.optional(v.nullable(boundedText("id", 64))) }),
);

/** Registers every scheduler route: task collection and items, suspend/resume. */
export function registerSchedulerRoutes(app: Hono, deps: ServerDeps): void {
  registerTaskCollectionRoutes(app, deps);
  registerTaskRoutes(app, deps);
  registerSuspendRoutes(app, deps);
}

/** Registers the task collection routes. */
function registerTaskCollectionRoutes(app: Hono, deps: ServerDeps): void {
  app.get(`${API_PREFIX}/cluster/:cluster_id/tasks`, async (c) => {
    const manager = requireManager(deps);
    const param = (c.req.param("cluster_id") ?? "").toLowerCase();
    const clusterRead = clusterOf(c, deps);
    const options = () => {
      const type = c.req.query("type") || undefined;
      if (type !== undefined) taskTypeOf(type);
      const status = c.req.query("status") || undefined;
      if (status !== undefined && !(TASK_STATUSES as readonly string[]).includes(status)) {
        throw new ValidationError(`malformed request: invalid status "${status}"`, {
          hint: `use one of ${TASK_STATUSES.join(", ")}`,
        });
      }
      const taskId = c.req.query("task_id") || undefined;
      if (taskId !== undefined) taskIdOf(taskId);
      return { all: readBool(c, "all"), type, status, taskId };
    };
    // A cluster given by id: its tasks are read while the cluster is (one store round trip less); used only when
    // the id names the cluster, after the same checks in the same order (404 before 400) as without it.
    let early: Promise<TaskListEntry[]> | undefined;
    try {
      if (isUuid(param)) early = manager.tasks.list(param, options());
    } catch {
      // Bad options: reported below, after the cluster.
    }
    early?.catch(() => undefined);
    const cluster = await clusterRead;
    const opts = options();
    const entries = early && cluster.id === param ? await early : await manager.tasks.list(cluster.id, opts);
    // SM answers null for an empty list here (a nil Go slice), unlike /clusters and /history.
    if (entries.length === 0) return c.json(null);
    if (readBool(c, "short")) {
      return c.json(
        entries.map(({ task }) => ({ cluster_id: task.clusterId, type: task.type, id: task.id, name: task.name })),
      );
    }
    return c.body(taskListBody(entries), 200, { "Content-Type": "application/json" });
  });

  app.post(`${API_PREFIX}/cluster/:cluster_id/tasks`, async (c) => {
    const manager = requireManager(deps);
    const cluster = await clusterOf(c, deps);
    const body = await parseJsonBody(c, CreateTaskSchema);
    if (body.id && body.id !== NIL_UUID) throw new ValidationError("malformed request: unexpected ID");
    taskTypeOf(body.type);
    const task = await manager.tasks.create(await manager.tasks.fromUpdate(cluster.id, body));
    c.header("Location", `${API_PREFIX}/cluster/${cluster.id}/task/${task.type}/${task.id}`);
    return c.body(null, 201);
  });

  // SM reads the TaskUpdate from the body of a GET here. A WHATWG Request cannot carry a GET body, so the daemon's
  // listener (node-listener.ts) hands it over in Hono's env; a body announced by the headers that did not arrive
  // that way (another server, e.g. Bun.serve, dropped it) is an error rather than a silently default target. POST to
  // the same path is our extension that works with every client and server.
  const target = async (c: Context) => {
    const manager = requireManager(deps);
    const cluster = await clusterOf(c, deps);
    const type = taskTypeOf(c.req.param("task_type"));
    const runner = manager.runnerOf(type);
    if (!runner?.getTarget) throw new ValidationError(`invalid task type "${type}": no target for this type`);
    const rawGetBody = c.req.method === "GET" ? readRawGetBody(c.env) : undefined;
    const announced =
      Number(c.req.header("content-length") ?? 0) > 0 || c.req.header("transfer-encoding") !== undefined;
    if (c.req.method === "GET" && announced && rawGetBody === undefined) {
      throw new ManagerError("get target: the request body did not reach the handler", {
        hint: `this listener drops GET bodies; POST the same body to ${c.req.path}`,
      });
    }
    // Hono's body cache is what c.req.text() (and so parseJsonBody) answers from; its own validator fills it too.
    if (rawGetBody !== undefined) c.req.bodyCache.text = rawGetBody;
    const body = await parseJsonBody(c, TaskUpdateSchema);
    const properties = body.properties ?? {};
    const validated = runner.validateProperties ? await runner.validateProperties(cluster.id, properties) : properties;
    return c.json(await runner.getTarget(cluster.id, validated));
  };
  app.get(`${API_PREFIX}/cluster/:cluster_id/tasks/:task_type/target`, target);
  app.post(`${API_PREFIX}/cluster/:cluster_id/tasks/:task_type/target`, target);
}
