/**
 * The CQL half of restore schema (SM's `pkg/service/restore/schema_worker.go` behaviour), pure: which rows of a
 * `DESCRIBE SCHEMA WITH INTERNALS` dump are applied and how each row's text splits into statements.
 * @module
 */

/** One row of the backed-up schema file (`..._schema_with_internals.json.gz`). */
export interface DescribedSchemaRow {
  keyspace: string;
  type: string;
  name: string;
  cql_stmt: string;
}

/** Splits a row's CQL on `;` into single statements (a table with dropped columns needs several). */
export function splitCqlStatements(cql: string): string[] {
  return cql
    .split(";")
    .map((s) => s.trim())
    .filter((s) => s !== "");
}

/**
 * Why a row is not applied, or undefined when it is: roles and service levels (no keyspace), the
 * `system_replicated_keys` keyspace, LWT state tables (`*$paxos`), the `audit` keyspace and rows of alternator
 * tables (restored through Alternator itself; `alternatorKeyspaces` are `alternator_<table>` of the alternator schema).
 */
export function skipReason(row: DescribedSchemaRow, alternatorKeyspaces: ReadonlySet<string>): string | undefined {
  if (row.keyspace === "") return "not in a keyspace (roles, service levels)";
  if (row.keyspace === "system_replicated_keys") return "system_replicated_keys";
  const name = row.name.replace(/^"/, "").replace(/"$/, "");
  if (row.type === "table" && name.endsWith("$paxos")) return "LWT state table";
  if (row.keyspace === "audit") return "audit keyspace";
  if (alternatorKeyspaces.has(row.keyspace)) return "alternator table";
  return undefined;
}

/** A row to apply and its statements, in schema-file order. */
export interface SchemaStep {
  row: DescribedSchemaRow;
  statements: string[];
}

/** The rows of a schema dump that restore schema applies, each split into statements. */
export function planSchemaSteps(
  rows: readonly DescribedSchemaRow[],
  alternatorKeyspaces: ReadonlySet<string> = new Set(),
): SchemaStep[] {
  return rows
    .filter((row) => skipReason(row, alternatorKeyspaces) === undefined)
    .map((row) => ({ row, statements: splitCqlStatements(row.cql_stmt) }))
    .filter((step) => step.statements.length > 0);
}

/** `DROP KEYSPACE IF EXISTS "ks"`: the rollback of a keyspace restore schema created. */
export function dropKeyspaceStatement(keyspace: string): string {
  return `DROP KEYSPACE IF EXISTS "${keyspace.replaceAll('"', '""')}"`;
}
