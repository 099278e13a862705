/** Turns a parsed statement into a RESULT body (and, for DDL, the schema change it made). */

import { createHash } from "node:crypto";
import { encodeValue, parseType } from "./codec/types.ts";
import { executeDdl } from "./ddl.ts";
import { type DescribeRow, describeKeyspaceRows, describeSchema } from "./describe.ts";
import { CqlError, ErrorCode } from "./errors.ts";
import {
  type BoundValue,
  type ColumnSpec,
  encodePrepared,
  encodeRowsResult,
  encodeSchemaChangeResult,
  encodeSetKeyspace,
  encodeVoidResult,
  type SchemaChangeEvent,
} from "./messages.ts";
import type { CqlNodeView } from "./node-view.ts";
import type { Statement, Term } from "./parser/ast.ts";
import { parseStatement } from "./parser/parse.ts";
import { applyDelete, applyUpdate, buildInsertRow } from "./rows.ts";
import { planSelect, type SelectPlan } from "./select.ts";
import type { VirtualTable } from "./tables/table.ts";

export interface ExecContext {
  node: CqlNodeView;
  tables: (keyspace: string, name: string) => VirtualTable;
  keyspace?: string;
  version: number;
}

export interface PageOptions {
  pageSize?: number;
  pagingState?: Buffer;
  skipMetadata?: boolean;
}

export interface ExecResult {
  body: Buffer;
  schemaChange?: SchemaChangeEvent;
  /** Set by USE. */
  keyspace?: string;
}

/** A statement ready to run: what PREPARE caches and QUERY runs once. */
export interface Prepared {
  id: Buffer;
  query: string;
  statement: Statement;
  bindColumns: ColumnSpec[];
  pkIndexes: number[];
  resultColumns: ColumnSpec[];
  select?: SelectPlan;
}

const text = { kind: "native", name: "text" } as const;

/** Parses and plans a statement (validation errors surface here, like Scylla's prepare step). */
export function prepareStatement(query: string, ctx: ExecContext): Prepared {
  const { statement, bindCount } = parseStatement(query);
  const id = createHash("md5")
    .update(`${ctx.keyspace ?? ""}\0${query}`)
    .digest();
  const base: Prepared = { id, query, statement, bindColumns: [], pkIndexes: [], resultColumns: [] };
  if (statement.type === "select") {
    const ks = statement.table.keyspace ?? ctx.keyspace;
    if (!ks) throw noKeyspace();
    const plan = planSelect(statement, ctx.tables(ks, statement.table.name));
    return {
      ...base,
      select: plan,
      bindColumns: plan.bindColumns,
      pkIndexes: plan.pkIndexes,
      resultColumns: plan.columns,
    };
  }
  if (statement.type === "describe") return { ...base, resultColumns: describeColumns(statement.what) };
  if (statement.type === "insert" || statement.type === "update" || statement.type === "delete") {
    const ks = statement.table.keyspace ?? ctx.keyspace;
    if (!ks) throw noKeyspace();
    const table = ctx.tables(ks, statement.table.name);
    const pairs: Array<[Term | undefined, string]> =
      statement.type === "insert"
        ? statement.columns.map((name, i) => [statement.values[i], name])
        : [
            ...(statement.type === "update"
              ? statement.assignments.map((a): [Term, string] => [a.value, a.column])
              : []),
            ...statement.where.map((r): [Term, string] => [r.value, r.column]),
          ];
    const bindColumns: ColumnSpec[] = [];
    const pkIndexes: number[] = [];
    for (const [term, name] of pairs) {
      const col = table.columns.find((c) => c.name === name);
      if (term?.kind !== "bind" || !col) continue;
      bindColumns[term.index] = {
        keyspace: ks,
        table: table.name,
        name: term.name ?? name,
        type: parseType(col.type, ks, udtResolver(ctx)),
      };
      if (table.partitionKey.includes(name)) pkIndexes.push(term.index);
    }
    if (bindColumns.length !== bindCount || bindColumns.includes(undefined as never)) {
      throw new CqlError(ErrorCode.Invalid, "Bind variables are only supported as column values and key restrictions");
    }
    return { ...base, bindColumns, pkIndexes };
  }
  if (bindCount > 0) throw new CqlError(ErrorCode.Invalid, "Bind variables are not supported in this statement");
  return base;
}

