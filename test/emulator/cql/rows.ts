/**
 * Rows written through CQL into user tables, shared by every node of a cluster. The emulator models table
 * sizes for SSTables and repair; these rows only make INSERT followed by SELECT consistent for tests.
 */

import { newTimeUuid } from "../../../src/util/uuid.ts";
import { type CqlType, decodeValue, parseType } from "./codec/types.ts";
import { CqlError, ErrorCode } from "./errors.ts";
import type { BoundValue } from "./messages.ts";
import type { SchemaView } from "./node-view.ts";
import type { Relation, Statement, Term } from "./parser/ast.ts";

/** Rows per `keyspace.table`, keyed by primary key. */
export class RowStore {
  private readonly tables = new Map<string, Map<string, Record<string, unknown>>>();

  constructor(schema: Pick<SchemaView, "onChange">) {
    schema.onChange((change) => {
      if (change.change !== "DROPPED") return;
      if (change.kind === "keyspace") {
        for (const k of this.tables.keys()) if (k.startsWith(`${change.keyspace}.`)) this.tables.delete(k);
      } else if (change.kind === "table") this.tables.delete(`${change.keyspace}.${change.name}`);
    });
  }

  rows(keyspace: string, table: string): Array<Record<string, unknown>> {
    return [...(this.tables.get(`${keyspace}.${table}`)?.values() ?? [])];
  }

  /** Upserts; returns false (and writes nothing) when `ifNotExists` and the row exists. */
  upsert(keyspace: string, table: string, key: string, row: Record<string, unknown>, ifNotExists: boolean): boolean {
    const name = `${keyspace}.${table}`;
    let t = this.tables.get(name);
    if (!t) {
      t = new Map();
      this.tables.set(name, t);
    }
    const existing = t.get(key);
    if (existing && ifNotExists) return false;
    t.set(key, { ...existing, ...row });
    return true;
  }

  /** Deletes matching rows, or only the given columns of them. */
  remove(keyspace: string, table: string, match: (row: Record<string, unknown>) => boolean, columns: string[]): void {
    const t = this.tables.get(`${keyspace}.${table}`);
    if (!t) return;
    for (const [key, row] of t) {
      if (!match(row)) continue;
      if (columns.length === 0) t.delete(key);
      else for (const c of columns) row[c] = null;
    }
  }

  truncate(keyspace: string, table: string): void {
    this.tables.delete(`${keyspace}.${table}`);
  }
}

type TableDef = ReturnType<SchemaView["tables"]>[number];

/** The user table a write targets, refusing system keyspaces and views like Scylla. */
function writableTable(schema: SchemaView, keyspace: string, name: string): TableDef {
  const def = schema.tables().find((t) => t.keyspace === keyspace && t.name === name);
  if (!def) throw new CqlError(ErrorCode.Invalid, `unconfigured table ${name}`);
  if (schema.keyspaces().find((k) => k.name === keyspace)?.system) {
    throw new CqlError(ErrorCode.Unauthorized, `${keyspace} keyspace is not user-modifiable.`);
  }
  if (def.view) throw new CqlError(ErrorCode.Invalid, "Cannot directly modify a materialized view");
  return def;
}

function columnType(schema: SchemaView, def: TableDef, name: string): CqlType {
  const col = def.columns.find((c) => c.name === name);
  if (!col) throw new CqlError(ErrorCode.Invalid, `Unknown identifier ${name}`);
  return parseType(col.type, def.keyspace, (k, n) => {
    const t = schema.types().find((u) => u.keyspace === k && u.name === n);
    return t?.fieldNames.map((f, i) => ({ name: f, type: t.fieldTypes[i] ?? "" }));
  });
}

function keyColumns(def: TableDef, kind: "partition_key" | "clustering") {
  return def.columns.filter((c) => c.kind === kind).sort((a, b) => a.position - b.position);
}

function keyPart(v: unknown): string {
  return Buffer.isBuffer(v) ? v.toString("hex") : String(v).toLowerCase();
}

/** The storage key of a row with every primary key column set; throws naming the first missing part. */
function rowKey(def: TableDef, row: Record<string, unknown>): string {
  const cols = [...keyColumns(def, "partition_key"), ...keyColumns(def, "clustering")];
  const missing = cols.find((c) => row[c.name] === undefined || row[c.name] === null);
  if (missing) throw new CqlError(ErrorCode.Invalid, `Missing mandatory PRIMARY KEY part ${missing.name}`);
  return JSON.stringify(cols.map((c) => keyPart(row[c.name])));
}

