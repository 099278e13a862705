/**
 * The `--schema FILE` spec (YAML or JSON): parsing, validation and applying it to a SchemaModel.
 * @module
 */
import { readFileSync } from "node:fs";
import * as v from "valibot";
import { parse as parseYaml } from "yaml";
import type { Random } from "../random.ts";
import { defaultColumns } from "./defaults.ts";
import type { SchemaModel } from "./model.ts";
import { parseSize } from "./size.ts";
import type { ColumnDef, SchemaSpec } from "./types.ts";
import { resolveStrategyClass } from "./validate.ts";

const Name = v.pipe(v.string(), v.regex(/^\w+$/, "must be letters, digits or _"));
const ColumnSpec = v.strictObject({
  name: Name,
  type: v.string(),
  kind: v.optional(v.picklist(["partition_key", "clustering", "regular", "static"])),
});
const TableSpec = v.strictObject({
  name: Name,
  size: v.optional(v.union([v.number(), v.string()])),
  columns: v.optional(v.array(ColumnSpec)),
  views: v.optional(v.array(v.strictObject({ name: Name, where: v.optional(v.string()) }))),
  indexes: v.optional(v.array(v.strictObject({ name: Name, column: Name }))),
});
const SpecSchema = v.strictObject({
  keyspaces: v.array(
    v.strictObject({
      name: Name,
      replication: v.record(v.string(), v.union([v.string(), v.number()])),
      tablets: v.optional(v.boolean()),
      tables: v.optional(v.array(TableSpec), []),
    }),
  ),
});

/** Parses and validates a spec from text; errors name the offending key path. */
export function parseSchemaSpec(text: string, source = "schema spec"): SchemaSpec {
  let raw: unknown;
  try {
    raw = parseYaml(text);
  } catch (err) {
    throw new Error(`${source}: not valid YAML or JSON: ${(err as Error).message}`);
  }
  const result = v.safeParse(SpecSchema, raw);
  if (!result.success) {
    const issue = result.issues[0];
    const path = issue.path?.map((p) => String(p.key)).join(".") ?? "(root)";
    throw new Error(`${source}: ${path}: ${issue.message}`);
  }
  for (const ks of result.output.keyspaces) {
    if (typeof ks.replication.class !== "string")
      throw new Error(`${source}: keyspaces.${ks.name}.replication.class is required`);
    for (const t of ks.tables) if (t.size !== undefined) parseSize(t.size);
  }
  return result.output as SchemaSpec;
}

/** Reads a spec file. */
export function loadSchemaSpec(file: string): SchemaSpec {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (err) {
    throw new Error(`cannot read schema file ${file}: ${(err as Error).message}`);
  }
  return parseSchemaSpec(text, file);
}

function toColumns(spec: SchemaSpec["keyspaces"][number]["tables"][number]): ColumnDef[] {
  if (spec.columns === undefined || spec.columns.length === 0) return defaultColumns();
  let pk = 0;
  let ck = 0;
  const cols = spec.columns.map((c, i): ColumnDef => {
    const kind = c.kind ?? (i === 0 ? "partition_key" : "regular");
    const position = kind === "partition_key" ? pk++ : kind === "clustering" ? ck++ : -1;
    return { name: c.name, type: c.type, kind, position, clusteringOrder: kind === "clustering" ? "asc" : "none" };
  });
  return cols;
}

/** View columns: the first regular column becomes the partition key, the base key columns become clustering. */
function viewColumns(base: ColumnDef[]): ColumnDef[] {
  const regular = base.find((c) => c.kind === "regular");
  if (regular === undefined) return base;
  const keys = base.filter((c) => c.kind === "partition_key" || c.kind === "clustering");
  return [
    { ...regular, kind: "partition_key", position: 0, clusteringOrder: "none" },
    ...keys.map((c, i): ColumnDef => ({ ...c, kind: "clustering", position: i, clusteringOrder: "asc" })),
    ...base.filter((c) => c !== regular && !keys.includes(c)),
  ];
}

/** Creates everything in the spec; table ids come from `random` so equal seeds give equal ids. */
export function applySchemaSpec(model: SchemaModel, spec: SchemaSpec, random: Random): void {
  for (const ks of spec.keyspaces) {
    const replication = Object.fromEntries(Object.entries(ks.replication).map(([k, val]) => [k, String(val)]));
    model.createKeyspace(
      {
        name: ks.name,
        replication: { ...replication, class: resolveStrategyClass(String(ks.replication.class)) },
        durableWrites: true,
        tablets: ks.tablets ?? false,
      },
      false,
    );
    for (const t of ks.tables) {
      const columns = toColumns(t);
      const sizeBytes = t.size === undefined ? 1024 * 1024 : parseSize(t.size);
      model.createTable(
        { keyspace: ks.name, name: t.name, columns, options: {}, extensions: {}, id: random.uuid(), sizeBytes },
        false,
      );
      for (const view of t.views ?? []) {
        const vcols = viewColumns(columns);
        const where =
          view.where ??
          vcols
            .filter((c) => c.kind !== "regular" && c.kind !== "static")
            .map((c) => `${c.name} IS NOT NULL`)
            .join(" AND ");
        model.createTable(
          {
            keyspace: ks.name,
            name: view.name,
            columns: vcols,
            options: {},
            extensions: {},
            id: random.uuid(),
            sizeBytes,
            view: { baseTable: t.name, whereClause: where, includeAllColumns: true },
          },
          false,
        );
      }
      for (const index of t.indexes ?? []) {
        model.createIndex(
          { keyspace: ks.name, table: t.name, name: index.name, kind: "COMPOSITES", options: { target: index.column } },
          false,
        );
      }
    }
  }
}
