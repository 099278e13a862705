/**
 * Scylla REST calls of the restore service (through the agent): loading SSTables from a table's upload dir
 * (load&stream or refresh), autocompaction per table, and view build statuses.
 * @module
 */
import * as v from "valibot";
import { sleep } from "./backoff.ts";
import type { ScyllaClient } from "./client.ts";
import type { CallOptions } from "./http.ts";

/** Options of `POST /storage_service/sstables/{ks}`. */
export interface LoadSSTablesOptions {
  loadAndStream: boolean;
  primaryReplicaOnly: boolean;
  /** Refresh only (1-1 restore on Scylla > 2025.2): skip cleanup and reshape. */
  skipCleanup?: boolean;
  skipReshape?: boolean;
}

/**
 * `POST /storage_service/sstables/{ks}?cf=&load_and_stream=&primary_replica_only=`: loads the table's `upload/` dir
 * on `host`. Synchronous, one attempt and no timeout, as SM calls it (the caller handles "Already loading").
 */
export async function loadSSTables(
  scylla: ScyllaClient,
  host: string,
  keyspace: string,
  table: string,
  options: LoadSSTablesOptions,
  call: CallOptions = {},
): Promise<void> {
  const query: Record<string, string> = { cf: table };
  if (options.loadAndStream) query.load_and_stream = "true";
  if (options.primaryReplicaOnly) query.primary_replica_only = "true";
  if (options.skipCleanup) query.skip_cleanup = "true";
  if (options.skipReshape) query.skip_reshape = "true";
  await scylla.request("POST", `/storage_service/sstables/${encodeURIComponent(keyspace)}`, {
    ...call,
    host,
    query,
    timeoutMs: 0,
    noRetry: true,
  });
}

/** Enables (`POST`) or disables (`DELETE`) autocompaction of `ks.table` on `host`. */
export async function setAutoCompaction(
  scylla: ScyllaClient,
  host: string,
  keyspace: string,
  table: string,
  enabled: boolean,
  call: CallOptions = {},
): Promise<void> {
  await scylla.request(enabled ? "POST" : "DELETE", `/column_family/autocompaction/${keyspace}:${table}`, {
    ...call,
    host,
  });
}

const ViewBuildStatusesSchema = v.array(v.object({ key: v.string(), value: v.string() }));

/** `GET /storage_service/view_build_statuses/{ks}/{view}`: host → `UNKNOWN|STARTED|SUCCESS`. */
export async function viewBuildStatuses(
  scylla: ScyllaClient,
  keyspace: string,
  view: string,
  call: CallOptions = {},
): Promise<Map<string, string>> {
  const list = await scylla.requestJson(
    "GET",
    `/storage_service/view_build_statuses/${encodeURIComponent(keyspace)}/${encodeURIComponent(view)}`,
    ViewBuildStatusesSchema,
    call,
  );
  return new Map(list.map((e) => [e.key, e.value]));
}

/**
 * SM's `AwaitLoadSSTables`: one synchronous load; "Already loading SSTables" or a timeout means the node is still
 * busy (maybe with this very load, e.g. after an interrupted run), so the same call is made again every `retryMs`
 * until it answers otherwise.
 */
export async function awaitLoadSSTables(
  scylla: ScyllaClient,
  host: string,
  keyspace: string,
  table: string,
  options: LoadSSTablesOptions,
  wait: { retryMs: number; signal: AbortSignal; onBusy?(message: string): void },
): Promise<void> {
  for (;;) {
    try {
      await loadSSTables(scylla, host, keyspace, table, options, { signal: wait.signal });
      return;
    } catch (error) {
      if (wait.signal.aborted) throw wait.signal.reason;
      const text = error instanceof Error ? error.message : String(error);
      if (!/Already loading SSTables|timeout|timed out/i.test(text)) throw error;
      wait.onBusy?.(text);
      await sleep(wait.retryMs, wait.signal);
    }
  }
}
