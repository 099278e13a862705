/**
 * Keyspace creation and versioned migrations of the CQL store, safe when several servers start at once:
 *
 * - Every DDL statement goes to one coordinator (the lowest-addressed live host, the same for every server), so two
 *   servers creating the same table meet on one node instead of creating two tables with different ids.
 * - Each migration is claimed with a lightweight transaction (`INSERT ... IF NOT EXISTS` into `gocqlx_migrate`);
 *   the winner applies it and marks it done; the others wait for `done`. A claim older than the migrate timeout is
 *   taken over (every statement is idempotent: IF NOT EXISTS).
 * - A keyspace holding a migration this build does not know (written by a newer version, or SM's own keyspace) is
 *   refused before anything is changed.
 * @module
 */
import cassandra from "cassandra-driver";
import { StoreError } from "../../errors.ts";
import { type CqlConnectOptions, describeTarget } from "./connect.ts";
import {
  CQL_MIGRATIONS,
  type CqlMigration,
  MIGRATIONS_TABLE,
  MIGRATIONS_TABLE_DDL,
  migrationChecksum,
  quoteIdent,
} from "./schema.ts";

type Client = cassandra.Client;

export interface MigrateOptions extends CqlConnectOptions {
  /** The migrations to apply (tests pass others). Default CQL_MIGRATIONS. */
  migrations?: readonly CqlMigration[];
  /** Who claims a migration (for the bookkeeping row). */
  owner?: string;
}

/** The host every server sends DDL to: the live host with the lowest address. */
function ddlHost(client: Client): cassandra.Host | undefined {
  const hosts = client.hosts.values().filter((h) => h.isUp());
  hosts.sort((a, b) => (a.address < b.address ? -1 : a.address > b.address ? 1 : 0));
  return hosts[0];
}

/** `ALTER TABLE <ks>.<table> ADD <column> ...`: CQL has no IF NOT EXISTS for it in every database we support. */
const ADD_COLUMN = /^\s*ALTER\s+TABLE\s+\S+\.(\w+)\s+ADD\s+(\w+)\s/i;

async function ddl(client: Client, o: MigrateOptions, query: string): Promise<void> {
  const host = ddlHost(client);
  const add = ADD_COLUMN.exec(query);
  if (add) {
    // Asked of the coordinator that runs the DDL, which has every schema change made through it.
    const existing = await client.execute(
      "SELECT column_name FROM system_schema.columns WHERE keyspace_name = ? AND table_name = ? AND column_name = ?",
      [o.keyspace, add[1], add[2]],
      { prepare: true, ...(host ? { host } : {}) },
    );
    if (existing.rowLength > 0) return;
  }
  await client.execute(query, [], {
    prepare: false,
    readTimeout: Math.max(o.migrateTimeoutMs ?? 30_000, o.timeoutMs ?? 1000),
    ...(host ? { host } : {}),
  });
}

/** NetworkTopologyStrategy with `replicationFactor` per DC, capped at the DC's node count. */
export function replicationFor(client: Client, replicationFactor: number): string {
  const perDc = new Map<string, number>();
  for (const host of client.hosts.values()) perDc.set(host.datacenter, (perDc.get(host.datacenter) ?? 0) + 1);
  const entries = [...perDc.entries()]
    .sort(([a], [b]) => (a < b ? -1 : 1))
    .map(([dc, nodes]) => `'${dc.replaceAll("'", "''")}': ${Math.max(1, Math.min(replicationFactor, nodes))}`);
  return `{'class': 'NetworkTopologyStrategy', ${entries.join(", ")}}`;
}

