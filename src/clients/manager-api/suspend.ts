/**
 * The suspend/resume calls of the Manager REST API (sctool `suspend`, `resume`).
 * @module
 */
import type { ManagerApiClient } from "./client.ts";

const path = (cluster: string) => `/cluster/${encodeURIComponent(cluster)}/suspended`;

export interface SuspendQuery {
  allowTaskType?: string;
  suspendPolicy?: string;
  noContinue?: boolean;
}

export interface ResumeQuery {
  startTasks?: boolean;
  startTasksMissedActivation?: boolean;
  noContinue?: boolean;
}

/** `PUT /cluster/{c}/suspended` with `true`. */
export async function suspendCluster(client: ManagerApiClient, cluster: string, query: SuspendQuery = {}) {
  await client.request("PUT", path(cluster), {
    body: true,
    query: {
      allow_task_type: query.allowTaskType || undefined,
      suspend_policy: query.suspendPolicy || undefined,
      no_continue: query.noContinue || undefined,
    },
  });
}

/** `PUT /cluster/{c}/suspended` with `false`. */
export async function resumeCluster(client: ManagerApiClient, cluster: string, query: ResumeQuery = {}) {
  await client.request("PUT", path(cluster), {
    body: false,
    query: {
      start_tasks: query.startTasks ?? false,
      start_tasks_missed_activation: query.startTasksMissedActivation || undefined,
      no_continue: query.noContinue || undefined,
    },
  });
}