/** Runs a prepared statement with bound values. */
export function runPrepared(p: Prepared, values: BoundValue[], ctx: ExecContext, page: PageOptions): ExecResult {
  const stmt = p.statement;
  if (values.length !== p.bindColumns.length) {
    throw new CqlError(
      ErrorCode.Invalid,
      `There were ${p.bindColumns.length} markers(?) in CQL but ${values.length} bound variables`,
    );
  }
  switch (stmt.type) {
    case "select": {
      const res = p.select!.execute(values, page);
      return {
        body: encodeRowsResult(p.resultColumns, res.rows, {
          pagingState: res.pagingState,
          skipMetadata: page.skipMetadata,
        }),
      };
    }
    case "use": {
      if (!ctx.node.schema.keyspaces().some((k) => k.name === stmt.keyspace)) {
        throw new CqlError(ErrorCode.Invalid, `Keyspace '${stmt.keyspace}' does not exist`);
      }
      return { body: encodeSetKeyspace(stmt.keyspace), keyspace: stmt.keyspace };
    }
    case "describe":
      return { body: pageRows(p.resultColumns, describeRows(stmt, ctx), page) };
    case "insert": {
      const ks = stmt.table.keyspace ?? ctx.keyspace;
      if (!ks) throw noKeyspace();
      if (!ctx.node.rows) throw new CqlError(ErrorCode.Invalid, "INSERT is not supported by this emulated node");
      const { key, row } = buildInsertRow(stmt, ks, ctx.node.schema, values);
      const applied = ctx.node.rows.upsert(ks, stmt.table.name, key, row, stmt.ifNotExists);
      if (!stmt.ifNotExists) return { body: encodeVoidResult() };
      const col: ColumnSpec = {
        keyspace: ks,
        table: stmt.table.name,
        name: "[applied]",
        type: { kind: "native", name: "boolean" },
      };
      return { body: encodeRowsResult([col], [[encodeValue(col.type, applied)]]) };
    }
    case "update":
    case "delete": {
      const ks = stmt.table.keyspace ?? ctx.keyspace;
      if (!ks) throw noKeyspace();
      if (!ctx.node.rows)
        throw new CqlError(ErrorCode.Invalid, `${stmt.type.toUpperCase()} is not supported by this emulated node`);
      if (stmt.type === "update") applyUpdate(stmt, ks, ctx.node.schema, values, ctx.node.rows);
      else applyDelete(stmt, ks, ctx.node.schema, values, ctx.node.rows);
      return { body: encodeVoidResult() };
    }
    case "truncate": {
      const ks = stmt.table.keyspace ?? ctx.keyspace;
      if (!ks) throw noKeyspace();
      const t = ctx.tables(ks, stmt.table.name);
      if (ctx.node.schema.keyspaces().find((k) => k.name === ks)?.system) {
        throw new CqlError(ErrorCode.Unauthorized, `${ks} keyspace is not user-modifiable.`);
      }
      ctx.node.rows?.truncate(ks, t.name);
      return { body: encodeVoidResult() };
    }
    case "unsupported":
      throw new CqlError(
        ErrorCode.Invalid,
        `${stmt.verb} is not supported by the emulated node: it models schema and sizes, not rows`,
      );
    default: {
      const change = executeDdl(stmt, {
        schema: ctx.node.schema,
        keyspace: ctx.keyspace,
        tabletsByDefault: ctx.node.tabletsEnabled,
      });
      return change ? { body: encodeSchemaChangeResult(change), schemaChange: change } : { body: encodeVoidResult() };
    }
  }
}

/** Runs a BATCH of INSERTs: every row is built (and validated) before any is written. */
export function runBatch(items: Array<{ prepared: Prepared; values: BoundValue[] }>, ctx: ExecContext): Buffer {
  const writes = items.map(({ prepared, values }) => {
    const stmt = prepared.statement;
    if (stmt.type === "update" || stmt.type === "delete") {
      throw new CqlError(ErrorCode.Invalid, "Only INSERT statements are supported in a BATCH by this emulated node");
    }
    if (stmt.type !== "insert") {
      throw new CqlError(
        ErrorCode.Invalid,
        "Invalid statement in batch: only UPDATE, INSERT and DELETE statements are allowed.",
      );
    }
    if (stmt.ifNotExists)
      throw new CqlError(ErrorCode.Invalid, "Conditional batches are not supported by this emulated node");
    const ks = stmt.table.keyspace ?? ctx.keyspace;
    if (!ks) throw noKeyspace();
    return { ks, table: stmt.table.name, ...buildInsertRow(stmt, ks, ctx.node.schema, values) };
  });
  if (!ctx.node.rows) throw new CqlError(ErrorCode.Invalid, "BATCH is not supported by this emulated node");
  for (const w of writes) ctx.node.rows.upsert(w.ks, w.table, w.key, w.row, false);
  return encodeVoidResult();
}

