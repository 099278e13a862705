/**
 * The common part of every `update` command (SM's `pkg/command/flag/`): resolve the task, refuse when no
 * flag was given (`nothing to do`) or the task has another type (`can't handle <type> task`), GET it, apply only
 * the given schedule flags and property changes, PUT it back. Used by `suspend update` and the deprecated
 * `task update`.
 * @module
 */
import type { ManagerApiClient } from "../../clients/manager-api/client.ts";
import { getTask, updateTask } from "../../clients/manager-api/tasks.ts";
import { ValidationError } from "../../errors.ts";
import { resolveTask } from "./task-resolve.ts";
import { buildScheduleFields, scheduleFlagsGiven } from "./task-schedule.ts";

/** What to update. */
export interface TaskUpdateRequest {
  cluster: string;
  /** `<type>[/<id|name>]`. */
  target: string;
  /** When set, only tasks of this type are handled. */
  type?: string;
  /** The parsed scheduling flags (unset ones undefined). */
  flags: Parameters<typeof buildScheduleFields>[0];
  /** The type's own property flags: whether any was given, and their property changes. */
  properties?: { given: boolean; build: () => Record<string, unknown> };
}

/** Updates the task and returns its `<type>/<name-or-uuid>`, as the update commands print it. */
export async function updateTaskFromFlags(api: ManagerApiClient, request: TaskUpdateRequest): Promise<string> {
  const { type, id } = await resolveTask(api, request.cluster, request.target);
  if (request.type !== undefined && type !== request.type) throw new ValidationError(`can't handle ${type} task`);
  const propertiesGiven = request.properties?.given === true;
  if (!scheduleFlagsGiven(request.flags) && !propertiesGiven) throw new ValidationError("nothing to do");
  const task = await getTask(api, request.cluster, type, id);
  const body: Record<string, unknown> = {
    type,
    name: task.name,
    labels: task.labels ?? {},
    enabled: task.enabled,
    properties: task.properties ?? {},
    ...buildScheduleFields(request.flags, {
      create: false,
      now: Date.now(),
      existing: { schedule: task.schedule, labels: task.labels },
    }),
  };
  if (propertiesGiven && request.properties) {
    body.properties = { ...(task.properties ?? {}), ...request.properties.build() };
  }
  await updateTask(api, request.cluster, type, id, body);
  return `${type}/${task.name || id}`;
}
