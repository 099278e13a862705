/**
 * Schema views of the Scylla REST API: keyspaces, column families, sizes, describe_ring, autocompaction, flush,
 * view build statuses, raft read barrier and tablet balancing.
 * @module
 */
import type { NodeContext } from "../node-context.ts";
import { nodeStorage } from "../storage/node-storage.ts";
import { boolParam, requireParam, splitTableName } from "./params.ts";
import { RestError } from "./rest-error.ts";
import type { RestRouter } from "./router.ts";
import { trackViewBuilds, viewBuildStatus } from "./view-builds.ts";

/** Registers the schema routes for one node. */
export function registerSchemaRoutes(router: RestRouter, node: NodeContext): void {
  const schema = node.cluster.schema;
  const autocompactionOff = new Set<string>();
  trackViewBuilds(node.cluster);
  const requireTable = (name: string) => {
    const [ks, table] = splitTableName(name);
    const def = schema.table(ks, table);
    if (def === undefined) throw new RestError(400, `Column family '${ks}:${table}' not found`);
    return def;
  };
  const requireKeyspace = (name: string) => {
    const ks = schema.keyspace(name);
    if (ks === undefined) throw new RestError(400, `Can't find a keyspace ${name}`);
    return ks;
  };
  // What this node's live SSTables take on disk (loaded SSTables count; a DC with RF 0 holds nothing), as Scylla reports.
  const diskSpaceUsed = (t: { keyspace: string; name: string }) => {
    const storage = nodeStorage(node);
    const dir = storage.tableDir(t.keyspace, t.name);
    return dir === undefined ? 0 : storage.liveBytes(dir);
  };
  router
    .add("GET", "/storage_service/keyspaces", (req) => {
      const type = req.query.get("type") ?? "all";
      const replication = req.query.get("replication") ?? "all";
      if (!["all", "user", "non_local_strategy"].includes(type))
        throw new RestError(400, `Invalid keyspace type '${type}'`);
      if (!["all", "vnodes", "tablets"].includes(replication))
        throw new RestError(400, `Invalid replication type '${replication}'`);
      return schema
        .keyspaces()
        .filter((ks) => {
          const local = ks.replication.class.endsWith("LocalStrategy");
          if (type === "user" && ks.system) return false;
          if (type === "non_local_strategy" && local) return false;
          if (replication === "tablets") return ks.tablets;
          if (replication === "vnodes") return !ks.tablets;
          return true;
        })
        .map((ks) => ks.name);
    })
    .add("GET", "/column_family/", () =>
      schema.columnFamilies().map((t) => ({ ks: t.keyspace, cf: t.name, type: "ColumnFamilies" })),
    )
    .add("GET", "/column_family/name", () => schema.columnFamilies().map((t) => `${t.keyspace}:${t.name}`))
    .add("GET", "/column_family/name/keyspace", () => [...new Set(schema.columnFamilies().map((t) => t.keyspace))])
    .add("GET", "/column_family/metrics/total_disk_space_used/{name}", (req) =>
      diskSpaceUsed(requireTable(req.params.name ?? "")),
    )
    .add("GET", "/column_family/metrics/total_disk_space_used", () =>
      schema.columnFamilies().reduce((sum, t) => sum + diskSpaceUsed(t), 0),
    )
    .add("GET", "/column_family/autocompaction/{name}", (req) => {
      const t = requireTable(req.params.name ?? "");
      return !autocompactionOff.has(`${t.keyspace}.${t.name}`);
    })
    .add("POST", "/column_family/autocompaction/{name}", (req) => {
      const t = requireTable(req.params.name ?? "");
      autocompactionOff.delete(`${t.keyspace}.${t.name}`);
      return undefined;
    })
    .add("DELETE", "/column_family/autocompaction/{name}", (req) => {
      const t = requireTable(req.params.name ?? "");
      autocompactionOff.add(`${t.keyspace}.${t.name}`);
      return undefined;
    })
    .add("POST", "/storage_service/keyspace_flush/{keyspace}", (req) => {
      const ks = requireKeyspace(req.params.keyspace ?? "");
      for (const cf of (req.query.get("cf") ?? "").split(",").filter(Boolean)) {
        if (schema.table(ks.name, cf) === undefined)
          throw new RestError(400, `Column family '${ks.name}:${cf}' not found`);
      }
      return undefined;
    })
    .add("GET", "/storage_service/describe_ring/{keyspace}", (req) => {
      const table = req.query.get("table") ?? undefined;
      return node.cluster.describeRing(req.params.keyspace ?? "", table, node.ip);
    })
    .add("GET", "/storage_service/view_build_statuses/{keyspace}/{view}", (req) => {
      const ks = requireKeyspace(req.params.keyspace ?? "");
      const view = schema.table(ks.name, req.params.view ?? "");
      if (view?.view === undefined)
        throw new RestError(400, `Can't find a view ${req.params.view} in keyspace ${ks.name}`);
      const live = new Set(node.cluster.liveNodes());
      const status = viewBuildStatus(node.cluster, ks.name, view.name);
      // A down node has not reported its build (Scylla shows its last state; UNKNOWN if it never started).
      return node.cluster.topology.nodes.map((n) => ({ key: n.hostId, value: live.has(n.ip) ? status : "UNKNOWN" }));
    })
    .add("POST", "/raft/read_barrier", (req) => {
      const group = req.query.get("group_id");
      if (group !== null && group !== "" && !/^[0-9a-f-]{36}$/.test(group))
        throw new RestError(400, `Invalid group id ${group}`);
      return undefined;
    })
    .add("POST", "/storage_service/tablets/balancing", (req) => {
      requireParam(req, "enabled");
      const enabled = boolParam(req, "enabled", true);
      tabletBalancing.set(node.cluster, enabled);
      node.cluster.ledger.record({ kind: "balancing", host: node.ip, enabled, at: node.cluster.clock.now() });
      return undefined;
    });
}

/** Cluster-wide tablet balancing switch (Scylla keeps it in group 0). */
const tabletBalancing = new WeakMap<object, boolean>();

/** Whether tablet load balancing is on (default true). */
export function isTabletBalancingEnabled(cluster: object): boolean {
  return tabletBalancing.get(cluster) ?? true;
}
