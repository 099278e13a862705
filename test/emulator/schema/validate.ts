/**
 * Replication option validation as Scylla does it on CREATE/ALTER KEYSPACE.
 * @module
 */
import { type KeyspaceDef, type ReplicationClass, SchemaError } from "./types.ts";

const CLASSES: Record<string, ReplicationClass> = {
  simplestrategy: "org.apache.cassandra.locator.SimpleStrategy",
  networktopologystrategy: "org.apache.cassandra.locator.NetworkTopologyStrategy",
  localstrategy: "org.apache.cassandra.locator.LocalStrategy",
  everywherestrategy: "org.apache.cassandra.locator.EverywhereStrategy",
};

/** Resolves a short or qualified strategy name; throws a ConfigError naming it when unknown. */
export function resolveStrategyClass(name: string): ReplicationClass {
  const short = name.replace(/^org\.apache\.cassandra\.locator\./, "").toLowerCase();
  const cls = CLASSES[short];
  if (cls === undefined) throw new SchemaError(`Unable to find replication strategy class '${name}'`, 0x2300);
  return cls;
}

/** Returns the normalised replication map (qualified class, string factors) or throws like Scylla. */
export function validateReplication(
  def: Pick<KeyspaceDef, "name" | "replication" | "tablets">,
  datacenters: readonly string[],
): KeyspaceDef["replication"] {
  const cls = resolveStrategyClass(def.replication.class);
  const out: Record<string, string> = {};
  for (const [option, raw] of Object.entries(def.replication)) {
    if (option === "class") continue;
    const value = String(raw);
    if (!/^\d+$/.test(value)) {
      throw new SchemaError(`Replication factor must be numeric and non-negative, found '${value}'`, 0x2300, def.name);
    }
    if (cls.endsWith("SimpleStrategy") && option !== "replication_factor") {
      throw new SchemaError(
        `Unrecognized strategy option {${option}} passed to SimpleStrategy for keyspace ${def.name}`,
        0x2300,
        def.name,
      );
    }
    if (
      cls.endsWith("NetworkTopologyStrategy") &&
      option !== "replication_factor" &&
      datacenters.length > 0 &&
      !datacenters.includes(option)
    ) {
      throw new SchemaError(
        `Unrecognized strategy option {${option}} passed to NetworkTopologyStrategy for keyspace ${def.name}`,
        0x2300,
        def.name,
      );
    }
    out[option] = value;
  }
  if (cls.endsWith("SimpleStrategy") && out.replication_factor === undefined) {
    throw new SchemaError("SimpleStrategy requires a replication_factor strategy option.", 0x2300, def.name);
  }
  // NTS `replication_factor` expands to every DC, as Scylla does.
  if (cls.endsWith("NetworkTopologyStrategy") && out.replication_factor !== undefined) {
    const rf = out.replication_factor;
    delete out.replication_factor;
    for (const dc of datacenters) out[dc] ??= rf;
  }
  if (def.tablets && !cls.endsWith("NetworkTopologyStrategy")) {
    throw new SchemaError(`Tablets are only supported with NetworkTopologyStrategy, not ${cls}`, 0x2300, def.name);
  }
  return { ...out, class: cls };
}
