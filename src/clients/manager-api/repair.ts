/**
 * sctool's repair calls beyond the generic task routes: the dry-run target (a GET with a body, as SM) and repair
 * control (`PUT /cluster/{id}/repairs/intensity|parallel`).
 * @module
 */
import type { ManagerApiClient } from "./client.ts";

/** SM's repair target as the server answers it. */
export interface ApiRepairTarget {
  units?: Array<{ keyspace: string; tables?: string[]; all_tables?: boolean }>;
  dc?: string[];
  host?: string;
  ignore_hosts?: string[];
  [key: string]: unknown;
}

const clusterPath = (cluster: string) => `/cluster/${encodeURIComponent(cluster)}`;

/** `GET /cluster/{id}/tasks/repair/target` with the task in the body. */
export function getRepairTarget(api: ManagerApiClient, cluster: string, task: unknown): Promise<ApiRepairTarget> {
  return api.request<ApiRepairTarget>("GET", `${clusterPath(cluster)}/tasks/repair/target`, { body: task });
}

/** `PUT /cluster/{id}/repairs/intensity?intensity=`. */
export async function setRepairIntensity(api: ManagerApiClient, cluster: string, intensity: number): Promise<void> {
  await api.request("PUT", `${clusterPath(cluster)}/repairs/intensity`, { query: { intensity } });
}

/** `PUT /cluster/{id}/repairs/parallel?parallel=`. */
export async function setRepairParallel(api: ManagerApiClient, cluster: string, parallel: number): Promise<void> {
  await api.request("PUT", `${clusterPath(cluster)}/repairs/parallel`, { query: { parallel } });
}
