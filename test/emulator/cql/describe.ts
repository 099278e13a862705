/**
 * DESCRIBE statements: the CREATE statements Scylla prints, one row per schema element
 * `(keyspace_name, type, name, create_statement)`.
 */

import { defaultTableOptions } from "../schema/defaults.ts";
import type { IndexDef, KeyspaceDef, TableDef, UserTypeDef } from "../schema/types.ts";
import type { SchemaView } from "./node-view.ts";
import { Cursor } from "./parser/cursor.ts";
import { tokenize } from "./parser/tokenizer.ts";

export interface DescribeRow {
  keyspace_name: string;
  type: "keyspace" | "type" | "table" | "index" | "view";
  name: string;
  create_statement: string;
}

const RESERVED = new Set([
  "select",
  "from",
  "where",
  "table",
  "keyspace",
  "key",
  "order",
  "by",
  "primary",
  "index",
  "view",
  "type",
  "user",
  "token",
]);

/** Quotes an identifier when CQL needs it. */
export function quoteIdent(name: string): string {
  return /^[a-z][a-z0-9_]*$/.test(name) && !RESERVED.has(name) ? name : `"${name.replace(/"/g, '""')}"`;
}

function literal(v: unknown): string {
  if (typeof v === "number" || typeof v === "boolean") return String(v);
  if (v && typeof v === "object") {
    return `{${Object.entries(v as Record<string, unknown>)
      .map(([k, val]) => `${literal(String(k))}: ${literal(String(val))}`)
      .join(", ")}}`;
  }
  return `'${String(v).replace(/'/g, "''")}'`;
}

function replicationClassFirst(r: KeyspaceDef["replication"]): Record<string, string> {
  const { class: cls, ...factors } = r;
  return { class: cls, ...factors };
}

/** `CREATE KEYSPACE ...` as Scylla prints it. */
export function describeKeyspace(k: KeyspaceDef, tabletsEnabled = false): string {
  let s = `CREATE KEYSPACE ${quoteIdent(k.name)} WITH replication = ${literal(replicationClassFirst(k.replication))} AND durable_writes = ${k.durableWrites}`;
  if (k.tablets) s += ` AND tablets = {'enabled': true${k.initialTablets ? `, 'initial': ${k.initialTablets}` : ""}}`;
  // On a tablets-enabled cluster a vnode keyspace must say so, or replaying the statement would create tablets.
  else if (tabletsEnabled && k.replication.class.endsWith("NetworkTopologyStrategy"))
    s += " AND tablets = {'enabled': false}";
  return `${s};`;
}

/** `CREATE TYPE ...`. */
export function describeType(t: UserTypeDef): string {
  const fields = t.fieldNames.map((n, i) => `    ${quoteIdent(n)} ${t.fieldTypes[i]}`).join(",\n");
  return `CREATE TYPE ${quoteIdent(t.keyspace)}.${quoteIdent(t.name)} (\n${fields}\n);`;
}

function primaryKey(t: TableDef): string {
  const byPos = (kind: string) =>
    t.columns
      .filter((c) => c.kind === kind)
      .sort((a, b) => a.position - b.position)
      .map((c) => quoteIdent(c.name));
  const pk = byPos("partition_key");
  const ck = byPos("clustering");
  const part = pk.length === 1 ? pk[0]! : `(${pk.join(", ")})`;
  return `PRIMARY KEY (${[part, ...ck].join(", ")})`;
}

function withClause(t: TableDef, internals = false): string {
  const parts: string[] = [];
  // WITH INTERNALS prints the table id, so a schema restored from it keeps the ids (and the SSTable dir names).
  if (internals) parts.push(`ID = ${t.id}`);
  const clustering = t.columns.filter((c) => c.kind === "clustering").sort((a, b) => a.position - b.position);
  if (clustering.length > 0) {
    parts.push(
      `CLUSTERING ORDER BY (${clustering.map((c) => `${quoteIdent(c.name)} ${c.clusteringOrder === "desc" ? "DESC" : "ASC"}`).join(", ")})`,
    );
  }
  const options = { ...defaultTableOptions(), ...t.options };
  for (const key of Object.keys(options).sort()) {
    if (key === "id" || options[key] === undefined) continue;
    parts.push(`${key} = ${literal(options[key])}`);
  }
  for (const [key, value] of Object.entries(t.extensions).sort()) parts.push(`${key} = ${renderExtension(value)}`);
  return parts.join("\n    AND ");
}

