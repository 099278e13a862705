/**
 * The emulated cluster's schema, shared by the REST API (keyspaces, column_family/name, describe_ring, sizes),
 * the data dirs (table dirs `<table>-<id without dashes>`) and the CQL server (system_schema tables, DDL,
 * DESCRIBE SCHEMA WITH INTERNALS).
 *
 * The model (`model.ts`) holds this data and is the only place that mutates it; every mutation bumps the
 * cluster's schema version and notifies listeners (so data dirs and every node see the change).
 */

export type ReplicationClass =
  | "org.apache.cassandra.locator.SimpleStrategy"
  | "org.apache.cassandra.locator.NetworkTopologyStrategy"
  | "org.apache.cassandra.locator.LocalStrategy"
  | "org.apache.cassandra.locator.EverywhereStrategy";

export interface KeyspaceDef {
  name: string;
  /** As system_schema.keyspaces.replication: `{class, replication_factor}` or `{class, <dc>: "<rf>"...}`; values are strings. */
  replication: Record<string, string> & { class: ReplicationClass };
  durableWrites: boolean;
  /** Keyspace uses tablets (Scylla `WITH tablets = {'enabled': true}`). */
  tablets: boolean;
  /** Initial tablet count per table, when tablets. */
  initialTablets?: number;
  /** System keyspaces a real Scylla has (system, system_schema, system_auth, system_distributed, system_traces, ...). */
  system: boolean;
}

export type ColumnKind = "partition_key" | "clustering" | "regular" | "static";

export interface ColumnDef {
  name: string;
  /** CQL type text as in system_schema.columns.type, e.g. "uuid", "text", "blob", "map<text, blob>". */
  type: string;
  kind: ColumnKind;
  /** Position within the partition/clustering key; -1 for regular/static. */
  position: number;
  clusteringOrder: "asc" | "desc" | "none";
}

export interface TableDef {
  keyspace: string;
  name: string;
  /** Table id (UUID with dashes); the data dir suffix is this without dashes. */
  id: string;
  columns: ColumnDef[];
  /** Table options as in system_schema.tables (comment, gc_grace_seconds, compaction map, ...). Strings/numbers/maps. */
  options: Record<string, unknown>;
  /** `extensions` map (e.g. tombstone_gc → "{'mode':'timeout','propagation_delay_in_seconds':'3600'}"). */
  extensions: Record<string, string>;
  /** Bytes of data per replica; drives SSTable sizes and modelled repair time. */
  sizeBytes: number;
  /** Materialized view: base table name and WHERE clause; undefined for base tables. */
  view?: { baseTable: string; whereClause: string; includeAllColumns: boolean };
}

export interface IndexDef {
  keyspace: string;
  table: string;
  name: string;
  kind: "COMPOSITES" | "KEYS" | "CUSTOM";
  /** `{target: "<column>"}` as system_schema.indexes.options. */
  options: Record<string, string>;
}

export interface UserTypeDef {
  keyspace: string;
  name: string;
  fieldNames: string[];
  fieldTypes: string[];
}

/** Input format of `--schema FILE` (YAML or JSON). */
export interface SchemaSpec {
  keyspaces: Array<{
    name: string;
    /** e.g. `{class: NetworkTopologyStrategy, dc1: 3, dc2: 3}` or `{class: SimpleStrategy, replication_factor: 3}`. */
    replication: Record<string, string | number>;
    tablets?: boolean;
    tables: Array<{
      name: string;
      /** Size per replica, e.g. 1048576 or "64MiB". */
      size?: number | string;
      columns?: Array<{ name: string; type: string; kind?: ColumnKind }>;
      views?: Array<{ name: string; where?: string }>;
      indexes?: Array<{ name: string; column: string }>;
    }>;
  }>;
}

export type SchemaChange =
  | { kind: "keyspace"; change: "CREATED" | "UPDATED" | "DROPPED"; keyspace: string }
  | { kind: "table"; change: "CREATED" | "UPDATED" | "DROPPED"; keyspace: string; name: string }
  | { kind: "type"; change: "CREATED" | "UPDATED" | "DROPPED"; keyspace: string; name: string };

/**
 * The mutation surface the CQL DDL layer calls. Each method validates like Scylla does and throws a
 * `SchemaError` (its CQL protocol error code: 0x2400 Already_exists, 0x2200 Invalid, 0x2300 Config_error, 0x2100 Unauthorized).
 */
export interface SchemaMutations {
  createKeyspace(def: Omit<KeyspaceDef, "system">, ifNotExists: boolean): boolean;
  dropKeyspace(name: string, ifExists: boolean): boolean;
  createTable(
    def: Omit<TableDef, "id" | "sizeBytes"> & { id?: string; sizeBytes?: number },
    ifNotExists: boolean,
  ): boolean;
  dropTable(keyspace: string, name: string, ifExists: boolean): boolean;
  alterTableOptions(
    keyspace: string,
    name: string,
    options: Record<string, unknown>,
    extensions: Record<string, string>,
  ): void;
  createIndex(def: IndexDef, ifNotExists: boolean): boolean;
  dropIndex(keyspace: string, name: string, ifExists: boolean): boolean;
  createType(def: UserTypeDef, ifNotExists: boolean): boolean;
  dropType(keyspace: string, name: string, ifExists: boolean): boolean;
}

/** A schema error as Scylla words it; `cqlCode` is the CQL protocol error code. */
export class SchemaError extends Error {
  override name = "SchemaError";
  constructor(
    message: string,
    readonly cqlCode: 0x2200 | 0x2300 | 0x2400 | 0x2100,
    readonly keyspace = "",
    readonly table = "",
  ) {
    super(message);
  }
}
