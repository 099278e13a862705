/**
 * Suspend/resume routes (SM's `pkg/restapi/suspend.go`): `GET /cluster/{id}/suspended`, `.../suspended/details`,
 * `PUT /cluster/{id}/suspended` with a JSON boolean body.
 * @module
 */
import type { Hono } from "hono";
import * as v from "valibot";
import { ValidationError } from "../../errors.ts";
import { TASK_TYPES } from "../../scheduler/model.ts";
import type { ServerDeps } from "../deps.ts";
import { parseJsonBody } from "../validate.ts";
import { API_PREFIX, clusterOf, readBool, requireManager } from "./tasks-common.ts";

const SUSPENDED = `${API_PREFIX}/cluster/:cluster_id/suspended`;
/** The suspend policies of PUT .../suspended. */
export const SUSPEND_POLICIES = ["stop_running_tasks", "fail_if_running_tasks"] as const;
const POLICIES = SUSPEND_POLICIES;

/** The body of PUT .../suspended (SM's Suspended). */
export const SuspendedSchema = v.pipe(
  v.boolean("the body must be a JSON boolean: true suspends, false resumes"),
  v.description("true suspends the cluster's tasks, false resumes them"),
);

/** GET .../suspended/details (SM's SuspendDetails). */
export const SuspendDetailsSchema = v.object({ suspended: v.boolean(), allow_task_type: v.string() });

/** Registers the suspend routes. */
export function registerSuspendRoutes(app: Hono, deps: ServerDeps): void {
  app.get(SUSPENDED, async (c) => {
    const manager = requireManager(deps);
    const cluster = await clusterOf(c, deps);
    return c.json(manager.suspend.isSuspended(cluster.id));
  });

  app.get(`${SUSPENDED}/details`, async (c) => {
    const manager = requireManager(deps);
    const cluster = await clusterOf(c, deps);
    const info = manager.suspend.details(cluster.id);
    const details: v.InferOutput<typeof SuspendDetailsSchema> = {
      suspended: info !== undefined,
      allow_task_type: info?.allow_task_type ?? "",
    };
    return c.json(details);
  });

  app.put(SUSPENDED, async (c) => {
    const manager = requireManager(deps);
    const cluster = await clusterOf(c, deps);
    const suspend = await parseJsonBody(c, SuspendedSchema);
    const noContinue = readBool(c, "no_continue");
    if (suspend) {
      const allow = c.req.query("allow_task_type") ?? "";
      if (allow !== "" && !(TASK_TYPES as readonly string[]).includes(allow)) {
        throw new ValidationError(`malformed request: unrecognized TaskType "${allow}"`);
      }
      const policy = c.req.query("suspend_policy") || "stop_running_tasks";
      if (!(POLICIES as readonly string[]).includes(policy)) {
        throw new ValidationError(`malformed request: invalid suspend_policy "${policy}"`, {
          hint: `use one of ${POLICIES.join(", ")}`,
        });
      }
      await manager.suspend.suspend(cluster.id, {
        allowTaskType: allow,
        policy: policy as (typeof POLICIES)[number],
        noContinue,
      });
    } else {
      await manager.suspend.resume(cluster.id, {
        startTasks: readBool(c, "start_tasks"),
        startTasksMissedActivation: readBool(c, "start_tasks_missed_activation"),
        noContinue,
      });
    }
    return c.body(null, 200);
  });
}
