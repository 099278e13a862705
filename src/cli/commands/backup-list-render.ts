/**
 * Pure renderers of `sctool backup list` and `sctool backup files`, as SM's managerclient prints them.
 * @module
 */
import type { ApiBackupFilesInfo, ApiBackupListItem } from "../../clients/manager-api/backups.ts";
import { formatSize } from "../output/format.ts";

/** SM's `FormatTables`: `(N tables)` unless `showTables` (then the names); `all ` when the unit had all tables. */
export function formatTables(showTables: boolean, tables: readonly string[], all: boolean): string {
  let out = "";
  if (tables.length === 0 || !showTables) out = tables.length === 1 ? "(1 table)" : `(${tables.length} tables)`;
  if (out === "") out = `(${tables.join(", ")})`;
  return all ? `all ${out}` : out;
}

/**
 * `backup list`: per item `backup/<task>`, its snapshots (`- <tag> (<size|n/a>, N nodes)`) and keyspaces; with
 * `allClusters` a `Cluster: <id>` line (and a blank one) whenever the cluster changes.
 */
export function renderBackupList(
  items: readonly ApiBackupListItem[],
  options: { allClusters: boolean; showTables: boolean },
): string {
  let out = "";
  let prev = "";
  for (const item of items) {
    if (options.allClusters && prev !== item.cluster_id) {
      prev = item.cluster_id;
      out += `Cluster: ${item.cluster_id}\n\n`;
    }
    out += `backup/${item.task_id}\nSnapshots:`;
    for (const s of item.snapshot_info) {
      out += `\n  - ${s.snapshot_tag} (${s.size === 0 ? "n/a" : formatSize(s.size)}, ${s.nodes} nodes)`;
    }
    out += "\nKeyspaces:";
    for (const u of item.units)
      out += `\n  - ${u.keyspace} ${formatTables(options.showTables, u.tables, u.all_tables)}`;
    out += "\n\n";
  }
  return out;
}

/** Joins path segments as Go's path.Join (no empty segments, no doubled slashes). */
function joinPath(...parts: string[]): string {
  return parts
    .join("/")
    .split("/")
    .filter((s) => s !== "" && s !== ".")
    .join("/");
}

/** `provider:bucket/...` → `provider://bucket/...` (the first colon only). */
function toUrl(path: string): string {
  return path.replace(":", "://");
}

/**
 * `backup files`: the distinct schema files first (`<url> <delim> ./`), then every file
 * (`<provider>://<bucket>/<sst dir>/<file> <delim> <ks>/<table>[-<version>]`), Go's Println spacing.
 */
export function renderBackupFiles(
  infos: readonly ApiBackupFilesInfo[],
  options: { delimiter: string; withVersion: boolean },
): string {
  const lines: string[] = [];
  const schemas = new Set<string>();
  for (const info of infos) if (info.schema !== "") schemas.add(joinPath(info.location, info.schema));
  // SM prints them in Go-set order (random); sorted here.
  for (const schema of [...schemas].sort()) lines.push(`${toUrl(schema)} ${options.delimiter} ./`);
  for (const info of infos) {
    for (const table of info.files) {
      let dir = joinPath(table.keyspace, table.table);
      if (options.withVersion) dir += `-${table.version}`;
      for (const file of table.files) {
        lines.push(`${toUrl(joinPath(info.location, table.path, file))} ${options.delimiter} ${dir}`);
      }
    }
  }
  return lines.length === 0 ? "" : `${lines.join("\n")}\n`;
}
