/**
 * Helpers shared by the task routes: the Manager from the deps, path parameters, Go-style boolean queries and the
 * TaskListItem rendering.
 * @module
 */

import type { Context } from "hono";
import { ManagerError, ValidationError } from "../../errors.ts";
import type { Manager } from "../../manager/manager.ts";
import { toTaskJson } from "../../manager/task-json.ts";
import type { TaskListItemJson } from "../../manager/task-json-schema.ts";
import type { TaskListEntry } from "../../manager/task-service.ts";
import { TASK_TYPES } from "../../scheduler/model.ts";
import type { ClusterRecord } from "../../store/store.ts";
import { goTime } from "../../util/go-time.ts";
import { isUuid } from "../../util/uuid.ts";
import { resolveClusterParam } from "../cluster-param.ts";
import type { ServerDeps } from "../deps.ts";

/** The API prefix of SM's routes. */
export const API_PREFIX = "/api/v1";

/** The running Manager. @throws ManagerError (500) when the server runs without a scheduler. */
export function requireManager(deps: ServerDeps): Manager {
  const manager = deps.manager as Manager | undefined;
  if (!manager || typeof (manager as { tasks?: unknown }).tasks !== "object") {
    throw new ManagerError("scheduler is not running", { hint: "start the server with --daemon" });
  }
  return manager;
}

/** The cluster of the `{cluster_id}` path parameter (UUID or name). */
export function clusterOf(c: Context, deps: ServerDeps): Promise<ClusterRecord> {
  return resolveClusterParam(deps.store, c.req.param("cluster_id") ?? "");
}

/** The `{task_type}` path parameter; 400 for a type SM does not know. */
export function taskTypeOf(value: string | undefined): string {
  const type = value ?? "";
  if (!(TASK_TYPES as readonly string[]).includes(type)) {
    throw new ValidationError(`malformed request: unrecognized TaskType "${type}"`);
  }
  return type;
}

/** The `{task_id}` path parameter; task ids must be UUIDs (names are resolved by clients). */
export function taskIdOf(value: string | undefined): string {
  const id = value ?? "";
  if (!isUuid(id)) throw new ValidationError(`malformed request: invalid task ID "${id}", expected a UUID`);
  return id.toLowerCase();
}

/** Parses an optional boolean query parameter as Go's strconv.ParseBool does; absent → `fallback`. */
export function readBool(c: Context, name: string, fallback = false): boolean {
  const value = c.req.query(name);
  if (value === undefined || value === "") return fallback;
  if (["1", "t", "T", "true", "TRUE", "True"].includes(value)) return true;
  if (["0", "f", "F", "false", "FALSE", "False"].includes(value)) return false;
  throw new ValidationError(`malformed request: invalid ${name} value "${value}", expected true or false`);
}

/** SM's TaskListItem JSON (its shape: `TaskListItemJsonSchema`). */
export function toTaskListItemJson(entry: TaskListEntry): TaskListItemJson {
  const next = entry.schedule.nextActivation;
  return {
    ...toTaskJson(entry.task),
    suspended: entry.suspended,
    next_activation: next === null ? null : goTime(next),
    retry: entry.schedule.retry,
  };
}
