/**
 * The server's Prometheus registry.
 * @module
 */
import { Gauge, Registry } from "prom-client";

/** Creates the registry the daemon's `/metrics` serves, with `scylla_manager_server_current_version{version} 0`. */
export function createMetricsRegistry(version: string): Registry {
  const registry = new Registry();
  const current = new Gauge({
    name: "scylla_manager_server_current_version",
    help: "Current version of the Scylla Manager server.",
    labelNames: ["version"],
    registers: [registry],
  });
  // SM exports this info gauge with the value 0 (only the label carries information); dashboards built for SM read it
  // that way, so we do the same rather than the usual info-metric 1.
  current.set({ version }, 0);
  return registry;
}
