/**
 * The server's Prometheus registry.
 * @module
 */
import { Gauge, Registry } from "prom-client";

/** Creates the registry the daemon's `/metrics` serves, with `scylla_manager_server_current_version{version} 1`. */
export function createMetricsRegistry(version: string): Registry {
  const registry = new Registry();
  const current = new Gauge({
    name: "scylla_manager_server_current_version",
    help: "Current version of the Scylla Manager server.",
    labelNames: ["version"],
    registers: [registry],
  });
  current.set({ version }, 1);
  return registry;
}
