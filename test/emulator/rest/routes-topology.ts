/**
 * Topology views of the Scylla REST API: versions, host ids, snitch, gossip liveness, node states and tokens.
 * @module
 */
import type { NodeContext } from "../node-context.ts";
import type { RestRouter } from "./router.ts";

const mappers = (entries: Array<[string, string]>) => entries.map(([key, value]) => ({ key, value }));

/** Registers the topology routes for one node. */
export function registerTopologyRoutes(router: RestRouter, node: NodeContext): void {
  const cluster = node.cluster;
  const topo = cluster.topology;
  router
    .add("GET", "/storage_service/scylla_release_version", () => node.settings.releaseVersion)
    .add("GET", "/storage_service/release_version", () => "3.0.8")
    .add("GET", "/storage_service/cluster_name", () => node.settings.clusterName)
    .add("GET", "/storage_service/hostid/local", () => node.hostId)
    // Every endpoint the node knows, down ones included.
    .add("GET", "/storage_service/host_id", () => mappers(topo.nodes.map((n) => [n.ip, n.hostId])))
    .add("GET", "/snitch/name", () => "org.apache.cassandra.locator.GossipingPropertyFileSnitch")
    .add("GET", "/snitch/datacenter", (req) => {
      const host = req.query.get("host");
      return host === null || host === "" ? node.dc : (topo.byIp.get(host)?.dc ?? "UNKNOWN_DC");
    })
    .add("GET", "/snitch/rack", (req) => {
      const host = req.query.get("host");
      return host === null || host === "" ? node.rack : (topo.byIp.get(host)?.rack ?? "UNKNOWN_RACK");
    })
    .add("GET", "/gossiper/endpoint/live/", () => cluster.liveNodes())
    .add("GET", "/gossiper/endpoint/down/", () => {
      const live = new Set(cluster.liveNodes());
      return topo.nodes.filter((n) => !live.has(n.ip)).map((n) => n.ip);
    })
    .add("GET", "/failure_detector/count/endpoint/up", () => cluster.liveNodes().length)
    .add("GET", "/failure_detector/count/endpoint/down", () => topo.nodes.length - cluster.liveNodes().length)
    .add("GET", "/storage_service/nodes/joining", () => [])
    .add("GET", "/storage_service/nodes/leaving", () => [])
    .add("GET", "/storage_service/nodes/moving", () => [])
    .add("GET", "/storage_service/tokens", () => node.tokens.map(String))
    .add("GET", "/storage_service/tokens/{endpoint}", (req) =>
      (topo.byIp.get(req.params.endpoint ?? "")?.tokens ?? []).map(String),
    )
    .add("GET", "/storage_service/tokens_endpoint", () => mappers(topo.ring.map((e) => [e.token.toString(), e.ip])));
}
