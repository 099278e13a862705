/**
 * Rows written through CQL into user tables, shared by every node of a cluster. The emulator models table
 * sizes for SSTables and repair; these rows only make INSERT followed by SELECT consistent for tests.
 */

import { newTimeUuid } from "../../../src/util/uuid.ts";
import { type CqlType, decodeValue, parseType } from "./codec/types.ts";
import { CqlError, ErrorCode } from "./errors.ts";
import type { BoundValue } from "./messages.ts";
import type { SchemaView } from "./node-view.ts";
import type { Statement, Term } from "./parser/ast.ts";

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

  truncate(keyspace: string, table: string): void {
    this.tables.delete(`${keyspace}.${table}`);
  }
}

/** Evaluates an INSERT into a row and its key, checking columns and key parts like Scylla. */
export function buildInsertRow(
  stmt: Extract<Statement, { type: "insert" }>,
  keyspace: string,
  schema: SchemaView,
  values: BoundValue[],
): { key: string; row: Record<string, unknown> } {
  const def = schema.tables().find((t) => t.keyspace === keyspace && t.name === stmt.table.name);
  if (!def) throw new CqlError(ErrorCode.Invalid, `unconfigured table ${stmt.table.name}`);
  if (schema.keyspaces().find((k) => k.name === keyspace)?.system) {
    throw new CqlError(ErrorCode.Unauthorized, `${keyspace} keyspace is not user-modifiable.`);
  }
  if (def.view) throw new CqlError(ErrorCode.Invalid, "Cannot directly modify a materialized view");
  const resolveUdt = (k: string, n: string) => {
    const t = schema.types().find((u) => u.keyspace === k && u.name === n);
    return t?.fieldNames.map((f, i) => ({ name: f, type: t.fieldTypes[i] ?? "" }));
  };
  const row: Record<string, unknown> = {};
  stmt.columns.forEach((name, i) => {
    const col = def.columns.find((c) => c.name === name);
    if (!col) throw new CqlError(ErrorCode.Invalid, `Unknown identifier ${name}`);
    row[name] = evaluate(stmt.values[i]!, parseType(col.type, keyspace, resolveUdt), values);
  });
  const keyCols = (kind: string) => def.columns.filter((c) => c.kind === kind).sort((a, b) => a.position - b.position);
  const missing = (cols: typeof def.columns) =>
    cols.filter((c) => row[c.name] === undefined || row[c.name] === null).map((c) => c.name);
  const pk = missing(keyCols("partition_key"));
  if (pk.length > 0) throw new CqlError(ErrorCode.Invalid, `Missing mandatory PRIMARY KEY part ${pk[0]}`);
  const ck = missing(keyCols("clustering"));
  if (ck.length > 0) throw new CqlError(ErrorCode.Invalid, `Missing mandatory PRIMARY KEY part ${ck[0]}`);
  const key = JSON.stringify(
    [...keyCols("partition_key"), ...keyCols("clustering")].map((c) => {
      const v = row[c.name];
      return Buffer.isBuffer(v) ? v.toString("hex") : String(v).toLowerCase();
    }),
  );
  return { key, row };
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
