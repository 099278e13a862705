/** Executes DDL statements against the schema model; returns the schema change, or null for a no-op. */

import type { ColumnDef, TableDef } from "../schema/types.ts";
import { SchemaError } from "../schema/types.ts";
import { parseType } from "./codec/types.ts";
import { keyspaceProperties, tableProperties } from "./ddl-options.ts";
import { CqlError, ErrorCode, fromSchemaError } from "./errors.ts";
import type { SchemaChangeEvent } from "./messages.ts";
import type { SchemaView } from "./node-view.ts";
import type { ColumnSpec, PrimaryKeySpec, QualifiedName, Statement, TableOptions } from "./parser/ast.ts";

export type DdlStatement = Extract<
  Statement,
  {
    type:
      | "createKeyspace"
      | "alterKeyspace"
      | "createTable"
      | "alterTable"
      | "alterView"
      | "createIndex"
      | "createView"
      | "createType"
      | "drop";
  }
>;

export interface DdlContext {
  schema: SchemaView;
  /** Keyspace set by USE, for unqualified names. */
  keyspace?: string;
  /** Cluster default for new keyspaces without a `tablets` option. */
  tabletsByDefault?: boolean;
}

/** Runs one DDL statement; schema model errors become CQL errors. */
export function executeDdl(stmt: DdlStatement, ctx: DdlContext): SchemaChangeEvent | null {
  try {
    return run(stmt, ctx);
  } catch (err) {
    if (err instanceof SchemaError) throw fromSchemaError(err);
    throw err;
  }
}

function keyspaceOf(name: QualifiedName, ctx: DdlContext): string {
  const ks = name.keyspace ?? ctx.keyspace;
  if (!ks) {
    throw new CqlError(
      ErrorCode.Invalid,
      "No keyspace has been specified. USE a keyspace, or explicitly specify keyspace.tablename",
    );
  }
  return ks;
}

function findTable(ctx: DdlContext, ks: string, name: string): TableDef | undefined {
  return ctx.schema.tables().find((t) => t.keyspace === ks && t.name === name);
}

