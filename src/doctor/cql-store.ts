/**
 * Doctor's look at a CQL store: is the database reachable with the configured hosts, credentials and TLS, does the
 * keyspace exist, and which of this build's migrations has it applied. Reads only: the migrations table is read at
 * the configured consistency, never claimed, and nothing is created.
 * @module
 */
import type { ServerConfig } from "../config/server.ts";
import { errorMessage, isManagerError } from "../errors.ts";
import { createCqlClient, describeTarget, toCqlStoreError } from "../store/cql/connect.ts";
import { CQL_MIGRATIONS, MIGRATIONS_TABLE, migrationChecksum, quoteIdent } from "../store/cql/schema.ts";
import { cqlOptionsFromConfig } from "../store/open.ts";
import { type CqlMigrationRow, type Finding, judgeCqlMigrations } from "./findings.ts";

const CREATED_AT_START = "the server creates it and applies the migrations at its first start";

/** The findings "store" (reachable) and, when it is, "store schema" (migrated). */
export async function checkCqlStore(config: Pick<ServerConfig, "database" | "ssl">): Promise<Finding[]> {
  let options: ReturnType<typeof cqlOptionsFromConfig>;
  try {
    options = cqlOptionsFromConfig(config);
  } catch (error) {
    return [fromError("store", error, "set the database section of the config")];
  }
  const target = describeTarget(options);
  let client: ReturnType<typeof createCqlClient> | undefined;
  try {
    client = createCqlClient(options);
    await client.connect();
  } catch (error) {
    await client?.shutdown().catch(() => undefined);
    return [fromError("store", toCqlStoreError("connect to store", options, error))];
  }
  try {
    const findings: Finding[] = [{ check: "store", verdict: "ok", detail: `${target} answers` }];
    const tables = await client.execute(
      "SELECT table_name FROM system_schema.tables WHERE keyspace_name = ?",
      [options.keyspace],
      { prepare: true },
    );
    if (tables.rowLength === 0) {
      findings.push({
        check: "store schema",
        verdict: "warn",
        detail: `${target}: the keyspace does not exist yet`,
        fix: CREATED_AT_START,
      });
      return findings;
    }
    if (!tables.rows.some((row) => row.get("table_name") === MIGRATIONS_TABLE)) {
      findings.push({
        check: "store schema",
        verdict: "warn",
        detail: `${target}: the keyspace has no ${MIGRATIONS_TABLE} table (not written by scylla-manager, or never started on)`,
        fix: CREATED_AT_START,
      });
      return findings;
    }
    const result = await client.execute(
      `SELECT name, checksum, done FROM ${quoteIdent(options.keyspace)}.${MIGRATIONS_TABLE}`,
    );
    const rows: CqlMigrationRow[] = result.rows.map((row) => ({
      name: String(row.get("name")),
      checksum: String(row.get("checksum") ?? ""),
      done: Number(row.get("done")) === 1,
    }));
    const known = CQL_MIGRATIONS.map((m) => ({ name: m.name, checksum: migrationChecksum(m) }));
    findings.push(judgeCqlMigrations(target, rows, known));
    return findings;
  } catch (error) {
    return [
      { check: "store", verdict: "ok", detail: `${target} answers` },
      fromError("store schema", toCqlStoreError("read store schema", options, error)),
    ];
  } finally {
    await client.shutdown().catch(() => undefined);
  }
}

function fromError(check: string, error: unknown, fallbackFix?: string): Finding {
  const hint = isManagerError(error) ? error.hint : undefined;
  const fix = hint ?? fallbackFix;
  return { check, verdict: "fail", detail: errorMessage(error), ...(fix ? { fix } : {}) };
}
