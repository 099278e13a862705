/**
 * Snapshots as Scylla's `storage_service/snapshots` makes them: `<table dir>/snapshots/<tag>/` with hard links of
 * the live SSTables plus `manifest.json` and `schema.cql`; listing with `total`/`live` sizes; clearing by tag,
 * keyspaces and table.
 * @module
 */
import { existsSync, linkSync, mkdirSync, readdirSync, rmSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describeTable, describeView } from "../cql/describe.ts";
import { RestError } from "../rest/rest-error.ts";
import { digestFile } from "./content.ts";
import type { NodeStorage, TableDir } from "./node-storage.ts";
import { recordSnapshotFiles } from "./snapshot-digests.ts";

/** One row of the GET listing (swagger `snapshots`). */
export interface SnapshotListing {
  key: string;
  value: Array<{ ks: string; cf: string; total: number; live: number }>;
}

/** What to snapshot: keyspaces (empty = all) and tables (only with one keyspace). */
export interface SnapshotTarget {
  tag: string;
  keyspaces: string[];
  tables: string[];
}

const splitList = (value: string | null): string[] =>
  (value ?? "")
    .split(",")
    .map((s) => s.trim())
    .filter(Boolean);

/** Parses `tag`, `kn`, `cf` the way Scylla does. */
export function parseSnapshotTarget(query: URLSearchParams): SnapshotTarget {
  const tag = query.get("tag") ?? "";
  const keyspaces = splitList(query.get("kn"));
  const tables = splitList(query.get("cf"));
  if (tables.length > 0 && keyspaces.length !== 1) {
    throw new RestError(400, "Only one keyspace allowed when specifying a column family");
  }
  return { tag, keyspaces, tables };
}

function manifest(storage: NodeStorage, dir: TableDir, tag: string, files: string[]): string {
  const node = storage.node;
  const ks = node.cluster.schema.keyspace(dir.keyspace);
  const id = `${dir.version.slice(0, 8)}-${dir.version.slice(8, 12)}-${dir.version.slice(12, 16)}-${dir.version.slice(16, 20)}-${dir.version.slice(20)}`;
  return `${JSON.stringify({
    manifest: { version: "1.0", scope: "node" },
    node: { host_id: node.hostId, datacenter: node.dc, rack: node.rack },
    snapshot: { name: tag, created_at: Math.floor(node.cluster.clock.now() / 1000) },
    table: {
      keyspace_name: dir.keyspace,
      table_name: dir.table,
      table_id: id,
      tablets_type: ks?.tablets ? "powof2" : "none",
    },
    files,
  })}\n`;
}

/** Takes a snapshot; "already exists" is a 500 worded as Scylla's (SM treats it as success). */
export function takeSnapshot(storage: NodeStorage, target: SnapshotTarget): void {
  const node = storage.node;
  const schema = node.cluster.schema;
  if (target.tag === "") throw new RestError(500, "You must supply a snapshot name.");
  if (/[/\\]|^\.\.?$/.test(target.tag)) throw new RestError(400, `Invalid snapshot name '${target.tag}'`);
  const keyspaces = target.keyspaces.length > 0 ? target.keyspaces : schema.keyspaces().map((k) => k.name);
  const plan: Array<{ keyspace: string; dirs: TableDir[] }> = [];
  for (const ks of keyspaces) {
    if (schema.keyspace(ks) === undefined) throw new RestError(400, `Keyspace ${ks} does not exist`);
    const names = target.tables.length > 0 ? target.tables : schema.columnFamilies(ks).map((t) => t.name);
    const dirs = names.map((t) => {
      const dir = storage.tableDir(ks, t);
      if (dir === undefined) throw new RestError(400, `Table ${ks}.${t} does not exist`);
      return dir;
    });
    if (dirs.some((d) => existsSync(join(d.path, "snapshots", target.tag)))) {
      throw new RestError(500, `Keyspace ${ks}: snapshot ${target.tag} already exists.`);
    }
    plan.push({ keyspace: ks, dirs });
  }
  for (const { keyspace, dirs } of plan) {
    const captured: Record<string, string[]> = {};
    for (const dir of dirs) {
      const snap = join(dir.path, "snapshots", target.tag);
      mkdirSync(snap, { recursive: true });
      const files = storage.liveFiles(dir);
      for (const f of files) linkSync(join(dir.path, f), join(snap, f));
      const def = schema.table(dir.keyspace, dir.table);
      writeFileSync(
        join(snap, "schema.cql"),
        def === undefined ? "" : `${def.view ? describeView(def) : describeTable(def)}\n`,
      );
      writeFileSync(join(snap, "manifest.json"), manifest(storage, dir, target.tag, files));
      captured[`${dir.keyspace}.${dir.table}`] = files;
      recordSnapshotFiles(
        node.cluster.ledger,
        target.tag,
        dir.keyspace,
        dir.table,
        files.map((name) => {
          const d = digestFile(join(snap, name));
          return { host: node.ip, name, size: d.size, digest: d.crc32 };
        }),
      );
    }
    node.cluster.ledger.record({
      kind: "snapshot",
      host: node.ip,
      action: "take",
      tag: target.tag,
      keyspace,
      tables: dirs.map((d) => d.table),
      files: captured,
      at: node.cluster.clock.now(),
    });
  }
}

function snapshotDirs(dir: TableDir): string[] {
  const root = join(dir.path, "snapshots");
  if (!existsSync(root)) return [];
  return readdirSync(root, { withFileTypes: true })
    .filter((e) => e.isDirectory())
    .map((e) => e.name);
}

/** Lists snapshots: one entry per tag with per-table total and live (not shared with live SSTables) bytes. */
export function listSnapshots(storage: NodeStorage): SnapshotListing[] {
  const byTag = new Map<string, SnapshotListing["value"]>();
  for (const dir of storage.allTableDirs()) {
    for (const tag of snapshotDirs(dir)) {
      const path = join(dir.path, "snapshots", tag);
      let total = 0;
      let live = 0;
      for (const f of readdirSync(path)) {
        const st = statSync(join(path, f));
        total += st.size;
        if (st.nlink <= 1) live += st.size;
      }
      const list = byTag.get(tag) ?? [];
      list.push({ ks: dir.keyspace, cf: dir.table, total, live });
      byTag.set(tag, list);
    }
  }
  return [...byTag].map(([key, value]) => ({ key, value }));
}

/** Deletes snapshots of a tag (every tag when empty), limited to keyspaces and tables when given. */
export function clearSnapshot(storage: NodeStorage, target: SnapshotTarget): void {
  const node = storage.node;
  const removed = new Map<string, string[]>();
  for (const dir of storage.allTableDirs()) {
    if (target.keyspaces.length > 0 && !target.keyspaces.includes(dir.keyspace)) continue;
    if (target.tables.length > 0 && !target.tables.includes(dir.table)) continue;
    for (const tag of snapshotDirs(dir)) {
      if (target.tag !== "" && tag !== target.tag) continue;
      rmSync(join(dir.path, "snapshots", tag), { recursive: true, force: true });
      const k = `${tag}|${dir.keyspace}`;
      removed.set(k, [...(removed.get(k) ?? []), dir.table]);
    }
  }
  for (const [k, tables] of removed) {
    const [tag = "", keyspace = ""] = k.split("|");
    node.cluster.ledger.record({
      kind: "snapshot",
      host: node.ip,
      action: "delete",
      tag,
      keyspace,
      tables,
      at: node.cluster.clock.now(),
    });
  }
}
