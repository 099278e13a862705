/**
 * Repair gauges with SM's names (`pkg/service/repair/metrics`): `scylla_manager_repair_progress{cluster}`,
 * `scylla_manager_repair_token_ranges_{total,success,error}{cluster,keyspace,table,host}`,
 * `scylla_manager_repair_inflight_jobs{cluster,host}`, `scylla_manager_repair_inflight_token_ranges{cluster,host}`.
 * @module
 */
import { Gauge, type Registry } from "prom-client";
import type { RepairMetricsSink } from "./repair.ts";

function gauge(registry: Registry, name: string, help: string, labelNames: readonly string[]): Gauge {
  const existing = registry.getSingleMetric(name);
  if (existing instanceof Gauge) return existing;
  return new Gauge({ name, help, labelNames: [...labelNames], registers: [registry] });
}

const TABLE = ["cluster", "keyspace", "table", "host"] as const;

/** The repair gauges on a prom-client registry (idempotent per registry). */
export class RepairMetrics implements RepairMetricsSink {
  readonly #progress: Gauge;
  readonly #total: Gauge;
  readonly #success: Gauge;
  readonly #error: Gauge;
  readonly #jobs: Gauge;
  readonly #ranges: Gauge;

  constructor(registry: Registry) {
    this.#progress = gauge(registry, "scylla_manager_repair_progress", "Current repair progress.", ["cluster"]);
    this.#total = gauge(
      registry,
      "scylla_manager_repair_token_ranges_total",
      "Total number of token ranges to repair.",
      TABLE,
    );
    this.#success = gauge(
      registry,
      "scylla_manager_repair_token_ranges_success",
      "Number of repaired token ranges.",
      TABLE,
    );
    this.#error = gauge(
      registry,
      "scylla_manager_repair_token_ranges_error",
      "Number of segments that failed to repair.",
      TABLE,
    );
    this.#jobs = gauge(registry, "scylla_manager_repair_inflight_jobs", "Number of running repair jobs on a host.", [
      "cluster",
      "host",
    ]);
    this.#ranges = gauge(
      registry,
      "scylla_manager_repair_inflight_token_ranges",
      "Number of token ranges in running repair jobs on a host.",
      ["cluster", "host"],
    );
  }

  setProgress(clusterId: string, percent: number): void {
    this.#progress.set({ cluster: clusterId }, percent);
  }

  setTokenRanges(
    clusterId: string,
    keyspace: string,
    table: string,
    host: string,
    total: number,
    success: number,
    error: number,
  ): void {
    const labels = { cluster: clusterId, keyspace, table, host };
    this.#total.set(labels, total);
    this.#success.set(labels, success);
    this.#error.set(labels, error);
  }

  setInflight(clusterId: string, host: string, jobs: number, ranges: number): void {
    this.#jobs.set({ cluster: clusterId, host }, jobs);
    this.#ranges.set({ cluster: clusterId, host }, ranges);
  }
}