function run(stmt: DdlStatement, ctx: DdlContext): SchemaChangeEvent | null {
  const { schema } = ctx;
  switch (stmt.type) {
    case "createKeyspace": {
      const def = keyspaceProperties(stmt.name, stmt.properties, ctx.tabletsByDefault ?? false);
      return schema.createKeyspace(def, stmt.ifNotExists)
        ? { change: "CREATED", target: "KEYSPACE", keyspace: stmt.name }
        : null;
    }
    case "alterKeyspace": {
      const ks = schema.keyspaces().find((k) => k.name === stmt.name);
      if (!ks) throw new CqlError(ErrorCode.Invalid, `Keyspace '${stmt.name}' does not exist`);
      if (!schema.alterKeyspace)
        throw new CqlError(ErrorCode.Invalid, "ALTER KEYSPACE is not supported by this emulated node");
      const def = keyspaceProperties(
        stmt.name,
        { replication: ks.replication, durable_writes: ks.durableWrites, ...stmt.properties },
        ks.tablets,
      );
      if (def.tablets !== ks.tablets)
        throw new CqlError(ErrorCode.Config, "Cannot alter replication strategy vnode/tablets flavor");
      if (def.durableWrites !== ks.durableWrites) {
        throw new CqlError(ErrorCode.Invalid, "durable_writes cannot be changed by this emulated node");
      }
      schema.alterKeyspace(stmt.name, def.replication);
      return { change: "UPDATED", target: "KEYSPACE", keyspace: stmt.name };
    }
    case "createTable": {
      const ks = keyspaceOf(stmt.table, ctx);
      const { options, extensions, id } = tableProperties(stmt.options.properties);
      const columns = buildColumns(stmt.columns, stmt.primaryKey, stmt.options, ks, schema);
      const def: Parameters<SchemaView["createTable"]>[0] = {
        keyspace: ks,
        name: stmt.table.name,
        columns,
        options,
        extensions,
      };
      if (id) def.id = id;
      return schema.createTable(def, stmt.ifNotExists)
        ? { change: "CREATED", target: "TABLE", keyspace: ks, name: stmt.table.name }
        : null;
    }
    case "createView": {
      const ks = keyspaceOf(stmt.view, ctx);
      const baseKs = keyspaceOf(stmt.base, ctx);
      if (baseKs !== ks)
        throw new CqlError(ErrorCode.Invalid, "Cannot create a materialized view on a table in a separate keyspace");
      const base = findTable(ctx, ks, stmt.base.name);
      if (!base || base.view) throw new CqlError(ErrorCode.Invalid, `unconfigured table ${stmt.base.name}`);
      const keyCols = [...stmt.primaryKey.partition, ...stmt.primaryKey.clustering];
      const wanted =
        stmt.columns === "*" ? base.columns.map((c) => c.name) : [...new Set([...keyCols, ...stmt.columns])];
      const specs = wanted.map((n) => {
        const col = base.columns.find((c) => c.name === n);
        if (!col)
          throw new CqlError(
            ErrorCode.Invalid,
            `Unknown column name detected in CREATE MATERIALIZED VIEW statement: ${n}`,
          );
        return { name: n, type: col.type, isStatic: false };
      });
      for (const pk of base.columns.filter((c) => c.kind === "partition_key" || c.kind === "clustering")) {
        if (!keyCols.includes(pk.name)) {
          throw new CqlError(
            ErrorCode.Invalid,
            `Cannot create Materialized View ${stmt.view.name} without primary key columns from base ${base.name} (${pk.name})`,
          );
        }
      }
      const { options, extensions, id } = tableProperties(stmt.options.properties);
      const def: Parameters<SchemaView["createTable"]>[0] = {
        keyspace: ks,
        name: stmt.view.name,
        columns: buildColumns(specs, stmt.primaryKey, stmt.options, ks, schema),
        options,
        extensions,
        view: { baseTable: base.name, whereClause: stmt.whereClause, includeAllColumns: stmt.columns === "*" },
      };
      if (id) def.id = id;
      return schema.createTable(def, stmt.ifNotExists)
        ? { change: "CREATED", target: "TABLE", keyspace: ks, name: stmt.view.name }
        : null;
    }
    case "alterTable":
    case "alterView": {
      const name = stmt.type === "alterTable" ? stmt.table : stmt.view;
      const ks = keyspaceOf(name, ctx);
      const t = findTable(ctx, ks, name.name);
      if (!t) throw new CqlError(ErrorCode.Invalid, `unconfigured table ${name.name}`);
      if (stmt.type === "alterTable" && t.view)
        throw new CqlError(ErrorCode.Invalid, "Cannot use ALTER TABLE on Materialized View");
      if (stmt.type === "alterView" && !t.view)
        throw new CqlError(ErrorCode.Invalid, "Cannot use ALTER MATERIALIZED VIEW on Table");
      const { options, extensions, id } = tableProperties(stmt.properties);
      if (id) throw new CqlError(ErrorCode.Config, "Cannot alter table id");
      schema.alterTableOptions(ks, name.name, options, extensions);
      return { change: "UPDATED", target: "TABLE", keyspace: ks, name: name.name };
    }
    case "createIndex": {
      const ks = keyspaceOf(stmt.table, ctx);
      const name = stmt.name ?? `${stmt.table.name}_${stmt.column}_idx`;
      const target =
        stmt.target === "plain" || stmt.target === "values" ? stmt.column : `${stmt.target}(${stmt.column})`;
      const options: Record<string, string> = { target };
      if (stmt.custom) options.class_name = stmt.custom;
      const created = schema.createIndex(
        { keyspace: ks, table: stmt.table.name, name, kind: stmt.custom ? "CUSTOM" : "COMPOSITES", options },
        stmt.ifNotExists,
      );
      return created ? { change: "UPDATED", target: "TABLE", keyspace: ks, name: stmt.table.name } : null;
    }
    case "createType": {
      const ks = keyspaceOf(stmt.name, ctx);
      for (const f of stmt.fields) checkType(f.type, ks, schema);
      const created = schema.createType(
        {
          keyspace: ks,
          name: stmt.name.name,
          fieldNames: stmt.fields.map((f) => f.name),
          fieldTypes: stmt.fields.map((f) => f.type),
        },
        stmt.ifNotExists,
      );
      return created ? { change: "CREATED", target: "TYPE", keyspace: ks, name: stmt.name.name } : null;
    }
    case "drop":
      return runDrop(stmt, ctx);
  }
}