/** The PREPARE answer for a statement. */
export function encodePreparedResult(p: Prepared, version: number): Buffer {
  return encodePrepared(p.id, p.bindColumns, p.pkIndexes, p.resultColumns, version);
}

function udtResolver(ctx: ExecContext) {
  return (k: string, n: string) => {
    const t = ctx.node.schema.types().find((u) => u.keyspace === k && u.name === n);
    return t?.fieldNames.map((f, i) => ({ name: f, type: t.fieldTypes[i] ?? "" }));
  };
}

function noKeyspace(): CqlError {
  return new CqlError(
    ErrorCode.Invalid,
    "No keyspace has been specified. USE a keyspace, or explicitly specify keyspace.tablename",
  );
}

function describeColumns(what: string): ColumnSpec[] {
  const names =
    what === "keyspaces" || what === "tables"
      ? ["keyspace_name", "type", "name"]
      : ["keyspace_name", "type", "name", "create_statement"];
  return names.map((name) => ({ keyspace: "", table: "", name, type: text }));
}

function describeRows(stmt: Extract<Statement, { type: "describe" }>, ctx: ExecContext): Array<Array<Buffer | null>> {
  const schema = ctx.node.schema;
  let rows: DescribeRow[];
  switch (stmt.what) {
    case "schema":
      rows = describeSchema(schema, ctx.node.tabletsEnabled, stmt.internals);
      break;
    case "keyspaces":
      rows = schema
        .keyspaces()
        .map((k) => ({ keyspace_name: k.name, type: "keyspace", name: k.name, create_statement: "" }));
      break;
    case "tables":
      rows = schema
        .tables()
        .filter((t) => !t.view)
        .map((t) => ({ keyspace_name: t.keyspace, type: "table", name: t.name, create_statement: "" }));
      break;
    case "keyspace": {
      const k = schema.keyspaces().find((x) => x.name === stmt.name?.name);
      if (!k) throw new CqlError(ErrorCode.Invalid, `'${stmt.name?.name}' not found in keyspaces`);
      rows = describeKeyspaceRows(schema, k, ctx.node.tabletsEnabled);
      break;
    }
    case "table": {
      const ks = stmt.name?.keyspace ?? ctx.keyspace;
      if (!ks) throw noKeyspace();
      const k = schema.keyspaces().find((x) => x.name === ks);
      if (!k) throw new CqlError(ErrorCode.Invalid, `'${ks}' not found in keyspaces`);
      const all = describeKeyspaceRows(schema, k, ctx.node.tabletsEnabled);
      const t = all.find((r) => r.type === "table" && r.name === stmt.name?.name);
      if (!t) throw new CqlError(ErrorCode.Invalid, `'${stmt.name?.name}' not found in keyspace '${ks}'`);
      rows = [t];
      break;
    }
  }
  const keys = describeColumns(stmt.what).map((c) => c.name as keyof DescribeRow);
  return rows.map((r) => keys.map((k) => encodeValue(parseType("text"), r[k])));
}

function pageRows(columns: ColumnSpec[], rows: Array<Array<Buffer | null>>, page: PageOptions): Buffer {
  const offset = page.pagingState && page.pagingState.length >= 4 ? page.pagingState.readUInt32BE(0) : 0;
  const size = page.pageSize && page.pageSize > 0 ? page.pageSize : rows.length;
  const slice = rows.slice(offset, offset + size);
  let pagingState: Buffer | undefined;
  if (offset + size < rows.length) {
    pagingState = Buffer.alloc(4);
    pagingState.writeUInt32BE(offset + size);
  }
  return encodeRowsResult(columns, slice, { pagingState, skipMetadata: page.skipMetadata });
}