/** Creates the keyspace (if missing) and applies pending migrations. Returns the names applied by this call. */
export async function migrateCqlStore(client: Client, o: MigrateOptions): Promise<string[]> {
  const ks = quoteIdent(o.keyspace);
  const migrations = o.migrations ?? CQL_MIGRATIONS;
  const timeoutMs = o.migrateTimeoutMs ?? 30_000;
  if (!client.metadata.keyspaces[o.keyspace]) {
    await ddl(
      client,
      o,
      `CREATE KEYSPACE IF NOT EXISTS ${ks} WITH replication = ${replicationFor(client, o.replicationFactor ?? 1)}`,
    );
  }
  await ddl(client, o, MIGRATIONS_TABLE_DDL.replaceAll("{ks}", ks));

  const known = new Map(migrations.map((m) => [m.name, m]));
  const readRows = async () =>
    (
      await client.execute(`SELECT name, checksum, done, start_time FROM ${ks}.${MIGRATIONS_TABLE}`, [], {
        consistency: cassandra.types.consistencies.serial,
      })
    ).rows;
  const rows = await readRows();
  const unknown = rows.map((r) => String(r.get("name"))).filter((name) => !known.has(name));
  if (unknown.length > 0) {
    // SM's own keyspace has its per-service tables (we keep those kinds in service_run).
    const sm =
      (
        await client.execute(
          "SELECT table_name FROM system_schema.tables WHERE keyspace_name = ? AND table_name = 'repair_run'",
          [o.keyspace],
        )
      ).rowLength > 0;
    throw new StoreError(
      `open store ${describeTarget(o)}: the keyspace has migration ${unknown.sort().join(", ")} that this version of scylla-manager does not know (written by a newer version${sm ? ", or it is Scylla Manager's own keyspace" : ""})`,
      {
        hint: sm
          ? "give this server its own keyspace (database.keyspace) and bring SM's data over with `scylla-manager import-sm`; nothing was changed"
          : "run the newer scylla-manager that wrote it, or set database.keyspace to another keyspace; nothing was changed",
      },
    );
  }
  for (const row of rows) {
    const m = known.get(String(row.get("name")));
    if (m && Number(row.get("done")) === 1 && row.get("checksum") !== migrationChecksum(m)) {
      throw new StoreError(
        `open store ${describeTarget(o)}: migration ${m.name} was applied with a different checksum than this build's`,
        { hint: "the keyspace was written by another build of scylla-manager; nothing was changed" },
      );
    }
  }

  const applied: string[] = [];
  for (const m of migrations) {
    const deadline = Date.now() + 2 * timeoutMs;
    for (;;) {
      const row = (
        await client.execute(`SELECT done, start_time FROM ${ks}.${MIGRATIONS_TABLE} WHERE name = ?`, [m.name], {
          consistency: cassandra.types.consistencies.serial,
        })
      ).first();
      if (row && Number(row.get("done")) === 1) break;
      let mine = false;
      const now = new Date();
      if (!row) {
        const claim = await client.execute(
          `INSERT INTO ${ks}.${MIGRATIONS_TABLE} (name, checksum, done, start_time) VALUES (?, ?, 0, ?) IF NOT EXISTS`,
          [m.name, migrationChecksum(m), now],
        );
        mine = claim.wasApplied();
      } else {
        // Someone else's claim: take it over only when it is older than the migrate timeout (that server died).
        const started = row.get("start_time") as Date | null;
        if (started && now.getTime() - started.getTime() > timeoutMs) {
          const takeover = await client.execute(
            `UPDATE ${ks}.${MIGRATIONS_TABLE} SET start_time = ? WHERE name = ? IF start_time = ?`,
            [now, m.name, started],
          );
          mine = takeover.wasApplied();
        }
      }
      if (mine) {
        for (const statement of m.statements) await ddl(client, o, statement.replaceAll("{ks}", ks));
        await client.execute(`UPDATE ${ks}.${MIGRATIONS_TABLE} SET done = 1, end_time = ? WHERE name = ? IF EXISTS`, [
          new Date(),
          m.name,
        ]);
        applied.push(m.name);
        break;
      }
      if (Date.now() > deadline) {
        throw new StoreError(
          `open store ${describeTarget(o)}: migration ${m.name} is being applied by another server and did not finish within ${timeoutMs} ms`,
          { hint: "start again; a claim older than database.migrate_timeout is taken over" },
        );
      }
      await new Promise((r) => setTimeout(r, 200));
    }
  }
  return applied;
}
