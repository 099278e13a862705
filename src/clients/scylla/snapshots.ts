/**
 * Scylla REST calls of the backup service (through the agent): snapshots, the raft read barrier before a schema
 * dump, tablet load balancing around snapshots, and table disk usage for the dry run.
 * @module
 */
import * as v from "valibot";
import type { ScyllaClient } from "./client.ts";
import type { CallOptions } from "./http.ts";

const SnapshotListSchema = v.array(
  v.object({
    key: v.string(),
    value: v.nullish(v.array(v.object({ ks: v.string(), cf: v.string() })), []),
  }),
);
const NumberSchema = v.number();

/** Tags of the node's snapshots (`GET /storage_service/snapshots`). */
export async function listSnapshotTags(
  scylla: ScyllaClient,
  host: string,
  options: CallOptions = {},
): Promise<string[]> {
  const list = await scylla.requestJson("GET", "/storage_service/snapshots", SnapshotListSchema, { ...options, host });
  return [...new Set(list.map((item) => item.key))];
}

/**
 * Takes snapshot `tag` of `keyspace` (tables `tables`, all when empty) on `host`. "already exists" counts as done,
 * as SM does, so a resumed snapshot stage is idempotent.
 */
export async function takeSnapshot(
  scylla: ScyllaClient,
  host: string,
  tag: string,
  keyspace: string,
  tables: readonly string[],
  options: CallOptions = {},
): Promise<void> {
  try {
    await scylla.request("POST", "/storage_service/snapshots", {
      ...options,
      host,
      timeoutMs: 0,
      query: { tag, kn: keyspace, cf: tables.length > 0 ? tables.join(",") : undefined },
      shouldRetry: (error) => !/already exists/.test(error.message),
    });
  } catch (error) {
    if (error instanceof Error && /already exists/.test(error.message)) return;
    throw error;
  }
}

/** Deletes snapshot `tag` on `host` (optionally of one keyspace and its tables). */
export async function deleteSnapshot(
  scylla: ScyllaClient,
  host: string,
  tag: string,
  keyspace?: string,
  tables: readonly string[] = [],
  options: CallOptions = {},
): Promise<void> {
  await scylla.request("DELETE", "/storage_service/snapshots", {
    ...options,
    host,
    query: { tag, kn: keyspace, cf: tables.length > 0 ? tables.join(",") : undefined },
  });
}

/** `POST /raft/read_barrier` on `host`. */
export async function raftReadBarrier(scylla: ScyllaClient, host: string, options: CallOptions = {}): Promise<void> {
  await scylla.request("POST", "/raft/read_barrier", { ...options, host });
}

/** `POST /storage_service/tablets/balancing?enabled=` (30 min timeout, as SM). */
export async function setTabletBalancing(
  scylla: ScyllaClient,
  enabled: boolean,
  options: CallOptions = {},
): Promise<void> {
  await scylla.request("POST", "/storage_service/tablets/balancing", {
    timeoutMs: 30 * 60_000,
    ...options,
    query: { enabled },
  });
}

/** `GET /column_family/metrics/total_disk_space_used/{ks}:{table}` in bytes. */
export function tableDiskSize(
  scylla: ScyllaClient,
  keyspace: string,
  table: string,
  options: CallOptions = {},
): Promise<number> {
  return scylla.requestJson(
    "GET",
    `/column_family/metrics/total_disk_space_used/${encodeURIComponent(`${keyspace}:${table}`)}`,
    NumberSchema,
    options,
  );
}
