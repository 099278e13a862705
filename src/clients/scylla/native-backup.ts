/**
 * Scylla's native backup call (SM's `pkg/scyllaclient` ScyllaBackup), through the agents:
 * `POST /storage_service/backup` starts a task that uploads one table's snapshot dir straight to object storage;
 * the task is followed with `task-manager.ts`.
 * @module
 */
import * as v from "valibot";
import type { ScyllaClient } from "./client.ts";
import type { CallOptions } from "./http.ts";

/** What one native backup call uploads. */
export interface ScyllaBackupRequest {
  /** The name of the node's `object_storage_endpoints` entry. */
  endpoint: string;
  bucket: string;
  /** The SSTable version dir inside the bucket, without a leading slash. */
  prefix: string;
  keyspace: string;
  table: string;
  /** The snapshot tag. */
  snapshot: string;
}

/**
 * `POST /storage_service/backup?endpoint=&bucket=&prefix=&keyspace=&table=&snapshot=&move_files=true`: the task id.
 * `move_files=true`, as SM: each file leaves the snapshot dir once uploaded, so a resumed upload only sees the rest.
 */
export async function scyllaBackup(
  scylla: ScyllaClient,
  host: string,
  req: ScyllaBackupRequest,
  call: CallOptions = {},
): Promise<string> {
  return scylla.requestJson("POST", "/storage_service/backup", v.string(), {
    ...call,
    host,
    noRetry: true,
    query: {
      endpoint: req.endpoint,
      bucket: req.bucket,
      prefix: req.prefix,
      keyspace: req.keyspace,
      table: req.table,
      snapshot: req.snapshot,
      move_files: "true",
    },
  });
}
