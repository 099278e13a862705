/**
 * The cluster's schema: the only place that mutates keyspaces, tables, views, indexes and types. Every change
 * bumps the schema version (a time UUID, as with Raft-managed schema) and notifies listeners.
 * @module
 */
import { newTimeUuid } from "../../../src/util/uuid.ts";
import { defaultExtensions, defaultTableOptions } from "./defaults.ts";
import { systemKeyspaces, systemTables } from "./system.ts";
import {
  type IndexDef,
  type KeyspaceDef,
  type ReplicationClass,
  type SchemaChange,
  SchemaError,
  type SchemaMutations,
  type TableDef,
  type UserTypeDef,
} from "./types.ts";
import { validateReplication } from "./validate.ts";

/** Listener of schema changes; receives the change and the new version. */
export type SchemaListener = (change: SchemaChange, version: string) => void;

export interface SchemaModelOptions {
  /** Data centers that exist (NetworkTopologyStrategy options are checked against them). */
  datacenters?: () => readonly string[];
  /** Id factory for new tables (default: time UUIDs). */
  newId?: () => string;
  /** `enable_tablets`; when false a tablet keyspace is refused. Default true. */
  tabletsEnabled?: boolean;
}

const key = (keyspace: string, name: string): string => `${keyspace}.${name}`;

/** The schema model shared by every node of an emulated cluster. */
export class SchemaModel implements SchemaMutations {
  readonly #keyspaces = new Map<string, KeyspaceDef>();
  readonly #tables = new Map<string, TableDef>();
  readonly #indexes = new Map<string, IndexDef>();
  readonly #indexViews = new Map<string, TableDef>();
  readonly #types = new Map<string, UserTypeDef>();
  readonly #listeners = new Set<SchemaListener>();
  readonly #options: SchemaModelOptions;
  #version = newTimeUuid();

  constructor(options: SchemaModelOptions = {}) {
    this.#options = options;
    for (const ks of systemKeyspaces()) this.#keyspaces.set(ks.name, ks);
    for (const t of systemTables()) this.#tables.set(key(t.keyspace, t.name), t);
  }

  /** Current schema version (UUID). */
  get version(): string {
    return this.#version;
  }

