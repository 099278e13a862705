/** Statement trees produced by the CQL parser. */

export interface QualifiedName {
  keyspace?: string;
  name: string;
}

export type Term =
  | { kind: "literal"; type: "string" | "number" | "boolean" | "null" | "uuid" | "blob"; value: string }
  | { kind: "bind"; index: number; name?: string }
  | { kind: "list"; items: Term[] }
  | { kind: "set"; items: Term[] }
  | { kind: "map"; entries: Array<[Term, Term]> }
  | { kind: "call"; fn: string; args: Term[] }
  | { kind: "column"; name: string };

export interface Relation {
  column: string;
  op: "=" | "IN" | "<" | ">" | "<=" | ">=" | "!=" | "CONTAINS" | "CONTAINS KEY";
  value: Term;
}

export type Selector =
  | { kind: "column"; name: string; alias?: string }
  | { kind: "call"; fn: string; args: Term[]; alias?: string; text: string };

export interface SelectStatement {
  type: "select";
  table: QualifiedName;
  selectors: "*" | Selector[];
  json: boolean;
  distinct: boolean;
  where: Relation[];
  limit?: Term;
  allowFiltering: boolean;
}

/** Property values of WITH clauses: constants or map literals. */
export type PropertyValue = string | number | boolean | Record<string, string>;

export interface ColumnSpec {
  name: string;
  type: string;
  isStatic: boolean;
}

export interface PrimaryKeySpec {
  partition: string[];
  clustering: string[];
}

export interface TableOptions {
  properties: Record<string, PropertyValue>;
  clusteringOrder: Array<{ column: string; order: "asc" | "desc" }>;
  compactStorage: boolean;
}

export type Statement =
  | SelectStatement
  | { type: "use"; keyspace: string }
  | { type: "createKeyspace"; name: string; ifNotExists: boolean; properties: Record<string, PropertyValue> }
  | { type: "alterKeyspace"; name: string; properties: Record<string, PropertyValue> }
  | {
      type: "createTable";
      table: QualifiedName;
      ifNotExists: boolean;
      columns: ColumnSpec[];
      primaryKey: PrimaryKeySpec;
      options: TableOptions;
    }
  | { type: "alterTable"; table: QualifiedName; properties: Record<string, PropertyValue> }
  | { type: "alterView"; view: QualifiedName; properties: Record<string, PropertyValue> }
  | {
      type: "createIndex";
      name?: string;
      table: QualifiedName;
      ifNotExists: boolean;
      column: string;
      target: "values" | "keys" | "entries" | "full" | "plain";
      custom?: string;
    }
  | {
      type: "createView";
      view: QualifiedName;
      ifNotExists: boolean;
      columns: "*" | string[];
      base: QualifiedName;
      whereClause: string;
      primaryKey: PrimaryKeySpec;
      options: TableOptions;
    }
  | { type: "createType"; name: QualifiedName; ifNotExists: boolean; fields: Array<{ name: string; type: string }> }
  | { type: "drop"; what: "keyspace" | "table" | "index" | "view" | "type"; name: QualifiedName; ifExists: boolean }
  | {
      type: "describe";
      what: "schema" | "keyspaces" | "tables" | "keyspace" | "table";
      name?: QualifiedName;
      internals: boolean;
    }
  | {
      type: "insert";
      table: QualifiedName;
      columns: string[];
      values: Term[];
      ifNotExists: boolean;
    }
  | { type: "truncate"; table: QualifiedName }
  | { type: "update"; table: QualifiedName; assignments: Array<{ column: string; value: Term }>; where: Relation[] }
  | { type: "delete"; table: QualifiedName; columns: string[]; where: Relation[] }
  | { type: "unsupported"; verb: string };