function runDrop(stmt: Extract<Statement, { type: "drop" }>, ctx: DdlContext): SchemaChangeEvent | null {
  const { schema } = ctx;
  if (stmt.what === "keyspace") {
    return schema.dropKeyspace(stmt.name.name, stmt.ifExists)
      ? { change: "DROPPED", target: "KEYSPACE", keyspace: stmt.name.name }
      : null;
  }
  const ks = keyspaceOf(stmt.name, ctx);
  if (!schema.keyspaces().some((k) => k.name === ks)) {
    if (stmt.ifExists) return null;
    throw new CqlError(ErrorCode.Invalid, `Keyspace '${ks}' does not exist`);
  }
  const name = stmt.name.name;
  if (stmt.what === "index") {
    const idx = schema.indexes().find((i) => i.keyspace === ks && i.name === name);
    return schema.dropIndex(ks, name, stmt.ifExists) && idx
      ? { change: "UPDATED", target: "TABLE", keyspace: ks, name: idx.table }
      : null;
  }
  if (stmt.what === "type") {
    return schema.dropType(ks, name, stmt.ifExists) ? { change: "DROPPED", target: "TYPE", keyspace: ks, name } : null;
  }
  const t = findTable(ctx, ks, name);
  if (t && stmt.what === "table" && t.view)
    throw new CqlError(ErrorCode.Invalid, "Cannot use DROP TABLE on Materialized View");
  if (t && stmt.what === "view" && !t.view)
    throw new CqlError(ErrorCode.Invalid, "Cannot use DROP MATERIALIZED VIEW on Table");
  return schema.dropTable(ks, name, stmt.ifExists) ? { change: "DROPPED", target: "TABLE", keyspace: ks, name } : null;
}

function checkType(type: string, ks: string, schema: SchemaView): void {
  parseType(type, ks, (k, n) => {
    const t = schema.types().find((u) => u.keyspace === k && u.name === n);
    return t?.fieldNames.map((f, i) => ({ name: f, type: t.fieldTypes[i] ?? "" }));
  });
}

function buildColumns(
  specs: ColumnSpec[],
  pk: PrimaryKeySpec,
  opts: TableOptions,
  ks: string,
  schema: SchemaView,
): ColumnDef[] {
  const seen = new Set<string>();
  for (const c of specs) {
    if (seen.has(c.name)) throw new CqlError(ErrorCode.Invalid, `Multiple definition of identifier ${c.name}`);
    seen.add(c.name);
    checkType(c.type, ks, schema);
  }
  for (const k of [...pk.partition, ...pk.clustering]) {
    if (!seen.has(k)) throw new CqlError(ErrorCode.Invalid, `Unknown definition ${k} referenced in PRIMARY KEY`);
  }
  for (const o of opts.clusteringOrder) {
    if (!pk.clustering.includes(o.column)) {
      throw new CqlError(ErrorCode.Invalid, "Only clustering key columns can be defined in CLUSTERING ORDER directive");
    }
  }
  return specs.map((c) => {
    const pi = pk.partition.indexOf(c.name);
    const ci = pk.clustering.indexOf(c.name);
    if (pi >= 0) return { name: c.name, type: c.type, kind: "partition_key", position: pi, clusteringOrder: "none" };
    if (ci >= 0) {
      const order = opts.clusteringOrder.find((o) => o.column === c.name)?.order ?? "asc";
      return { name: c.name, type: c.type, kind: "clustering", position: ci, clusteringOrder: order };
    }
    if (c.isStatic && pk.clustering.length === 0) {
      throw new CqlError(
        ErrorCode.Invalid,
        "Static columns are only useful (and thus allowed) if the table has at least one clustering column",
      );
    }
    return {
      name: c.name,
      type: c.type,
      kind: c.isStatic ? "static" : "regular",
      position: -1,
      clusteringOrder: "none",
    };
  });
}
