/**
 * Test fixture: an emulated cluster's shared state with only CQL listeners, on fixed IPs (port 9042 per IP),
 * for the CQL tests (B1's startCluster brings up every listener; these tests need CQL only).
 */
import type { Client } from "cassandra-driver";
import { createClock } from "../clock.ts";
import { EmulatedClusterState, EmulatedNode } from "../cluster-state.ts";
import type { NodeSettings, NodeTlsSettings } from "../node-context.ts";
import { createRandom } from "../random.ts";
import { defaultSchemaSpec } from "../schema/default.ts";
import { applySchemaSpec } from "../schema/spec.ts";
import type { SchemaSpec } from "../schema/types.ts";
import { createTopology, parseDcs } from "../topology/topology.ts";
import { type CqlServer, startCqlServer } from "./server.ts";

export interface TestCqlClusterOptions {
  /** e.g. "127.0.16." (engineer C's range is 127.0.16.x–127.0.19.x). */
  ipPrefix: string;
  dcs?: string;
  seed?: number;
  schema?: SchemaSpec | null;
  auth?: { username: string; password: string };
  tls?: NodeTlsSettings;
  cqlPort?: number;
  /** `enable_tablets` (default false here; B1's startCluster defaults to true). */
  tabletsEnabled?: boolean;
}

export interface TestCqlCluster {
  state: EmulatedClusterState;
  nodes: EmulatedNode[];
  servers: CqlServer[];
  close(): Promise<void>;
}

function settings(options: TestCqlClusterOptions): NodeSettings {
  return {
    clusterName: "emulated",
    version: "2025.1.0",
    releaseVersion: "2025.1.0-0.20250101.000000000000",
    auth: options.auth,
    authenticator: options.auth ? "PasswordAuthenticator" : "AllowAllAuthenticator",
    restPort: 10000,
    cqlPort: options.cqlPort ?? 9042,
    cqlSslPort: 9142,
    tls: options.tls,
    prometheusPort: 9180,
    alternator: { enabled: false, port: 8000, enforceAuthorization: false },
    uuidSstableIdentifiers: true,
    tabletsEnabled: options.tabletsEnabled ?? false,
    shards: 2,
    memoryPerShard: 1 << 30,
    objectStorageEndpoints: {},
  };
}

/** Builds the cluster state and its nodes, with no listeners. */
export function createTestClusterState(options: TestCqlClusterOptions): {
  state: EmulatedClusterState;
  nodes: EmulatedNode[];
} {
  const seed = options.seed ?? 1;
  const topology = createTopology({
    dcs: parseDcs(options.dcs ?? "dc1:3,dc2:3"),
    ipPrefix: options.ipPrefix,
    seed,
    tokensPerNode: 16,
  });
  const state = new EmulatedClusterState(topology, createClock(), seed, 2);
  const schema = options.schema === undefined ? defaultSchemaSpec() : options.schema;
  if (schema) applySchemaSpec(state.schema, schema, createRandom(seed));
  const nodes = topology.nodes.map((n) => new EmulatedNode(n.ip, `/nonexistent/${n.ip}`, settings(options), state));
  state.nodes.push(...nodes);
  return { state, nodes };
}

/** Builds the cluster state and starts a CQL server per node. */
export async function startTestCqlCluster(options: TestCqlClusterOptions): Promise<TestCqlCluster> {
  const { state, nodes } = createTestClusterState(options);
  const servers: CqlServer[] = [];
  try {
    for (const n of nodes) servers.push(await startCqlServer(n));
  } catch (err) {
    await Promise.all(servers.map((s) => s.close()));
    throw err;
  }
  return { state, nodes, servers, close: async () => void (await Promise.all(servers.map((s) => s.close()))) };
}

/** DDL beyond the spec schemas that a DESCRIBE round trip must carry: a UDT, quoted names, options, an index, a view. */
export const EXTRA_DDL = [
  "CREATE TYPE ks1.address (street text, zip int)",
  `CREATE TABLE ks1."Events" (day text, at timeuuid, kind text, note text static, addr frozen<address>, tags set<text>, attrs map<text, blob>,
     PRIMARY KEY ((day, kind), at)) WITH CLUSTERING ORDER BY (at DESC) AND comment = 'it''s events' AND gc_grace_seconds = 3600
     AND tombstone_gc = {'mode': 'repair'}`,
  `CREATE INDEX IF NOT EXISTS events_tags ON ks1."Events" (tags)`,
  `CREATE MATERIALIZED VIEW ks1.events_by_at AS SELECT day, kind, at FROM ks1."Events" WHERE at IS NOT NULL AND day IS NOT NULL AND kind IS NOT NULL PRIMARY KEY (at, day, kind)`,
];

/** Schema rows that must survive DESCRIBE → replay (ids differ between clusters, by design). */
export async function dumpSchema(client: Client): Promise<Record<string, string[]>> {
  const out: Record<string, string[]> = {};
  const strip = new Set(["id", "base_table_id", "version"]);
  const ks = await client.execute("SELECT keyspace_name FROM system_schema.scylla_keyspaces");
  out.tablet_keyspaces = ks.rows.map((r) => String(r.keyspace_name)).sort();
  for (const table of ["keyspaces", "tables", "columns", "views", "indexes", "types", "scylla_keyspaces"]) {
    const res = await client.execute(`SELECT * FROM system_schema.${table}`);
    out[table] = res.rows
      .filter((r) => !String(r.keyspace_name).startsWith("system"))
      .map((r) =>
        JSON.stringify(
          Object.fromEntries(
            r
              .keys()
              .filter((k) => !strip.has(k))
              .map((k) => [k, r.get(k) === null || r.get(k) === undefined ? null : JSON.stringify(r.get(k))]),
          ),
        ),
      )
      .sort();
  }
  return out;
}
