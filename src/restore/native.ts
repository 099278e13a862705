/**
 * Where native restore (Scylla's `POST /storage_service/restore`) may be used, SM's rules: the provider is `s3`, the
 * node's Scylla is at least 2026.1 (not checked with `method: native`, which forces it), and one of Scylla's
 * `object_storage_endpoints` is the endpoint the agent's s3 config uses (`clients/agent/object-storage-endpoint.ts`).
 * An SSTable qualifies when its ID is a UUID and none of its files is a versioned copy. Pure.
 * @module
 */
import type { Location } from "../backup/layout/location.ts";
import type { NodeInfo } from "../clients/agent/node-info.ts";
import {
  type ObjectStorageEndpointMatch,
  scyllaObjectStorageEndpoint,
} from "../clients/agent/object-storage-endpoint.ts";
import { scyllaVersionAtLeast } from "../util/scylla-version.ts";
import type { RestoreMethod } from "./model.ts";
import type { RemoteSSTable } from "./workload.ts";

/** The first Scylla release serving the native restore API. */
export const NATIVE_RESTORE_SINCE = "2026.1";

/** A host's native restore ability: the endpoint name per bucket location, or why it cannot. */
export type HostNativeSupport = ObjectStorageEndpointMatch;

/** Whether `host` may restore batches of `location` natively under `method`. */
export function hostNativeSupport(info: NodeInfo, location: Location, method: RestoreMethod): HostNativeSupport {
  if (method === "rclone") return { ok: false, reason: "method rclone" };
  if (method === "auto") {
    let recent = false;
    try {
      recent = scyllaVersionAtLeast(info.scylla_version, NATIVE_RESTORE_SINCE);
    } catch {
      recent = false;
    }
    if (!recent) {
      return { ok: false, reason: `Scylla ${info.scylla_version} is older than ${NATIVE_RESTORE_SINCE}` };
    }
  }
  // Scylla's restore API reads s3 only.
  if (location.provider !== "s3") {
    return { ok: false, reason: `unsupported provider ${location.provider} for native Scylla restore` };
  }
  return scyllaObjectStorageEndpoint(info, location.provider);
}

/** Whether Scylla's restore API can load this SSTable (UUID ID, no versioned component). */
export function sstableSupportsNative(sstable: Pick<RemoteSSTable, "idType" | "versioned">): boolean {
  return sstable.idType === "uuid" && !sstable.versioned;
}

/** The object key prefix of a remote SSTable dir (`<provider>:<bucket>/<prefix>` → `<prefix>`). */
export function nativePrefix(remoteSstableDir: string, location: Location): string {
  const head = `${location.provider}:${location.bucket}/`;
  if (!remoteSstableDir.startsWith(head)) {
    throw new Error(`remote sstable dir ${remoteSstableDir} is not in location ${head.slice(0, -1)}`);
  }
  return remoteSstableDir.slice(head.length);
}
