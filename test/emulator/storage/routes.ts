/**
 * Storage routes of a node's Scylla REST API: snapshots and `sstables/{ks}` (load and stream). Mounted by the
 * launcher through `mounts.ts`. Registering also materialises the node's data dir.
 * @module
 */
import type { NodeContext } from "../node-context.ts";
import { boolParam, requireParam } from "../rest/params.ts";
import type { RestRouter } from "../rest/router.ts";
import { loadUploadDir } from "./loader.ts";
import { materializeNodeStorage, type NodeStorage, nodeStorage } from "./node-storage.ts";
import { clearSnapshot, listSnapshots, parseSnapshotTarget, takeSnapshot } from "./snapshots.ts";

/**
 * Registers the storage routes of one node. The data dir is written concurrently; the returned `ready` (awaited by
 * the launcher before the ports serve) resolves when it is complete.
 */
export function registerStorageRoutes(router: RestRouter, node: NodeContext): { ready: Promise<void> } {
  const ready = materializeNodeStorage(node).then(() => undefined);
  const storage = (): NodeStorage => nodeStorage(node);
  router
    .add("GET", "/storage_service/snapshots", () => listSnapshots(storage()))
    .add("POST", "/storage_service/snapshots", (req) => {
      takeSnapshot(storage(), parseSnapshotTarget(req.query));
      return undefined;
    })
    .add("DELETE", "/storage_service/snapshots", (req) => {
      clearSnapshot(storage(), parseSnapshotTarget(req.query));
      return undefined;
    })
    .add("POST", "/storage_service/sstables/{keyspace}", async (req) => {
      const table = requireParam(req, "cf");
      await loadUploadDir(storage(), req.params.keyspace ?? "", table, {
        loadAndStream: boolParam(req, "load_and_stream", false),
        primaryReplicaOnly: boolParam(req, "primary_replica_only", false),
        skipCleanup: boolParam(req, "skip_cleanup", false),
        skipReshape: boolParam(req, "skip_reshape", false),
      });
      return undefined;
    });
  return { ready };
}
