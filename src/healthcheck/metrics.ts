/**
 * The server's health-check and cluster gauges (SM's `pkg/service/healthcheck/metrics.go`, `pkg/metrics/cluster.go`):
 * `scylla_manager_healthcheck_{cql,rest,alternator}_{status,rtt_ms}{cluster,dc,rack,host}` and
 * `scylla_manager_cluster_name{cluster,name}`.
 * @module
 */
import { Gauge, type Registry } from "prom-client";
import type { PingOutcome } from "./classify.ts";
import { statusGaugeValue } from "./classify.ts";
import type { PingMode } from "./model.ts";

const LABELS = ["cluster", "dc", "rack", "host"] as const;

function gauge(registry: Registry, name: string, help: string, labelNames: readonly string[]): Gauge {
  const existing = registry.getSingleMetric(name);
  if (existing instanceof Gauge) return existing;
  return new Gauge({ name, help, labelNames: [...labelNames], registers: [registry] });
}

/** Where a host sits, for the labels. */
export interface HostLabels {
  cluster: string;
  dc: string;
  rack: string;
  host: string;
}

/** Health-check gauges on a prom-client registry (idempotent per registry). */
export class HealthcheckMetrics {
  readonly #status: Record<PingMode, Gauge>;
  readonly #rtt: Record<PingMode, Gauge>;
  readonly #clusterName: Gauge;
  readonly #seen = new Map<string, Map<string, HostLabels>>();
  readonly #names = new Map<string, string>();

  constructor(registry: Registry) {
    const make = (mode: PingMode) => ({
      status: gauge(
        registry,
        `scylla_manager_healthcheck_${mode}_status`,
        `Host ${mode.toUpperCase()} status: 1 up, -1 down`,
        LABELS,
      ),
      rtt: gauge(
        registry,
        `scylla_manager_healthcheck_${mode}_rtt_ms`,
        `Host ${mode.toUpperCase()} ping RTT in ms`,
        LABELS,
      ),
    });
    const cql = make("cql");
    const rest = make("rest");
    const alternator = make("alternator");
    this.#status = { cql: cql.status, rest: rest.status, alternator: alternator.status };
    this.#rtt = { cql: cql.rtt, rest: rest.rtt, alternator: alternator.rtt };
    this.#clusterName = gauge(registry, "scylla_manager_cluster_name", "Mapping of cluster ID to its name", [
      "cluster",
      "name",
    ]);
  }

  /** Records the outcome of one ping (skipped pings, status "", are not recorded). */
  record(mode: PingMode, labels: HostLabels, outcome: PingOutcome): void {
    if (outcome.status === "") return;
    this.#status[mode].set({ ...labels }, statusGaugeValue(outcome));
    this.#rtt[mode].set({ ...labels }, outcome.rttMs);
    const key = `${mode}/${labels.cluster}`;
    const hosts = this.#seen.get(key) ?? new Map<string, HostLabels>();
    hosts.set(labels.host, labels);
    this.#seen.set(key, hosts);
  }

  /** Drops the series of hosts of `cluster` not in `hosts` (SM does so after each run). */
  retainHosts(mode: PingMode, cluster: string, hosts: readonly string[]): void {
    const seen = this.#seen.get(`${mode}/${cluster}`);
    if (!seen) return;
    for (const [host, labels] of seen) {
      if (hosts.includes(host)) continue;
      this.#status[mode].remove({ ...labels });
      this.#rtt[mode].remove({ ...labels });
      seen.delete(host);
    }
  }

  /** Drops every series of a cluster. */
  removeCluster(cluster: string): void {
    for (const mode of ["cql", "rest", "alternator"] as const) this.retainHosts(mode, cluster, []);
    const name = this.#names.get(cluster);
    if (name !== undefined) this.#clusterName.remove({ cluster, name });
    this.#names.delete(cluster);
  }

  /** Sets `scylla_manager_cluster_name{cluster,name}` (value 0, as SM). */
  setClusterName(cluster: string, name: string): void {
    const previous = this.#names.get(cluster);
    if (previous !== undefined) this.#clusterName.remove({ cluster, name: previous });
    this.#names.set(cluster, name);
    this.#clusterName.set({ cluster, name }, 0);
  }
}
