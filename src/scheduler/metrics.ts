/**
 * Scheduler gauges (SM's `pkg/metrics/scheduler.go`): `scylla_manager_scheduler_{suspended,run_indicator,
 * run_total,last_success}`.
 * @module
 */
import { Gauge, type Registry } from "prom-client";
import type { TaskRecord, TaskStatus } from "../store/store.ts";
import type { EngineListener } from "./engine.ts";

function gaugeOf(registry: Registry, name: string, help: string, labelNames: string[]): Gauge {
  const existing = registry.getSingleMetric(name);
  if (existing) return existing as Gauge;
  return new Gauge({ name, help, labelNames, registers: [registry] });
}

/** The scheduler's gauges on `registry` (shared when several managers use one registry). */
export class SchedulerMetrics implements EngineListener {
  readonly #suspended: Gauge;
  readonly #runIndicator: Gauge;
  readonly #runTotal: Gauge;
  readonly #lastSuccess: Gauge;
  readonly #now: () => number;

  constructor(registry: Registry, now: () => number) {
    this.#now = now;
    this.#suspended = gaugeOf(registry, "scylla_manager_scheduler_suspended", "Cluster is suspended", ["cluster"]);
    this.#runIndicator = gaugeOf(registry, "scylla_manager_scheduler_run_indicator", "Task is running", [
      "cluster",
      "type",
      "task",
    ]);
    this.#runTotal = gaugeOf(registry, "scylla_manager_scheduler_run_total", "Runs by end status", [
      "cluster",
      "type",
      "task",
      "status",
    ]);
    this.#lastSuccess = gaugeOf(
      registry,
      "scylla_manager_scheduler_last_success",
      "Unix time of the last successful run",
      ["cluster", "type", "task"],
    );
  }

  setSuspended(clusterId: string, suspended: boolean): void {
    this.#suspended.set({ cluster: clusterId }, suspended ? 1 : 0);
  }

  onRunStart(task: TaskRecord): void {
    this.#runIndicator.set({ cluster: task.clusterId, type: task.type, task: task.id }, 1);
  }

  onRunEnd(task: TaskRecord, status: TaskStatus): void {
    const labels = { cluster: task.clusterId, type: task.type, task: task.id };
    this.#runIndicator.set(labels, 0);
    this.#runTotal.inc({ ...labels, status });
    if (status === "DONE") this.#lastSuccess.set(labels, Math.floor(this.#now() / 1000));
  }
}
