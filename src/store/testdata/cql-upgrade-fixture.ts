/**
 * The CQL store's upgrade fixtures (src/store/testdata/upgrade/cql-store-<NNN>.json): a keyspace as a release left
 * it, written as its DDL and its rows, so a test can recreate it in an empty keyspace and open it with the current
 * code. A file holds
 *  - `migrations`: the migrations that release had applied, with the checksums it recorded in `gocqlx_migrate`;
 *  - `schema`: the bookkeeping table's DDL, then every statement of those migrations (`{ks}` is the keyspace), as
 *    that release ran them (a shipped migration is never edited, so these are also what created its tables);
 *  - `rows`: each table's rows as `SELECT JSON` returned them (replayed with `INSERT ... JSON`), the leader lease
 *    excepted (it expires anyway).
 *
 * Write one when a release adds a CQL migration, against the external tier's Cassandra (or any ScyllaDB/Cassandra):
 *   SM_EXT_CASSANDRA_CONTACT_POINTS=127.6.0.1 SM_EXT_CASSANDRA_USER=cassandra SM_EXT_CASSANDRA_PASSWORD=cassandra \
 *     bun src/store/testdata/cql-upgrade-fixture.ts
 * and keep the files of earlier releases: test/external/cql-store-upgrade.test.ts opens each with the current code.
 * @module
 */
