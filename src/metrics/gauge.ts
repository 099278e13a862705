/**
 * Gauges shared by the services' metric classes: register once per registry, and SM's `ResetClusterMetrics`
 * (every series of a cluster set to -1, `pkg/metrics/delete.go`).
 * @module
 */
import { Gauge, type Registry } from "prom-client";

/** The registry's gauge `name`, created on first use (idempotent per registry). */
export function registryGauge(registry: Registry, name: string, help: string, labelNames: readonly string[]): Gauge {
  const existing = registry.getSingleMetric(name);
  if (existing instanceof Gauge) return existing;
  return new Gauge({ name, help, labelNames: [...labelNames], registers: [registry] });
}

/** Sets every series of `gauges` whose `cluster` label is `cluster` to -1 (SM's unspecified value). */
export async function resetClusterSeries(gauges: readonly Gauge[], cluster: string): Promise<void> {
  for (const g of gauges) {
    for (const value of (await g.get()).values) {
      if (value.labels.cluster === cluster) g.set(value.labels as Record<string, string>, -1);
    }
  }
}