/** Evaluates an INSERT into a row and its key, checking columns and key parts like Scylla. */
export function buildInsertRow(
  stmt: Extract<Statement, { type: "insert" }>,
  keyspace: string,
  schema: SchemaView,
  values: BoundValue[],
): { key: string; row: Record<string, unknown> } {
  const def = writableTable(schema, keyspace, stmt.table.name);
  const row: Record<string, unknown> = {};
  stmt.columns.forEach((name, i) => {
    row[name] = evaluate(stmt.values[i]!, columnType(schema, def, name), values);
  });
  return { key: rowKey(def, row), row };
}

/** Primary key equalities of an UPDATE/DELETE WHERE clause, as column → value. */
function keyEqualities(
  where: Relation[],
  def: TableDef,
  schema: SchemaView,
  values: BoundValue[],
): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const rel of where) {
    const col = def.columns.find((c) => c.name === rel.column);
    if (!col) throw new CqlError(ErrorCode.Invalid, `Unknown identifier ${rel.column}`);
    if (col.kind !== "partition_key" && col.kind !== "clustering") {
      throw new CqlError(ErrorCode.Invalid, `Non PRIMARY KEY columns found in where clause: ${rel.column}`);
    }
    if (rel.op !== "=")
      throw new CqlError(ErrorCode.Invalid, `Only EQ relations are supported on ${rel.column} by this emulated node`);
    out[rel.column] = evaluate(rel.value, columnType(schema, def, rel.column), values);
  }
  return out;
}

/** Applies an UPDATE (an upsert of the full primary key, as in Scylla). */
export function applyUpdate(
  stmt: Extract<Statement, { type: "update" }>,
  keyspace: string,
  schema: SchemaView,
  values: BoundValue[],
  store: RowStore,
): void {
  const def = writableTable(schema, keyspace, stmt.table.name);
  const row = keyEqualities(stmt.where, def, schema, values);
  for (const a of stmt.assignments) {
    const col = def.columns.find((c) => c.name === a.column);
    if (col && (col.kind === "partition_key" || col.kind === "clustering")) {
      throw new CqlError(ErrorCode.Invalid, `PRIMARY KEY part ${a.column} found in SET part`);
    }
    row[a.column] = evaluate(a.value, columnType(schema, def, a.column), values);
  }
  store.upsert(keyspace, def.name, rowKey(def, row), row, false);
}

/** Applies a DELETE of whole rows (full partition key, optional clustering prefix) or of some columns. */
export function applyDelete(
  stmt: Extract<Statement, { type: "delete" }>,
  keyspace: string,
  schema: SchemaView,
  values: BoundValue[],
  store: RowStore,
): void {
  const def = writableTable(schema, keyspace, stmt.table.name);
  const eq = keyEqualities(stmt.where, def, schema, values);
  const pk = keyColumns(def, "partition_key").find((c) => !(c.name in eq));
  if (pk) throw new CqlError(ErrorCode.Invalid, `Missing mandatory PRIMARY KEY part ${pk.name}`);
  for (const name of stmt.columns) columnType(schema, def, name);
  store.remove(
    keyspace,
    def.name,
    (row) => Object.entries(eq).every(([k, v]) => keyPart(row[k]) === keyPart(v)),
    stmt.columns,
  );
}

function evaluate(term: Term, t: CqlType, values: BoundValue[]): unknown {
  switch (term.kind) {
    case "bind": {
      const v = values[term.index];
      if (v === undefined) throw new CqlError(ErrorCode.Invalid, `Missing value for bind marker ${term.index}`);
      return v === "unset" ? undefined : decodeValue(t, v);
    }
    case "literal":
      if (term.type === "null") return null;
      if (term.type === "number") return Number(term.value);
      if (term.type === "boolean") return term.value === "true";
      if (term.type === "blob") return Buffer.from(term.value, "hex");
      return term.value;
    case "call":
      if (term.fn === "uuid" && term.args.length === 0) return crypto.randomUUID();
      if ((term.fn === "now" || term.fn === "currenttimeuuid") && term.args.length === 0) return newTimeUuid();
      throw new CqlError(ErrorCode.Invalid, `Unknown function ${term.fn}`);
    case "list":
    case "set":
      return term.items.map((i) => evaluate(i, t.kind === "list" || t.kind === "set" ? t.element : t, values));
    case "map":
      return Object.fromEntries(
        term.entries.map(([k, v]) => [
          String(evaluate(k, t.kind === "map" ? t.key : t, values)),
          evaluate(v, t.kind === "map" ? t.value : t, values),
        ]),
      );
    default:
      throw new CqlError(ErrorCode.Invalid, "Unsupported value in INSERT");
  }
}
