/**
 * Restore calls of sctool's REST client: the dry-run target (`GET /cluster/{c}/tasks/restore/target` with the
 * task in the body, as SM's client sends it).
 * @module
 */
import type { ManagerApiClient } from "./client.ts";

/** SM's RestoreTarget answer (units, views and size are capitalised by SM's server; both spellings are read). */
export interface ApiRestoreTarget {
  location?: string[];
  snapshot_tag?: string;
  batch_size?: number;
  parallel?: number;
  transfers?: number;
  rate_limit?: string[];
  allow_compaction?: boolean;
  unpin_agent_cpu?: boolean;
  units: Array<{
    keyspace: string;
    size: number;
    tables: Array<{ table: string; size: number; tombstone_gc?: string }>;
  }>;
  views: Array<{ keyspace: string; view: string }>;
  size: number;
}

/** Dry-runs a restore task body. */
export async function getRestoreTarget(
  client: ManagerApiClient,
  cluster: string,
  task: Record<string, unknown>,
): Promise<ApiRestoreTarget> {
  const answer = (await client.request("GET", `/cluster/${encodeURIComponent(cluster)}/tasks/restore/target`, {
    body: task,
  })) as Record<string, unknown>;
  const pick = <T>(lower: string, upper: string, fallback: T): T => (answer[lower] ?? answer[upper] ?? fallback) as T;
  return {
    ...(answer as object),
    units: pick("units", "Units", []),
    views: pick("views", "Views", []),
    size: pick("size", "Size", 0),
  } as ApiRestoreTarget;
}