  /** Subscribes to changes; returns the unsubscribe function. */
  onChange(listener: SchemaListener): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /** All keyspaces, system ones first, in creation order. */
  keyspaces(): KeyspaceDef[] {
    return [...this.#keyspaces.values()];
  }

  keyspace(name: string): KeyspaceDef | undefined {
    return this.#keyspaces.get(name);
  }

  /** Base tables and materialized views (not index backing views), of one keyspace or all. */
  tables(keyspace?: string): TableDef[] {
    return [...this.#tables.values()].filter((t) => keyspace === undefined || t.keyspace === keyspace);
  }

  table(keyspace: string, name: string): TableDef | undefined {
    return this.#tables.get(key(keyspace, name)) ?? this.#indexViews.get(key(keyspace, name));
  }

  /** Materialized views only. */
  views(keyspace?: string): TableDef[] {
    return this.tables(keyspace).filter((t) => t.view !== undefined);
  }

  indexes(keyspace?: string): IndexDef[] {
    return [...this.#indexes.values()].filter((i) => keyspace === undefined || i.keyspace === keyspace);
  }

  /** The hidden views backing secondary indexes (`<index>_index`), which Scylla lists in column_family/name. */
  indexViews(keyspace?: string): TableDef[] {
    return [...this.#indexViews.values()].filter((t) => keyspace === undefined || t.keyspace === keyspace);
  }

  /** Every column family a node stores: tables, views and index views. */
  columnFamilies(keyspace?: string): TableDef[] {
    return [...this.tables(keyspace), ...this.indexViews(keyspace)];
  }

  types(keyspace?: string): UserTypeDef[] {
    return [...this.#types.values()].filter((t) => keyspace === undefined || t.keyspace === keyspace);
  }

  createKeyspace(def: Omit<KeyspaceDef, "system">, ifNotExists: boolean): boolean {
    if (this.#keyspaces.has(def.name)) {
      if (ifNotExists) return false;
      throw new SchemaError(`Keyspace ${def.name} already exists`, 0x2400, def.name);
    }
    if (def.tablets && this.#options.tabletsEnabled === false) {
      throw new SchemaError(
        "Cannot enable tablets for keyspace since tablets are disabled: enable_tablets is false",
        0x2300,
        def.name,
      );
    }
    const replication = validateReplication(def, this.#options.datacenters?.() ?? []);
    this.#keyspaces.set(def.name, { ...def, replication, system: false });
    this.#emit({ kind: "keyspace", change: "CREATED", keyspace: def.name });
    return true;
  }

  /** Changes a keyspace's replication (ALTER KEYSPACE). */
  alterKeyspace(name: string, replication: Record<string, string> & { class: ReplicationClass }): void {
    const ks = this.#requireKeyspace(name);
    if (ks.system && ks.replication.class.endsWith("LocalStrategy")) {
      throw new SchemaError(`Cannot alter system keyspace ${name}`, 0x2100, name);
    }
    ks.replication = validateReplication({ ...ks, replication }, this.#options.datacenters?.() ?? []);
    this.#emit({ kind: "keyspace", change: "UPDATED", keyspace: name });
  }

  dropKeyspace(name: string, ifExists: boolean): boolean {
    const ks = this.#keyspaces.get(name);
    if (ks === undefined) {
      if (ifExists) return false;
      throw new SchemaError(`Cannot drop non existing keyspace '${name}'.`, 0x2300, name);
    }
    if (ks.system) throw new SchemaError(`${name} keyspace is not user-modifiable.`, 0x2100, name);
    for (const m of [this.#tables, this.#indexViews, this.#indexes, this.#types]) {
      for (const [k, v] of m) if (v.keyspace === name) m.delete(k);
    }
    this.#keyspaces.delete(name);
    this.#emit({ kind: "keyspace", change: "DROPPED", keyspace: name });
    return true;
  }

  createTable(
    def: Omit<TableDef, "id" | "sizeBytes"> & { id?: string; sizeBytes?: number },
    ifNotExists: boolean,
  ): boolean {
    const ks = this.#requireKeyspace(def.keyspace);
    if (this.#tables.has(key(def.keyspace, def.name)) || this.#indexViews.has(key(def.keyspace, def.name))) {
      if (ifNotExists) return false;
      throw new SchemaError(
        `Cannot add already existing table "${def.name}" to keyspace "${def.keyspace}"`,
        0x2400,
        def.keyspace,
        def.name,
      );
    }
    if (ks.system) throw new SchemaError(`${ks.name} keyspace is not user-modifiable.`, 0x2100, ks.name);
    if (!def.columns.some((c) => c.kind === "partition_key")) {
      throw new SchemaError("No PRIMARY KEY specifed (exactly one required)", 0x2200, def.keyspace, def.name);
    }
    if (def.view !== undefined && !this.#tables.has(key(def.keyspace, def.view.baseTable))) {
      throw new SchemaError(`Undefined name ${def.view.baseTable} in keyspace ${def.keyspace}`, 0x2200, def.keyspace);
    }
    const table: TableDef = {
      ...def,
      id: def.id ?? this.#options.newId?.() ?? newTimeUuid(),
      sizeBytes: def.sizeBytes ?? 0,
      options: { ...defaultTableOptions(), ...def.options },
      extensions: { ...defaultExtensions(), ...def.extensions },
    };
    this.#tables.set(key(def.keyspace, def.name), table);
    this.#emit({ kind: "table", change: "CREATED", keyspace: def.keyspace, name: def.name });
    return true;
  }

  dropTable(keyspace: string, name: string, ifExists: boolean): boolean {
    const table = this.#tables.get(key(keyspace, name));
    if (table === undefined) {
      if (ifExists) return false;
      throw new SchemaError(
        `Cannot drop non existing table '${name}' in keyspace '${keyspace}'.`,
        0x2200,
        keyspace,
        name,
      );
    }
    if (this.#keyspaces.get(keyspace)?.system)
      throw new SchemaError(`${keyspace} keyspace is not user-modifiable.`, 0x2100, keyspace);
    if (table.view === undefined) {
      const dependents = this.views(keyspace).filter((v) => v.view?.baseTable === name);
      if (dependents.length > 0) {
        const names = dependents.map((v) => `${keyspace}.${v.name}`).join(", ");
        throw new SchemaError(
          `Cannot drop table when materialized views still depend on it (${keyspace}.{${names}})`,
          0x2200,
          keyspace,
          name,
        );
      }
      for (const idx of this.indexes(keyspace).filter((i) => i.table === name)) this.#removeIndex(idx);
    }
    this.#tables.delete(key(keyspace, name));
    this.#emit({ kind: "table", change: "DROPPED", keyspace, name });
    return true;
  }

  alterTableOptions(
    keyspace: string,
    name: string,
    options: Record<string, unknown>,
    extensions: Record<string, string>,
  ): void {
    const table = this.#tables.get(key(keyspace, name));
    if (table === undefined) throw new SchemaError(`Unconfigured table ${name}`, 0x2200, keyspace, name);
    table.options = { ...table.options, ...options };
    table.extensions = { ...table.extensions, ...extensions };
    this.#emit({ kind: "table", change: "UPDATED", keyspace, name });
  }

  /** Sets the modelled data size of a table (per replica). */
  setTableSize(keyspace: string, name: string, sizeBytes: number): void {
    const table = this.table(keyspace, name);
    if (table === undefined) throw new SchemaError(`Unconfigured table ${name}`, 0x2200, keyspace, name);
    table.sizeBytes = sizeBytes;
  }

  createIndex(def: IndexDef, ifNotExists: boolean): boolean {
    const base = this.#tables.get(key(def.keyspace, def.table));
    if (base === undefined) throw new SchemaError(`Unconfigured table ${def.table}`, 0x2200, def.keyspace, def.table);
    if (this.#indexes.has(key(def.keyspace, def.name))) {
      if (ifNotExists) return false;
      throw new SchemaError(`Index ${def.name} already exists`, 0x2200, def.keyspace, def.table);
    }
    const target = def.options.target ?? "";
    if (!base.columns.some((c) => c.name === target)) {
      throw new SchemaError(`No column definition found for column ${target}`, 0x2200, def.keyspace, def.table);
    }
    this.#indexes.set(key(def.keyspace, def.name), def);
    const viewName = `${def.name}_index`;
    this.#indexViews.set(key(def.keyspace, viewName), {
      keyspace: def.keyspace,
      name: viewName,
      id: this.#options.newId?.() ?? newTimeUuid(),
      columns: base.columns,
      options: defaultTableOptions(),
      extensions: defaultExtensions(),
      sizeBytes: Math.round(base.sizeBytes / 10),
      view: { baseTable: def.table, whereClause: `${target} IS NOT NULL`, includeAllColumns: false },
    });
    // Scylla announces an index as an update of its base table.
    this.#emit({ kind: "table", change: "UPDATED", keyspace: def.keyspace, name: def.table });
    return true;
  }

  dropIndex(keyspace: string, name: string, ifExists: boolean): boolean {
    const idx = this.#indexes.get(key(keyspace, name));
    if (idx === undefined) {
      if (ifExists) return false;
      throw new SchemaError(
        `Index '${name}' could not be found in any of the tables of keyspace '${keyspace}'`,
        0x2200,
        keyspace,
      );
    }
    this.#removeIndex(idx);
    this.#emit({ kind: "table", change: "UPDATED", keyspace, name: idx.table });
    return true;
  }

  createType(def: UserTypeDef, ifNotExists: boolean): boolean {
    this.#requireKeyspace(def.keyspace);
    if (this.#types.has(key(def.keyspace, def.name))) {
      if (ifNotExists) return false;
      throw new SchemaError(`A user type of name ${def.keyspace}.${def.name} already exists`, 0x2200, def.keyspace);
    }
    this.#types.set(key(def.keyspace, def.name), def);
    this.#emit({ kind: "type", change: "CREATED", keyspace: def.keyspace, name: def.name });
    return true;
  }

  dropType(keyspace: string, name: string, ifExists: boolean): boolean {
    if (!this.#types.delete(key(keyspace, name))) {
      if (ifExists) return false;
      throw new SchemaError(`No user type named ${keyspace}.${name} exists.`, 0x2200, keyspace);
    }
    this.#emit({ kind: "type", change: "DROPPED", keyspace, name });
    return true;
  }

  #removeIndex(idx: IndexDef): void {
    this.#indexes.delete(key(idx.keyspace, idx.name));
    this.#indexViews.delete(key(idx.keyspace, `${idx.name}_index`));
  }

  #requireKeyspace(name: string): KeyspaceDef {
    const ks = this.#keyspaces.get(name);
    if (ks === undefined) throw new SchemaError(`Keyspace '${name}' does not exist`, 0x2200, name);
    return ks;
  }

  #emit(change: SchemaChange): void {
    this.#version = newTimeUuid();
    for (const listener of this.#listeners) listener(change, this.#version);
  }
}
