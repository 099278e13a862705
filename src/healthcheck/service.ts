/**
 * The daemon's health check: per-cluster `HealthCheck`s built from the ClusterService (cached clients, node-info
 * cache, stored credentials), the status of `GET /cluster/{id}/status`, and the scheduled pings that feed the gauges.
 * @module
 */
import type { ScyllaClient } from "../clients/scylla/client.ts";
import { NodeInfoCache } from "../cluster/node-info-cache.ts";
import type { ClusterService } from "../cluster/service.ts";
import type { Logger } from "../util/log.ts";
import { HealthCheck } from "./health-check.ts";
import type { HealthcheckMetrics } from "./metrics.ts";
import type { NodeStatus, PingMode } from "./model.ts";

export interface HealthCheckServiceOptions {
  clusters: ClusterService;
  /** Ping timeout, ms (`healthcheck.max_timeout`). Default 1 000. */
  timeoutMs?: number;
  /** node_info reuse, ms (`healthcheck.node_info_ttl`). Default 300 000. */
  nodeInfoTtlMs?: number;
  metrics?: HealthcheckMetrics;
  logger?: Logger;
}

interface Entry {
  scylla: ScyllaClient;
  check: HealthCheck;
  racks: Map<string, string>;
}

/** Health checks of every managed cluster. */
export class HealthCheckService {
  readonly #options: HealthCheckServiceOptions;
  readonly #entries = new Map<string, Entry>();

  constructor(options: HealthCheckServiceOptions) {
    this.#options = options;
  }

  /** The status of every node of a cluster (REST `GET /cluster/{id}/status`). */
  async status(clusterId: string, signal?: AbortSignal): Promise<NodeStatus[]> {
    const entry = await this.#entry(clusterId);
    return entry.check.status(signal);
  }

  /** Pings every known host of the cluster the given way and records the gauges (the healthcheck task). */
  async runPing(clusterId: string, mode: PingMode, signal?: AbortSignal): Promise<void> {
    const cluster = await this.#options.clusters.resolve(clusterId);
    const entry = await this.#entry(cluster.id);
    const hosts = cluster.knownHosts.length > 0 ? cluster.knownHosts : [cluster.host];
    const outcomes = await entry.check.pingAll(mode, hosts, signal);
    const metrics = this.#options.metrics;
    if (!metrics) return;
    metrics.setClusterName(cluster.id, cluster.name || cluster.id);
    await Promise.all(
      hosts.map(async (host) => {
        const [dc, rack] = await Promise.all([
          entry.scylla.datacenter(host, { timeoutMs: 5_000, noRetry: true }).catch(() => ""),
          this.#rack(entry, host),
        ]);
        const outcome = outcomes.get(host);
        if (outcome) metrics.record(mode, { cluster: cluster.id, dc, rack, host }, outcome);
      }),
    );
    metrics.retainHosts(mode, cluster.id, hosts);
  }

  /** Forgets a cluster (deleted or changed). */
  forget(clusterId: string): void {
    this.#entries.delete(clusterId);
    this.#options.metrics?.removeCluster(clusterId);
  }

  async #rack(entry: Entry, host: string): Promise<string> {
    const cached = entry.racks.get(host);
    if (cached !== undefined) return cached;
    const rack = await entry.scylla.rack(host, { host, timeoutMs: 5_000, noRetry: true }).catch(() => "");
    if (rack !== "") entry.racks.set(host, rack);
    return rack;
  }

  async #entry(clusterId: string): Promise<Entry> {
    const clusters = this.#options.clusters;
    const cluster = await clusters.resolve(clusterId);
    const { scylla, agent } = await clusters.clients(cluster.id);
    const cached = this.#entries.get(cluster.id);
    if (cached && cached.scylla === scylla) return cached;
    const secrets = await clusters.secrets(cluster.id);
    const nodeInfo = new NodeInfoCache(agent, { ttlMs: this.#options.nodeInfoTtlMs });
    const check = new HealthCheck(
      {
        scylla,
        nodeInfo: (host, call) => nodeInfo.get(host, { ...call, noRetry: true }),
        datacenter: (host) => scylla.datacenter(host, { timeoutMs: 5_000, noRetry: true }),
        credentials: secrets.cql,
        clientCert: secrets.tls ? { cert: secrets.tls.cert, key: secrets.tls.private_key } : undefined,
        forceTlsDisabled: cluster.forceTlsDisabled,
        forceNonSslSessionPort: cluster.forceNonSslSessionPort,
      },
      { timeoutMs: this.#options.timeoutMs },
    );
    const entry = { scylla, check, racks: new Map<string, string>() };
    this.#entries.set(cluster.id, entry);
    return entry;
  }
}
