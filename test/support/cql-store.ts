/**
 * Test support for the CQL store on the external tier's Cassandra (test/external/run.sh exports
 * SM_EXT_CASSANDRA_CONTACT_POINTS, _LOCAL_DC, _USER, _PASSWORD): options, a skip reason, and a wipe that empties a
 * keyspace's tables without DDL (DDL is slow; deleting the few test partitions is not).
 */
import { randomBytes } from "node:crypto";
import type { CqlStore, CqlStoreOptions } from "../../src/store/cql/store.ts";

const env = process.env;

/** Why CQL-store tests skip here, or undefined. */
export const cqlSkipReason: string | undefined =
  env.SM_EXT_CASSANDRA_SKIP ??
  (env.SM_EXT_CASSANDRA_CONTACT_POINTS
    ? undefined
    : "no Cassandra running: use test/external/run.sh, which starts one");

/** Store options for the tier's Cassandra and `keyspace`. */
export function cqlOptions(keyspace: string, overrides: Partial<CqlStoreOptions> = {}): CqlStoreOptions {
  return {
    hosts: (env.SM_EXT_CASSANDRA_CONTACT_POINTS ?? "").split(",").filter(Boolean),
    keyspace,
    localDc: env.SM_EXT_CASSANDRA_LOCAL_DC ?? "",
    user: env.SM_EXT_CASSANDRA_USER ?? "",
    password: env.SM_EXT_CASSANDRA_PASSWORD ?? "",
    // The tier's machine is small and busy: generous timeouts so load does not read as failure.
    timeoutMs: 10_000,
    migrateTimeoutMs: 60_000,
    secretKey: testSecretKey,
    ...overrides,
  };
}

/** One key for the whole test process (every server of a store needs the same). */
export const testSecretKey = new Uint8Array(randomBytes(32));

/** A keyspace name unique to this run. */
export function uniqueKeyspace(prefix: string): string {
  return `${prefix}_${Date.now().toString(36)}_${randomBytes(3).toString("hex")}`;
}

const TABLE_KEYS: Record<string, string[]> = {
  cluster: ["id"],
  secrets: ["cluster_id"],
  drawer: ["cluster_id"],
  scheduler_task: ["cluster_id"],
  scheduler_task_run: ["cluster_id", "type", "task_id"],
  service_run: ["kind", "cluster_id", "task_id"],
  service_run_progress: ["kind", "cluster_id", "task_id", "run_id"],
  leader_lease: ["name"],
};

/** Deletes every partition of the store's tables (the migrations table stays). */
export async function wipeCqlStore(store: CqlStore): Promise<void> {
  const ks = store.keyspace;
  for (const [table, keys] of Object.entries(TABLE_KEYS)) {
    const cols = keys.join(", ");
    const where = keys.map((k) => `${k} = ?`).join(" AND ");
    const seen = new Set<string>();
    for await (const row of await store.client.execute(`SELECT DISTINCT ${cols} FROM ${ks}.${table}`)) {
      const values = keys.map((k) => row.get(k));
      const id = JSON.stringify(values);
      if (seen.has(id)) continue;
      seen.add(id);
      await store.client.execute(`DELETE FROM ${ks}.${table} WHERE ${where}`, values, { prepare: true });
    }
  }
}
