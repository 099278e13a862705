/**
 * Task item routes (SM's `pkg/restapi/task.go`): `GET/PUT/DELETE /cluster/{cluster_id}/task/{type}/{id}`,
 * `PUT .../start`, `PUT .../stop`, `GET .../history`, `GET .../{run_id}` (UUID, `latest` or `~N`).
 * @module
 */
import type { Context, Hono } from "hono";
import * as v from "valibot";
import { ValidationError } from "../../errors.ts";
import { TaskUpdateSchema, toTaskJson, toTaskRunJson } from "../../manager/task-json.ts";
import { INPUT_LIMITS } from "../../util/input-limits.ts";
import type { ServerDeps } from "../deps.ts";
import { parseJsonBody, parseQuery } from "../validate.ts";
import { API_PREFIX, clusterOf, readBool, requireManager, taskIdOf, taskTypeOf } from "./tasks-common.ts";

const TASK = `${API_PREFIX}/cluster/:cluster_id/task/:task_type/:task_id`;
/** The query of GET .../history. */
export const HistoryQuerySchema = v.object({
  limit: v.optional(
    v.pipe(
      v.string(),
      v.regex(/^\d{1,10}$/, `limit: must be an integer between 0 and ${INPUT_LIMITS.queryLimit}`),
      v.transform(Number),
      v.number(),
      v.integer(),
      v.minValue(0),
      v.maxValue(INPUT_LIMITS.queryLimit, `limit: must be an integer between 0 and ${INPUT_LIMITS.queryLimit}`),
    ),
    "10",
  ),
});
/** Types without a progress endpoint (SM answers 400). */
const NO_PROGRESS = new Set(["healthcheck", "suspend"]);

/** Registers the task item routes. */
export function registerTaskRoutes(app: Hono, deps: ServerDeps): void {
  const target = async (c: Context) => {
    const manager = requireManager(deps);
    const cluster = await clusterOf(c, deps);
    const type = taskTypeOf(c.req.param("task_type"));
    const id = taskIdOf(c.req.param("task_id"));
    return { manager, clusterId: cluster.id, type, id };
  };

  app.get(TASK, async (c) => {
    const { manager, clusterId, type, id } = await target(c);
    return c.json(toTaskJson(await manager.tasks.get(clusterId, type, id)));
  });

  app.put(TASK, async (c) => {
    const { manager, clusterId, type, id } = await target(c);
    const existing = await manager.tasks.get(clusterId, type, id);
    const body = await parseJsonBody(c, TaskUpdateSchema);
    const task = await manager.tasks.update(await manager.tasks.fromUpdate(clusterId, body, existing));
    return c.json(toTaskJson(task));
  });

  app.delete(TASK, async (c) => {
    const { manager, clusterId, type, id } = await target(c);
    await manager.tasks.delete(clusterId, type, id);
    return c.body(null, 200);
  });

  app.put(`${TASK}/start`, async (c) => {
    const { manager, clusterId, type, id } = await target(c);
    await manager.tasks.start(clusterId, type, id, { continue: readBool(c, "continue", true) });
    return c.body(null, 200);
  });

  app.put(`${TASK}/stop`, async (c) => {
    const { manager, clusterId, type, id } = await target(c);
    await manager.tasks.stop(clusterId, type, id, { disable: readBool(c, "disable") });
    return c.body(null, 200);
  });

  app.get(`${TASK}/history`, async (c) => {
    const { manager, clusterId, type, id } = await target(c);
    const { limit } = parseQuery(c, HistoryQuerySchema);
    const runs = await manager.tasks.history(clusterId, type, id, limit);
    return c.json(runs.map(toTaskRunJson));
  });

  app.get(`${TASK}/:run_id`, async (c) => {
    const { manager, clusterId, type, id } = await target(c);
    if (NO_PROGRESS.has(type)) throw new ValidationError(`unsupported task type "${type}"`);
    const { run, synthetic } = await manager.tasks.getRun(clusterId, type, id, c.req.param("run_id"));
    // Called on the runner (not detached from it): services implement getProgress as a method that uses `this`.
    const runner = manager.runnerOf(type);
    const progress = runner?.getProgress
      ? await runner.getProgress(clusterId, run.taskId, synthetic ? undefined : run.id)
      : null;
    return c.json({ run: toTaskRunJson(run), progress: progress ?? (synthetic ? {} : null) });
  });
}
