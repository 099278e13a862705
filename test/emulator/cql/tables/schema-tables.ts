/** system_schema.* tables rendered from the schema model (the layout of Scylla's schema tables v3). */

import { defaultTableOptions } from "../../schema/defaults.ts";
import type { TableDef } from "../../schema/types.ts";
import type { SchemaView } from "../node-view.ts";
import { cols, type VirtualColumn, type VirtualTable } from "./table.ts";

const MAP = "frozen<map<text, text>>";
const OPTION_COLUMNS = cols(
  "bloom_filter_fp_chance double",
  `caching ${MAP}`,
  "comment text",
  `compaction ${MAP}`,
  `compression ${MAP}`,
  "crc_check_chance double",
  "dclocal_read_repair_chance double",
  "default_time_to_live int",
  "extensions frozen<map<text, blob>>",
  "gc_grace_seconds int",
  "id uuid",
  "max_index_interval int",
  "memtable_flush_period_in_ms int",
  "min_index_interval int",
  "read_repair_chance double",
  "speculative_retry text",
);

function table(
  name: string,
  columns: VirtualColumn[],
  pk: string[],
  ck: string[],
  rows: () => Array<Record<string, unknown>>,
): VirtualTable {
  return { keyspace: "system_schema", name, columns, partitionKey: pk, clusteringKey: ck, rows };
}

function optionValues(t: TableDef): Record<string, unknown> {
  const row: Record<string, unknown> = {
    dclocal_read_repair_chance: 0,
    read_repair_chance: 0,
    ...defaultTableOptions(),
    ...t.options,
  };
  row.id = t.id;
  row.extensions = Object.fromEntries(Object.entries(t.extensions).map(([k, v]) => [k, Buffer.from(v, "utf8")]));
  return row;
}

/** Every system_schema table the node serves, keyed by table name. */
export function schemaTables(schema: SchemaView): VirtualTable[] {
  const bases = () => schema.tables().filter((t) => !t.view);
  const views = () => schema.tables().filter((t) => t.view);
  return [
    table(
      "keyspaces",
      cols("keyspace_name text", "durable_writes boolean", `replication ${MAP}`),
      ["keyspace_name"],
      [],
      () =>
        schema.keyspaces().map((k) => ({
          keyspace_name: k.name,
          durable_writes: k.durableWrites,
          replication: k.replication,
        })),
    ),
    table(
      "scylla_keyspaces",
      cols("keyspace_name text", "initial_tablets int", `storage_options ${MAP}`, "storage_type text"),
      ["keyspace_name"],
      [],
      () =>
        schema
          .keyspaces()
          .filter((k) => k.tablets)
          .map((k) => ({ keyspace_name: k.name, initial_tablets: k.initialTablets ?? 0, storage_type: "LOCAL" })),
    ),
    table(
      "tables",
      [
        ...cols("keyspace_name text", "table_name text", "cdc frozen<map<text, text>>"),
        ...OPTION_COLUMNS,
        ...cols("flags frozen<set<text>>"),
      ],
      ["keyspace_name"],
      ["table_name"],
      () =>
        bases().map((t) => ({
          keyspace_name: t.keyspace,
          table_name: t.name,
          flags: ["compound"],
          ...optionValues(t),
        })),
    ),
    table(
      "views",
      [
        ...cols("keyspace_name text", "view_name text", "base_table_id uuid", "base_table_name text"),
        ...OPTION_COLUMNS,
        ...cols("include_all_columns boolean", "where_clause text"),
      ],
      ["keyspace_name"],
      ["view_name"],
      () =>
        views().map((t) => ({
          keyspace_name: t.keyspace,
          view_name: t.name,
          base_table_name: t.view!.baseTable,
          base_table_id: schema
            .tables()
            .find((b) => b.keyspace === t.keyspace && b.name === t.view!.baseTable && !b.view)?.id,
          include_all_columns: t.view!.includeAllColumns,
          where_clause: t.view!.whereClause,
          ...optionValues(t),
        })),
    ),
    table(
      "columns",
      cols(
        "keyspace_name text",
        "table_name text",
        "column_name text",
        "clustering_order text",
        "column_name_bytes blob",
        "kind text",
        "position int",
        "type text",
      ),
      ["keyspace_name"],
      ["table_name", "column_name"],
      () =>
        schema.tables().flatMap((t) =>
          t.columns.map((c) => ({
            keyspace_name: t.keyspace,
            table_name: t.name,
            column_name: c.name,
            clustering_order: c.clusteringOrder,
            column_name_bytes: Buffer.from(c.name, "utf8"),
            kind: c.kind,
            position: c.position,
            type: c.type,
          })),
        ),
    ),
    table(
      "indexes",
      cols("keyspace_name text", "table_name text", "index_name text", "kind text", `options ${MAP}`),
      ["keyspace_name"],
      ["table_name", "index_name"],
      () =>
        schema.indexes().map((i) => ({
          keyspace_name: i.keyspace,
          table_name: i.table,
          index_name: i.name,
          kind: i.kind,
          options: i.options,
        })),
    ),
    table(
      "types",
      cols("keyspace_name text", "type_name text", "field_names frozen<list<text>>", "field_types frozen<list<text>>"),
      ["keyspace_name"],
      ["type_name"],
      () =>
        schema.types().map((t) => ({
          keyspace_name: t.keyspace,
          type_name: t.name,
          field_names: t.fieldNames,
          field_types: t.fieldTypes,
        })),
    ),
    table(
      "functions",
      cols(
        "keyspace_name text",
        "function_name text",
        "argument_types frozen<list<text>>",
        "argument_names frozen<list<text>>",
        "body text",
        "called_on_null_input boolean",
        "language text",
        "return_type text",
      ),
      ["keyspace_name"],
      ["function_name", "argument_types"],
      () => [],
    ),
    table(
      "aggregates",
      cols(
        "keyspace_name text",
        "aggregate_name text",
        "argument_types frozen<list<text>>",
        "final_func text",
        "initcond text",
        "return_type text",
        "state_func text",
        "state_type text",
      ),
      ["keyspace_name"],
      ["aggregate_name", "argument_types"],
      () => [],
    ),
    table(
      "triggers",
      cols("keyspace_name text", "table_name text", "trigger_name text", `options ${MAP}`),
      ["keyspace_name"],
      ["table_name", "trigger_name"],
      () => [],
    ),
    table(
      "dropped_columns",
      cols("keyspace_name text", "table_name text", "column_name text", "dropped_time timestamp", "type text"),
      ["keyspace_name"],
      ["table_name", "column_name"],
      () => [],
    ),
    table(
      "scylla_tables",
      cols(
        "keyspace_name text",
        "table_name text",
        `cdc ${MAP}`,
        "in_memory boolean",
        "partitioner text",
        "version uuid",
      ),
      ["keyspace_name"],
      ["table_name"],
      () =>
        schema.tables().map((t) => ({
          keyspace_name: t.keyspace,
          table_name: t.name,
          in_memory: false,
          version: schema.version(),
        })),
    ),
  ];
}
