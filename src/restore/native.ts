/**
 * Where native restore (Scylla's `POST /storage_service/restore`) may be used, SM's rules: the provider is `s3`, the
 * node's Scylla is at least 2026.1 (not checked with `method: native`, which forces it), and one of Scylla's
 * `object_storage_endpoints` is the endpoint the agent's s3 config uses (SM's `EqualObjectStorageEndpoints`: the
 * agent's endpoint, or `s3.<region>.amazonaws.com` from its region, without scheme, port and IPv6 brackets, against
 * the entry's name). An SSTable qualifies when its ID is a UUID and none of its files is a versioned copy. Pure.
 * @module
 */
import type { Location } from "../backup/layout/location.ts";
import type { NodeInfo } from "../clients/agent/node-info.ts";
import { scyllaVersionAtLeast } from "../util/scylla-version.ts";
import type { RestoreMethod } from "./model.ts";
import type { RemoteSSTable } from "./workload.ts";

/** The first Scylla release serving the native restore API. */
export const NATIVE_RESTORE_SINCE = "2026.1";

/** A host's native restore ability: the endpoint name per bucket location, or why it cannot. */
export type HostNativeSupport = { ok: true; endpoint: string } | { ok: false; reason: string };

const trimBrackets = (s: string) => s.replace(/^\[/, "").replace(/\]$/, "");

/** An IPv6 literal in canonical form (zero runs and case folded); undefined for anything else. */
function canonicalIpv6(text: string): string | undefined {
  if (!text.includes(":")) return undefined;
  try {
    return new URL(`http://[${text}]/`).hostname;
  } catch {
    return undefined;
  }
}

type ScyllaEndpoint = NonNullable<NodeInfo["object_storage_endpoints"]>[string];

/** Whether the agent's s3 endpoint and a Scylla `object_storage_endpoints` entry name the same server. */
export function sameS3Endpoint(agent: { endpoint: string; region: string }, scylla: ScyllaEndpoint): boolean {
  let name = agent.endpoint;
  if (name === "") {
    if (agent.region === "") return false;
    name = `s3.${agent.region}.amazonaws.com`;
  }
  const scheme = scylla.use_https ? "https" : "http";
  if (name.startsWith(`${scheme}://`)) name = name.slice(scheme.length + 3);
  if (name.endsWith(`:${scylla.port}`)) name = name.slice(0, -`:${scylla.port}`.length);
  name = trimBrackets(name);
  const scyllaName = trimBrackets(scylla.name);
  if (name === scyllaName) return true;
  const a = canonicalIpv6(name);
  return a !== undefined && a === canonicalIpv6(scyllaName);
}

/** The name of the node's object storage endpoint for `provider` (SM's `ScyllaObjectStorageEndpoint`). */
export function scyllaObjectStorageEndpoint(info: NodeInfo, provider: string): HostNativeSupport {
  if (provider !== "s3") return { ok: false, reason: `unsupported provider ${provider} for native Scylla restore` };
  const endpoints = Object.entries(info.object_storage_endpoints ?? {});
  if (endpoints.length === 0) return { ok: false, reason: "no object storage endpoint configured" };
  for (const [key, e] of endpoints) {
    const entry = { ...e, name: e.name || key };
    if (sameS3Endpoint(info.rclone_backend_config.s3, entry)) return { ok: true, endpoint: entry.name };
  }
  return {
    ok: false,
    reason:
      "scylla and scylla-manager-agent backup configurations don't match. Please make sure that the same endpoint " +
      "is set in both `scylla-manager-agent.yaml` s3 config and in `scylla.yaml` object_storage_endpoints config",
  };
}

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