import { randomBytes } from "node:crypto";
import { readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type cassandra from "cassandra-driver";
import { replicationFor } from "../cql/migrate.ts";
import {
  CQL_MIGRATIONS,
  type CqlMigration,
  MIGRATIONS_TABLE,
  MIGRATIONS_TABLE_DDL,
  migrationChecksum,
  quoteIdent,
} from "../cql/schema.ts";
import { openCqlStore } from "../cql/store.ts";
import type { ServiceRunRecord } from "../store.ts";
import { FIXTURE_CONTENT, FIXTURE_KEY_HEX } from "./make-upgrade-fixture.ts";

export const CQL_FIXTURE_DIR = join(import.meta.dir, "upgrade");

/** What the CQL fixtures hold beyond the SQLite ones' content: a service's run state. */
export const CQL_FIXTURE_SERVICE_RUN: { kind: string; run: ServiceRunRecord } = {
  kind: "repair_run",
  run: {
    clusterId: FIXTURE_CONTENT.cluster.id,
    taskId: FIXTURE_CONTENT.task.id,
    runId: FIXTURE_CONTENT.run.id,
    value: { intensity: 1, parallel: 0, prev_id: "" },
  },
};

/** Tables a fixture leaves out: the leader lease is held for seconds and expires. */
const NOT_DUMPED: ReadonlySet<string> = new Set(["leader_lease"]);

export interface CqlStoreFixture {
  migrations: { name: string; checksum: string }[];
  schema: string[];
  rows: Record<string, Record<string, unknown>[]>;
}

/** The fixture file name for a store whose last migration is `name` ("001_initial.cql" -> cql-store-001.json). */
export function cqlFixtureFileName(name: string): string {
  const number = /^(\d+)_/.exec(name)?.[1];
  if (!number) throw new Error(`CQL migration name ${name} does not start with its number`);
  return `cql-store-${number}.json`;
}

/** The committed fixtures, oldest first. */
export function listCqlFixtures(): { file: string; fixture: CqlStoreFixture }[] {
  return readdirSync(CQL_FIXTURE_DIR)
    .filter((name) => /^cql-store-\d+\.json$/.test(name))
    .sort()
    .map((file) => ({
      file,
      fixture: JSON.parse(readFileSync(join(CQL_FIXTURE_DIR, file), "utf8")) as CqlStoreFixture,
    }));
}

/** Writes what `keyspace` holds, with the DDL of `migrations` (the ones that created it), as a fixture. */
export async function dumpCqlFixture(
  client: cassandra.Client,
  keyspace: string,
  migrations: readonly CqlMigration[],
): Promise<CqlStoreFixture> {
  const ks = quoteIdent(keyspace);
  const tables = (
    await client.execute("SELECT table_name FROM system_schema.tables WHERE keyspace_name = ?", [keyspace])
  ).rows
    .map((row) => String(row.get("table_name")))
    .filter((table) => !NOT_DUMPED.has(table))
    .sort();
  const rows: CqlStoreFixture["rows"] = {};
  for (const table of tables) {
    const result = await client.execute(`SELECT JSON * FROM ${ks}.${quoteIdent(table)}`);
    rows[table] = result.rows.map((row) => JSON.parse(String(row.get("[json]"))) as Record<string, unknown>);
  }
  return {
    migrations: migrations.map((m) => ({ name: m.name, checksum: migrationChecksum(m) })),
    schema: [MIGRATIONS_TABLE_DDL, ...migrations.flatMap((m) => m.statements)],
    rows,
  };
}

/** Recreates a fixture in `keyspace`, which must not exist yet. */
export async function replayCqlFixture(
  client: cassandra.Client,
  keyspace: string,
  fixture: CqlStoreFixture,
): Promise<void> {
  const ks = quoteIdent(keyspace);
  const ddl = { prepare: false, readTimeout: 60_000 };
  await client.execute(`CREATE KEYSPACE ${ks} WITH replication = ${replicationFor(client, 1)}`, [], ddl);
  for (const statement of fixture.schema) await client.execute(statement.replaceAll("{ks}", ks), [], ddl);
  for (const [table, rows] of Object.entries(fixture.rows)) {
    for (const row of rows) {
      await client.execute(`INSERT INTO ${ks}.${quoteIdent(table)} JSON ?`, [JSON.stringify(row)], { prepare: true });
    }
  }
}

if (import.meta.main) {
  const env = process.env;
  const hosts = (env.SM_EXT_CASSANDRA_CONTACT_POINTS ?? "").split(",").filter(Boolean);
  if (hosts.length === 0) throw new Error("set SM_EXT_CASSANDRA_CONTACT_POINTS (and _USER, _PASSWORD) to a database");
  const keyspace = `upgrade_fixture_${randomBytes(4).toString("hex")}`;
  const store = await openCqlStore({
    hosts,
    keyspace,
    localDc: env.SM_EXT_CASSANDRA_LOCAL_DC ?? "",
    user: env.SM_EXT_CASSANDRA_USER ?? "",
    password: env.SM_EXT_CASSANDRA_PASSWORD ?? "",
    timeoutMs: 10_000,
    migrateTimeoutMs: 60_000,
    secretKey: new Uint8Array(Buffer.from(FIXTURE_KEY_HEX, "hex")),
  });
  try {
    const c = FIXTURE_CONTENT;
    await store.putCluster(c.cluster);
    await store.putSecret(c.cluster.id, c.secret.key, new TextEncoder().encode(c.secret.value));
    await store.putTask(c.task);
    await store.putRun(c.run);
    await store.putDrawer(c.cluster.id, c.drawer.key, c.drawer.value);
    await store.putProgress(c.progress.kind, c.cluster.id, c.task.id, c.run.id, c.progress.rows);
    await store.putServiceRun(CQL_FIXTURE_SERVICE_RUN.kind, CQL_FIXTURE_SERVICE_RUN.run);
    const fixture = await dumpCqlFixture(store.client, keyspace, CQL_MIGRATIONS);
    // The bookkeeping times say when this file was written, not what the upgrade needs: keep the diff to real changes.
    for (const row of fixture.rows[MIGRATIONS_TABLE] ?? []) {
      row.start_time = "2026-01-01 00:00:00.000Z";
      row.end_time = "2026-01-01 00:00:01.000Z";
    }
    const last = CQL_MIGRATIONS.at(-1)?.name ?? "";
    const file = join(CQL_FIXTURE_DIR, cqlFixtureFileName(last));
    writeFileSync(file, `${JSON.stringify(fixture, null, 2)}\n`);
    console.log(`wrote ${file}`);
  } finally {
    await store.client.execute(`DROP KEYSPACE IF EXISTS ${quoteIdent(keyspace)}`).catch(() => undefined);
    await store.close();
  }
}
