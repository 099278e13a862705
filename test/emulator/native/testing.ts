/**
 * Helpers of the native backup/restore tests: REST calls to a node and task polling.
 * @module
 */

/** A REST answer: status and parsed JSON body (undefined when empty). */
export interface RestAnswer {
  status: number;
  body: unknown;
}

/** Calls a node's REST API (port 10000) with query parameters and an optional JSON body. */
export async function callNode(
  ip: string,
  method: string,
  path: string,
  query: Record<string, string> = {},
  body?: unknown,
): Promise<RestAnswer> {
  const qs = new URLSearchParams(query).toString();
  const res = await fetch(`http://${ip}:10000${path}${qs === "" ? "" : `?${qs}`}`, {
    method,
    ...(body === undefined ? {} : { body: typeof body === "string" ? body : JSON.stringify(body) }),
  });
  const text = await res.text();
  return { status: res.status, body: text === "" ? undefined : JSON.parse(text) };
}

/** The `task_status` document fields the tests read. */
export interface TaskStatusBody {
  id: string;
  type: string;
  state: string;
  error: string;
  progress_total: number;
  progress_completed: number;
}

/** Waits (wait_task without a timeout) until a task ends and returns its status. */
export async function awaitTask(ip: string, id: string): Promise<TaskStatusBody> {
  const res = await callNode(ip, "GET", `/task_manager/wait_task/${id}`);
  if (res.status !== 200) throw new Error(`wait_task ${id}: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body as TaskStatusBody;
}
