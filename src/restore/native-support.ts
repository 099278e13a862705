/**
 * Which restoring hosts may use Scylla's native restore API for which bucket, read once per DATA stage from every
 * host's node_info. With `method: native` anything that cannot be restored natively (a host, or an SSTable with an
 * integer ID or a versioned file) is an error here, before the cluster is touched.
 * @module
 */
import type { Location } from "../backup/layout/location.ts";
import { ManagerError } from "../errors.ts";
import type { RestoreEnv } from "./env.ts";
import { bucketOf, type ResolvedTarget } from "./init.ts";
import { hostNativeSupport, sstableSupportsNative } from "./native.ts";
import type { Workload } from "./workload.ts";

/** host → bucket location (`s3:bucket`) → the node's object storage endpoint name. */
export type NativeEndpoints = Map<string, Map<string, { location: Location; endpoint: string }>>;

/** The native endpoints of `hosts` (empty with `method: rclone`); throws what forbids `method: native`. */
export async function resolveNativeEndpoints(
  env: RestoreEnv,
  resolved: ResolvedTarget,
  hosts: readonly string[],
  workload: Workload,
): Promise<NativeEndpoints> {
  const method = resolved.target.method;
  const out: NativeEndpoints = new Map();
  if (method === "rclone") return out;
  const problems: string[] = [];
  for (const host of hosts) {
    const info = await env.nodeInfo(host);
    const byLocation = new Map<string, { location: Location; endpoint: string }>();
    for (const l of resolved.locations) {
      if (![...l.dcHosts.values()].some((hs) => hs.includes(host))) continue;
      const support = hostNativeSupport(info, l.location, method);
      if (support.ok) byLocation.set(bucketOf(l.location), { location: l.location, endpoint: support.endpoint });
      else {
        problems.push(`${host} (${bucketOf(l.location)}): ${support.reason}`);
        env.logger.info(`restore: host ${host} cannot restore ${bucketOf(l.location)} natively: ${support.reason}`);
      }
    }
    out.set(host, byLocation);
  }
  if (method !== "native") return out;
  if (problems.length > 0) {
    throw new ManagerError(`native restore is not possible on every host: ${problems.join("; ")}`, {
      hint: "use --method auto (native where possible) or rclone",
    });
  }
  for (const dir of workload.remoteDirs) {
    const unsupported = dir.sstables.filter((s) => !sstableSupportsNative(s));
    if (unsupported.length > 0) {
      throw new ManagerError(
        `native restore does not support ${unsupported.length} sstables of ${dir.keyspace}.${dir.table} in ${dir.remoteSstableDir} (integer IDs or versioned files)`,
        { hint: "use --method auto (rclone for those sstables) or rclone" },
      );
    }
  }
  return out;
}