/** Extensions are stored as map text (`{'mode':'timeout',...}`); Scylla prints them as spaced map literals. */
function renderExtension(value: string): string {
  try {
    const c = new Cursor(value, tokenize(value));
    const parsed = c.propertyValue();
    c.finish();
    return literal(parsed);
  } catch {
    return value;
  }
}

/** `CREATE TABLE ...` with columns, key and options. */
export function describeTable(t: TableDef, internals = false): string {
  const cols = t.columns.map((c) => `    ${quoteIdent(c.name)} ${c.type}${c.kind === "static" ? " STATIC" : ""}`);
  return `CREATE TABLE ${quoteIdent(t.keyspace)}.${quoteIdent(t.name)} (\n${[...cols, `    ${primaryKey(t)}`].join(",\n")}\n) WITH ${withClause(t, internals)};`;
}

/** `CREATE MATERIALIZED VIEW ...`. */
export function describeView(v: TableDef): string {
  const view = v.view!;
  const selected = view.includeAllColumns ? "*" : v.columns.map((c) => quoteIdent(c.name)).join(", ");
  return (
    `CREATE MATERIALIZED VIEW ${quoteIdent(v.keyspace)}.${quoteIdent(v.name)} AS\n` +
    `    SELECT ${selected}\n    FROM ${quoteIdent(v.keyspace)}.${quoteIdent(view.baseTable)}\n` +
    `    WHERE ${view.whereClause}\n    ${primaryKey(v)}\n    WITH ${withClause(v)};`
  );
}

/** `CREATE INDEX ...`; the target option holds `col` or `keys(col)`-style text. */
export function describeIndex(i: IndexDef): string {
  const target = i.options.target ?? "";
  const on = /^\w+\(/.test(target) ? target : quoteIdent(target);
  if (i.kind === "CUSTOM") {
    return `CREATE CUSTOM INDEX ${quoteIdent(i.name)} ON ${quoteIdent(i.keyspace)}.${quoteIdent(i.table)}(${on}) USING '${i.options.class_name ?? ""}';`;
  }
  return `CREATE INDEX ${quoteIdent(i.name)} ON ${quoteIdent(i.keyspace)}.${quoteIdent(i.table)}(${on});`;
}

/** Rows of one keyspace: keyspace, types, tables, indexes, views (the order restore replays them). */
export function describeKeyspaceRows(
  schema: SchemaView,
  k: KeyspaceDef,
  tabletsEnabled = false,
  internals = false,
): DescribeRow[] {
  const row = (type: DescribeRow["type"], name: string, create_statement: string): DescribeRow => ({
    keyspace_name: k.name,
    type,
    name,
    create_statement,
  });
  const tables = schema.tables().filter((t) => t.keyspace === k.name);
  const indexes = schema.indexes().filter((i) => i.keyspace === k.name);
  // Scylla backs each secondary index with a view named `<index>_index`; DESCRIBE never prints those views.
  const indexViews = new Set(indexes.map((i) => `${i.name}_index`));
  return [
    row("keyspace", k.name, describeKeyspace(k, tabletsEnabled)),
    ...schema
      .types()
      .filter((t) => t.keyspace === k.name)
      .map((t) => row("type", t.name, describeType(t))),
    ...tables.filter((t) => !t.view).map((t) => row("table", t.name, describeTable(t, internals))),
    ...indexes.map((i) => row("index", i.name, describeIndex(i))),
    ...tables.filter((t) => t.view && !indexViews.has(t.name)).map((t) => row("view", t.name, describeView(t))),
  ];
}

/**
 * DESCRIBE SCHEMA [WITH INTERNALS]: every non-system keyspace. Scylla's WITH INTERNALS adds the tables' ids
 * (`ID = <uuid>`), dropped-column history and auth/service-level rows (with an empty keyspace_name); the model keeps
 * only the ids, so that is the one difference here.
 */
export function describeSchema(schema: SchemaView, tabletsEnabled = false, internals = false): DescribeRow[] {
  return schema
    .keyspaces()
    .filter((k) => !k.system)
    .flatMap((k) => describeKeyspaceRows(schema, k, tabletsEnabled, internals));
}
