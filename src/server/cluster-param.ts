/**
 * `{cluster_id}` path parameter: SM accepts a cluster UUID or a cluster name (SM's `pkg/restapi/cluster.go`).
 * @module
 */
import { ManagerError, NotFoundError } from "../errors.ts";
import type { ClusterRecord, Store } from "../store/store.ts";
import { isUuid } from "../util/uuid.ts";

/**
 * Resolves a path's cluster id or name to the stored cluster.
 * @throws NotFoundError (404 `get resource: ...: not found`) when no cluster matches; ManagerError (500) when the name is
 * used by more than one cluster (SM fails the same way).
 */
export async function resolveClusterParam(store: Store, idOrName: string): Promise<ClusterRecord> {
  // Hono hands over decoded params; other callers may pass raw path segments. A lone "%" must not throw.
  let value = idOrName;
  try {
    value = decodeURIComponent(idOrName);
  } catch {
    // already decoded
  }
  if (isUuid(value)) {
    const byId = await store.getCluster(value.toLowerCase());
    if (byId) return byId;
  }
  const matches = (await store.listClusters()).filter((cluster) => cluster.name === value);
  if (matches.length === 1 && matches[0]) return matches[0];
  if (matches.length > 1) {
    throw new ManagerError(`get cluster: name "${value}" is used by ${matches.length} clusters, use the cluster ID`, {
      hint: "use the cluster ID instead of the name",
    });
  }
  throw new NotFoundError(`get resource: get cluster "${value}": not found`);
}
