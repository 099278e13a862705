/**
 * SM's Consul-compatible service discovery on the Prometheus listener, so Prometheus `consul_sd_configs` can find
 * every Scylla node: `/v1/agent/self`, `/v1/catalog/services`, `/v1/catalog/service/scylla`,
 * `/v1/health/service/scylla`, each answer with an incrementing `X-Consul-Index`.
 * Mount the returned app on the metrics listener (A2's `src/metrics/`).
 * @module
 */
import { Hono } from "hono";
import { type ClusterServicesDeps, ensureClusterServices } from "../../healthcheck/wiring.ts";

/** One Scylla node as the SD endpoints list it. */
export interface ScyllaServiceNode {
  clusterId: string;
  clusterName: string;
  dc: string;
  address: string;
  /** Scylla's Prometheus port (node_info `prometheus_port`, default 9180). */
  port: number;
  shards: number;
}

const CACHE_MS = 30_000;

/** Lists every node of every cluster (best effort: unreachable details fall back to defaults). */
async function listScyllaNodes(deps: ClusterServicesDeps): Promise<ScyllaServiceNode[]> {
  const { clusters } = ensureClusterServices(deps);
  const records = await deps.store.listClusters();
  const perCluster = await Promise.all(
    records.map(async (cluster) => {
      const { scylla, agent } = await clusters.clients(cluster.id);
      const hosts = cluster.knownHosts.length > 0 ? cluster.knownHosts : [cluster.host];
      const call = { timeoutMs: 1_000, noRetry: true };
      return Promise.all(
        hosts.map(async (host) => {
          const [dc, info, shards] = await Promise.all([
            scylla.datacenter(host, call).catch(() => ""),
            agent.nodeInfo(host, call).catch(() => undefined),
            scylla.shardCount(host, call).catch(() => 0),
          ]);
          return {
            clusterId: cluster.id,
            clusterName: cluster.name || cluster.id,
            dc,
            // SM lists the host address it manages the node by; the port is the node's Prometheus port.
            address: host,
            port: Number(info?.prometheus_port) || 9180,
            shards,
          };
        }),
      );
    }),
  );
  return perCluster.flat();
}

/** The Consul SD sub-app (mount at the Prometheus listener's root). */
export function createConsulApp(deps: ClusterServicesDeps): Hono {
  const app = new Hono();
  let index = 0;
  let cache: { at: number; nodes: Promise<ScyllaServiceNode[]> } | undefined;
  const nodes = () => {
    if (!cache || Date.now() - cache.at > CACHE_MS) cache = { at: Date.now(), nodes: listScyllaNodes(deps) };
    const current = cache;
    current.nodes.catch(() => {
      if (cache === current) cache = undefined;
    });
    return current.nodes;
  };
  app.use("/v1/*", async (c, next) => {
    await next();
    c.header("X-Consul-Index", String(++index));
  });
  app.get("/v1/agent/self", (c) => c.json({ Config: { Datacenter: "scylla-manager" } }));
  app.get("/v1/catalog/services", async (c) => {
    const names = [...new Set((await deps.store.listClusters()).map((cluster) => cluster.name || cluster.id))];
    return c.json({ scylla: names });
  });
  app.get("/v1/catalog/service/scylla", async (c) =>
    c.json(
      (await nodes()).map((node) => ({
        ID: "",
        Node: node.address,
        Address: node.address,
        Datacenter: "scylla-manager",
        ServiceID: "scylla",
        ServiceName: "scylla",
        ServiceAddress: node.address,
        ServicePort: node.port,
        ServiceTags: [node.clusterName],
        ServiceMeta: { shard_num: String(node.shards), dc: node.dc, cluster_name: node.clusterName },
      })),
    ),
  );
  app.get("/v1/health/service/scylla", async (c) =>
    c.json(
      (await nodes()).map((node) => ({
        Node: { Node: node.address, Address: node.address, Datacenter: "scylla-manager" },
        Service: {
          ID: "scylla",
          Service: "scylla",
          Address: node.address,
          Port: node.port,
          Tags: [node.clusterName],
          Meta: { shard_num: String(node.shards), dc: node.dc, cluster_name: node.clusterName },
        },
        Checks: [],
      })),
    ),
  );
  return app;
}
