/**
 * Where native upload (Scylla's `POST /storage_service/backup`) may be used, SM's rules (`pkg/service/backup`):
 * - `rclone` never; `auto` on nodes running Scylla 2025.2 or later; `native` whatever the version (the user forces
 *   it; an older node then fails the call);
 * - and only with an `object_storage_endpoints` entry of the node's Scylla naming the object store of the location
 *   (s3 or gcs; `clients/agent/object-storage-endpoint.ts`), whose name the call passes as `endpoint=`;
 * - a snapshot dir whose upload would create versioned files (deduplication found an SSTable of the same name with
 *   other content, to be kept as `<name>.sm_<tag>`) goes through rclone: Scylla's upload overwrites objects and
 *   cannot version them.
 * Pure.
 * @module
 */
import type { NodeInfo } from "../clients/agent/node-info.ts";
import {
  type ObjectStorageEndpointMatch,
  scyllaObjectStorageEndpoint,
} from "../clients/agent/object-storage-endpoint.ts";
import { scyllaVersionAtLeast } from "../util/scylla-version.ts";
import type { Location } from "./layout/index.ts";
import type { BackupMethod } from "./properties.ts";

/** The first Scylla release serving the native backup API. */
export const NATIVE_BACKUP_SINCE = "2025.2";

/** Whether a node may upload to `location` natively under `method`: the endpoint name, or why not. */
export function hostNativeBackupSupport(
  info: NodeInfo,
  location: Location,
  method: BackupMethod,
): ObjectStorageEndpointMatch {
  if (method === "rclone") return { ok: false, reason: "method rclone" };
  if (method === "auto") {
    let recent = false;
    try {
      recent = scyllaVersionAtLeast(info.scylla_version, NATIVE_BACKUP_SINCE);
    } catch {
      recent = false;
    }
    if (!recent) {
      return {
        ok: false,
        reason: `Scylla ${info.scylla_version || "(unknown version)"} is older than ${NATIVE_BACKUP_SINCE}`,
      };
    }
  }
  return scyllaObjectStorageEndpoint(info, location.provider);
}
