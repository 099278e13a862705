/**
 * Assembles one node: its REST router (own routes plus the optional modules) and its switchable port slots.
 * @module
 */
import type { Faults } from "./faults/faults.ts";
import { type Closable, PortSlot } from "./faults/port-slot.ts";
import { startMetricsServer } from "./metrics/prometheus.ts";
import type { NodeModuleHooks, OptionalModules } from "./mounts.ts";
import type { NodeContext } from "./node-context.ts";
import { registerConfigRoutes } from "./rest/config-v2.ts";
import { RestRouter } from "./rest/router.ts";
import { registerSchemaRoutes } from "./rest/routes-schema.ts";
import { registerTopologyRoutes } from "./rest/routes-topology.ts";
import { startRestServer } from "./rest/server.ts";

/** Builds the REST router of a node; returns the hooks the optional modules gave back. */
export function buildRouter(
  node: NodeContext,
  modules: Pick<OptionalModules, "routeRegistrars">,
): { router: RestRouter; hooks: NodeModuleHooks[] } {
  const router = new RestRouter();
  registerTopologyRoutes(router, node);
  registerSchemaRoutes(router, node);
  registerConfigRoutes(router, node);
  const hooks: NodeModuleHooks[] = [];
  for (const register of modules.routeRegistrars) {
    const result = register(router, node);
    if (result) hooks.push(result);
  }
  return { router, hooks };
}

/** The port slots of a node (all stopped until set to serving). */
export function buildSlots(
  node: NodeContext,
  router: RestRouter,
  modules: OptionalModules,
  faults: Faults,
): PortSlot[] {
  const s = node.settings;
  const sync = (start: () => Closable) => async () => start();
  const slots = [
    new PortSlot(
      "rest",
      node.ip,
      [s.restPort],
      sync(() => startRestServer(node, router, faults)),
    ),
    new PortSlot(
      "prometheus",
      node.ip,
      [s.prometheusPort],
      sync(() => startMetricsServer(node, faults)),
    ),
  ];
  if (modules.startCql !== undefined) {
    const ports = s.tls?.enabled ? [s.cqlPort, s.cqlSslPort] : [s.cqlPort];
    slots.push(new PortSlot("cql", node.ip, ports, () => modules.startCql?.(node) ?? Promise.resolve({ close() {} })));
  }
  if (s.alternator.enabled && modules.startAlternator !== undefined) {
    const ports =
      s.alternator.httpsPort === undefined ? [s.alternator.port] : [s.alternator.port, s.alternator.httpsPort];
    slots.push(
      new PortSlot(
        "alternator",
        node.ip,
        ports,
        () => modules.startAlternator?.(node) ?? Promise.resolve({ close() {} }),
      ),
    );
  }
  return slots;
}
