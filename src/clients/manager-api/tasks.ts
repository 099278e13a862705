/**
 * The task calls of the Manager REST API (sctool `tasks`, `info`, `start`, `stop`, `progress`, task resolution).
 * Answers are validated loosely: unknown keys are dropped, missing ones defaulted, so SM servers and ours both work.
 * @module
 */
import * as v from "valibot";
import { ManagerError } from "../../errors.ts";
import { type ManagerApiClient, parseAnswer } from "./client.ts";

const ScheduleSchema = v.object({
  cron: v.optional(v.string(), ""),
  window: v.optional(v.nullable(v.array(v.string())), null),
  timezone: v.optional(v.string(), ""),
  start_date: v.optional(v.nullable(v.string()), null),
  interval: v.optional(v.string(), ""),
  num_retries: v.optional(v.number(), 0),
  retry_wait: v.optional(v.string(), ""),
});

/** A TaskListItem as the server answers it. */
export const ApiTaskSchema = v.object({
  cluster_id: v.string(),
  type: v.string(),
  id: v.string(),
  name: v.optional(v.string(), ""),
  labels: v.optional(v.nullable(v.record(v.string(), v.string())), null),
  enabled: v.optional(v.boolean(), false),
  schedule: v.optional(ScheduleSchema, {}),
  properties: v.optional(v.nullable(v.record(v.string(), v.unknown())), null),
  status: v.optional(v.string(), ""),
  success_count: v.optional(v.number(), 0),
  error_count: v.optional(v.number(), 0),
  last_success: v.optional(v.nullable(v.string()), null),
  last_error: v.optional(v.nullable(v.string()), null),
  suspended: v.optional(v.boolean(), false),
  next_activation: v.optional(v.nullable(v.string()), null),
  retry: v.optional(v.number(), 0),
});
export type ApiTask = v.InferOutput<typeof ApiTaskSchema>;

/** A TaskRun. */
export const ApiTaskRunSchema = v.object({
  cluster_id: v.optional(v.string(), ""),
  type: v.optional(v.string(), ""),
  task_id: v.optional(v.string(), ""),
  id: v.string(),
  status: v.optional(v.string(), ""),
  cause: v.optional(v.string(), ""),
  start_time: v.optional(v.nullable(v.string()), null),
  end_time: v.optional(v.nullable(v.string()), null),
});
export type ApiTaskRun = v.InferOutput<typeof ApiTaskRunSchema>;

/** `{run, progress}` of GET /task/{type}/{id}/{run_id}. */
export const ApiRunProgressSchema = v.object({ run: ApiTaskRunSchema, progress: v.optional(v.unknown(), null) });
export type ApiRunProgress = v.InferOutput<typeof ApiRunProgressSchema>;

const base = (cluster: string) => `/cluster/${encodeURIComponent(cluster)}`;
const item = (cluster: string, type: string, id: string) => `${base(cluster)}/task/${type}/${id}`;

export interface ListTasksQuery {
  all?: boolean;
  type?: string;
  status?: string;
  short?: boolean;
  taskId?: string;
}

/** `GET /cluster/{c}/tasks` (a null answer reads as []). */
export async function listTasks(
  client: ManagerApiClient,
  cluster: string,
  query: ListTasksQuery = {},
): Promise<ApiTask[]> {
  const answer = await client.request("GET", `${base(cluster)}/tasks`, {
    query: {
      all: query.all || undefined,
      type: query.type || undefined,
      status: query.status || undefined,
      short: query.short || undefined,
      task_id: query.taskId || undefined,
    },
  });
  return parseAnswer(v.array(ApiTaskSchema), answer ?? [], "list tasks");
}

/** `GET /cluster/{c}/task/{type}/{id}`. */
export async function getTask(client: ManagerApiClient, cluster: string, type: string, id: string): Promise<ApiTask> {
  return parseAnswer(ApiTaskSchema, await client.request("GET", item(cluster, type, id)), "get task");
}

/** `POST /cluster/{c}/tasks`; resolves with the new task's id (from the Location header). */
export async function createTask(
  client: ManagerApiClient,
  cluster: string,
  body: Record<string, unknown>,
): Promise<string> {
  const answer = await client.send("POST", `${base(cluster)}/tasks`, { body });
  const id = (answer.headers.location ?? "").split("/").filter(Boolean).pop();
  if (!id) throw new ManagerError("create task: the server answered without a Location header");
  return id;
}

/** `PUT /cluster/{c}/task/{type}/{id}`. */
export async function updateTask(
  client: ManagerApiClient,
  cluster: string,
  type: string,
  id: string,
  body: Record<string, unknown>,
): Promise<void> {
  await client.request("PUT", item(cluster, type, id), { body });
}

/** `PUT .../start?continue=`. */
export async function startTask(client: ManagerApiClient, cluster: string, type: string, id: string, cont: boolean) {
  await client.request("PUT", `${item(cluster, type, id)}/start`, { query: { continue: cont } });
}

/** `PUT .../stop?disable=`. */
export async function stopTask(client: ManagerApiClient, cluster: string, type: string, id: string, disable: boolean) {
  await client.request("PUT", `${item(cluster, type, id)}/stop`, { query: { disable: disable || undefined } });
}

/** `DELETE .../task/{type}/{id}`. */
export async function deleteTask(client: ManagerApiClient, cluster: string, type: string, id: string) {
  await client.request("DELETE", item(cluster, type, id));
}

/** `GET .../history?limit=`, newest first. */
export async function getTaskHistory(
  client: ManagerApiClient,
  cluster: string,
  type: string,
  id: string,
  limit: number,
): Promise<ApiTaskRun[]> {
  const answer = await client.request("GET", `${item(cluster, type, id)}/history`, { query: { limit } });
  return parseAnswer(v.array(ApiTaskRunSchema), answer ?? [], "get task history");
}

/** `GET .../{run_id}` (`latest`, `~N` or a UUID). */
export async function getRunProgress(
  client: ManagerApiClient,
  cluster: string,
  type: string,
  id: string,
  run: string,
): Promise<ApiRunProgress> {
  return parseAnswer(
    ApiRunProgressSchema,
    await client.request("GET", `${item(cluster, type, id)}/${run}`),
    "get progress",
  );
}
