/**
 * Scylla REST calls of the native restore (SM's `pkg/scyllaclient/client_scylla.go` ScyllaRestore), through the
 * agents: `POST /storage_service/restore` starts a task that downloads the SSTables of the given TOCs straight from
 * object storage and loads them (followed with `task-manager.ts`); `user_ttl` keeps finished tasks queryable for a
 * while.
 * @module
 */
import * as v from "valibot";
import type { ScyllaClient } from "./client.ts";
import type { CallOptions } from "./http.ts";

/** What one native restore call restores. */
export interface ScyllaRestoreRequest {
  /** The name of the node's `object_storage_endpoints` entry. */
  endpoint: string;
  bucket: string;
  /** The SSTable dir inside the bucket, without a leading slash. */
  prefix: string;
  keyspace: string;
  table: string;
  /** TOC object names, relative to `prefix`. */
  tocs: readonly string[];
}

/**
 * `POST /storage_service/restore?endpoint=&bucket=&prefix=&keyspace=&table=&scope=all&primary_replica_only=true`
 * with the TOC names as JSON body: the task id. Scope `all` and primary replica only, as SM restores.
 */
export async function scyllaRestore(
  scylla: ScyllaClient,
  host: string,
  req: ScyllaRestoreRequest,
  call: CallOptions = {},
): Promise<string> {
  return scylla.requestJson("POST", "/storage_service/restore", v.string(), {
    ...call,
    host,
    noRetry: true,
    query: {
      endpoint: req.endpoint,
      bucket: req.bucket,
      prefix: req.prefix,
      keyspace: req.keyspace,
      table: req.table,
      scope: "all",
      primary_replica_only: "true",
    },
    body: req.tocs,
  });
}

/** `GET /task_manager/user_ttl` on `host` (seconds finished user tasks stay queryable). */
export function scyllaUserTtl(scylla: ScyllaClient, host: string, call: CallOptions = {}): Promise<number> {
  return scylla.requestJson("GET", "/task_manager/user_ttl", v.number(), { ...call, host });
}

/** `POST /task_manager/user_ttl?user_ttl=N` on `host`. */
export async function setScyllaUserTtl(
  scylla: ScyllaClient,
  host: string,
  seconds: number,
  call: CallOptions = {},
): Promise<void> {
  await scylla.request("POST", "/task_manager/user_ttl", { ...call, host, query: { user_ttl: seconds } });
}
