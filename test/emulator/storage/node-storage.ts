/**
 * One node's data dir: `<data_dir>/<ks>/<table>-<32 hex id>/` with SSTables sized from the schema model, an
 * `upload/` dir per table, and the reaction to schema changes. A dropped table keeps its dir with an automatic
 * snapshot, as Scylla does with its default `auto_snapshot: true`.
 * @module
 */
import { existsSync, linkSync, mkdirSync, readdirSync, rmSync, statSync } from "node:fs";
import { mkdir } from "node:fs/promises";
import { join } from "node:path";
import type { NodeContext } from "../node-context.ts";
import { createRandom, type Random } from "../random.ts";
import type { KeyspaceDef, TableDef } from "../schema/types.ts";
import { formatUuidGeneration, parseSSTableFileName } from "./sstable-names.ts";
import { writeSSTable, writeSSTableAsync } from "./sstable-writer.ts";

/** Epoch of the UUID generations of the initial SSTables (fixed so names are deterministic from the seed). */
const INITIAL_EPOCH_MS = Date.UTC(2025, 0, 1);

/** A table dir the node knows (kept after the table is dropped). */
export interface TableDir {
  keyspace: string;
  table: string;
  /** Table id without dashes. */
  version: string;
  path: string;
}

const MIB = 1024 * 1024;

/** An SSTable to write: generation, total bytes and content seed. */
interface PlannedSSTable {
  generation: string;
  size: number;
  seed: string;
}

/**
 * How many SSTables a table of `size` bytes has on a node. Kept low for small tables: every SSTable is nine files,
 * and file creation dominates the start-up of clusters with many tables.
 */
export function countSSTables(size: number): number {
  if (size <= 0) return 0;
  if (size < 16 * MIB) return 1;
  if (size < 256 * MIB) return 2;
  if (size < 4096 * MIB) return 3;
  return 4;
}

/** Whether a node stores data of a keyspace (NetworkTopologyStrategy with RF 0 in its DC does not). */
export function holdsKeyspace(ks: KeyspaceDef, dc: string): boolean {
  if (!ks.replication.class.endsWith("NetworkTopologyStrategy")) return true;
  return Number(ks.replication[dc] ?? 0) > 0;
}

/** The storage of one emulated node. */
export class NodeStorage {
  readonly node: NodeContext;
  readonly #dirs = new Map<string, TableDir>();
  readonly #random: Random;
  #generation = 0;
  /** Set while `sstables/{ks}` runs; the loader is node-wide in Scylla. */
  loading = false;

  constructor(node: NodeContext) {
    this.node = node;
    this.#random = createRandom(`${node.cluster.seed}:${node.ip}:sstables`);
  }

  /** Creates every table dir and writes the initial SSTables. */
  materialize(): void {
    const schema = this.node.cluster.schema;
    for (const ks of schema.keyspaces()) mkdirSync(join(this.node.dataDir, ks.name), { recursive: true });
    for (const t of schema.columnFamilies()) this.#ensureTable(t, true);
  }

  /**
   * Same as `materialize`, writing files concurrently (file creation dominates the start-up of clusters with many
   * tables); at most `limit` tables are written at a time.
   */
  async materializeAsync(limit = 16): Promise<void> {
    const schema = this.node.cluster.schema;
    await Promise.all(schema.keyspaces().map((ks) => mkdir(join(this.node.dataDir, ks.name), { recursive: true })));
    const work = schema.columnFamilies().map((t) => {
      const { dir, sstables } = this.#prepareTable(t, true);
      return async (): Promise<void> => {
        await mkdir(join(dir.path, "upload"), { recursive: true });
        await Promise.all(sstables.map((p) => writeSSTableAsync(dir.path, p.generation, p.size, p.seed)));
      };
    });
    const next = async (): Promise<void> => {
      for (let job = work.shift(); job !== undefined; job = work.shift()) await job();
    };
    await Promise.all(Array.from({ length: limit }, next));
  }

  /** Brings the dirs in line with the schema after a change: new tables get a dir, dropped ones a snapshot. */
  reconcile(): void {
    const schema = this.node.cluster.schema;
    for (const ks of schema.keyspaces()) mkdirSync(join(this.node.dataDir, ks.name), { recursive: true });
    const live = new Set<string>();
    for (const t of schema.columnFamilies()) {
      live.add(`${t.keyspace}.${t.name}`);
      if (!this.#dirs.has(`${t.keyspace}.${t.name}`)) this.#ensureTable(t, true);
    }
    for (const [key, dir] of this.#dirs) {
      if (live.has(key)) continue;
      this.#dropTable(dir);
      this.#dirs.delete(key);
    }
  }

  /** The dir of a live table; undefined when the table does not exist. */
  tableDir(keyspace: string, table: string): TableDir | undefined {
    const def = this.node.cluster.schema.table(keyspace, table);
    if (def === undefined) return undefined;
    return this.#dirs.get(`${keyspace}.${table}`) ?? this.#ensureTable(def, false);
  }

  /** Every dir under the data dir that looks like a table dir (dropped tables included). */
  allTableDirs(): TableDir[] {
    const out: TableDir[] = [];
    if (!existsSync(this.node.dataDir)) return out;
    for (const ks of readdirSync(this.node.dataDir, { withFileTypes: true })) {
      if (!ks.isDirectory()) continue;
      for (const t of readdirSync(join(this.node.dataDir, ks.name), { withFileTypes: true })) {
        const m = /^(.+)-([0-9a-f]{32})$/.exec(t.name);
        if (!t.isDirectory() || m === null) continue;
        out.push({
          keyspace: ks.name,
          table: m[1] ?? "",
          version: m[2] ?? "",
          path: join(this.node.dataDir, ks.name, t.name),
        });
      }
    }
    return out;
  }

  /** Live SSTable component files of a table dir (names). */
  liveFiles(dir: TableDir): string[] {
    if (!existsSync(dir.path)) return [];
    return readdirSync(dir.path, { withFileTypes: true })
      .filter((e) => e.isFile() && parseSSTableFileName(e.name) !== undefined)
      .map((e) => e.name)
      .sort();
  }

  /** Total bytes of a table's live SSTables. */
  liveBytes(dir: TableDir): number {
    return this.liveFiles(dir).reduce((sum, f) => sum + statSync(join(dir.path, f)).size, 0);
  }

  /**
   * A memtable flush: one new SSTable of `sizeBytes` in the table's live dir (what writes followed by a flush leave
   * on a real node). Returns its component file names.
   */
  flushSSTable(keyspace: string, table: string, sizeBytes: number): string[] {
    const dir = this.tableDir(keyspace, table);
    if (dir === undefined) throw new Error(`flushSSTable: no table ${keyspace}.${table}`);
    const generation = this.newGeneration();
    const seed = `${this.node.cluster.seed}:${this.node.ip}:${keyspace}.${table}:${generation}:flush`;
    writeSSTable(dir.path, generation, sizeBytes, seed);
    return this.liveFiles(dir).filter((f) => parseSSTableFileName(f)?.generation === generation);
  }

  /** A fresh generation: UUID-style when the node has uuid_sstable_identifiers, else the next integer. */
  newGeneration(atMs?: number): string {
    this.#generation += 1;
    if (!this.node.settings.uuidSstableIdentifiers) return String(this.#generation);
    return formatUuidGeneration(atMs ?? this.node.cluster.clock.now(), this.#random);
  }

  /** Registers a table dir and plans its initial SSTables (generations are handed out here, synchronously). */
  #prepareTable(def: TableDef, populate: boolean): { dir: TableDir; sstables: PlannedSSTable[] } {
    const version = def.id.replaceAll("-", "");
    const path = join(this.node.dataDir, def.keyspace, `${def.name}-${version}`);
    const dir: TableDir = { keyspace: def.keyspace, table: def.name, version, path };
    this.#dirs.set(`${def.keyspace}.${def.name}`, dir);
    const ks = this.node.cluster.schema.keyspace(def.keyspace);
    const sstables: PlannedSSTable[] = [];
    // A data dir reused from an earlier run keeps its SSTables; integer generations continue after them.
    for (const f of this.liveFiles(dir)) {
      const g = Number(parseSSTableFileName(f)?.generation);
      if (Number.isSafeInteger(g) && g > this.#generation) this.#generation = g;
    }
    if (populate && ks !== undefined && holdsKeyspace(ks, this.node.dc) && this.liveFiles(dir).length === 0) {
      const count = countSSTables(def.sizeBytes);
      let left = def.sizeBytes;
      for (let i = 0; i < count; i++) {
        // Older SSTables are bigger (compaction merged them): halve the remainder, the last takes the rest.
        const size = i === count - 1 ? left : Math.ceil(left / 2);
        left -= size;
        const generation = this.newGeneration(INITIAL_EPOCH_MS + this.#generation * 1000);
        const seed = `${this.node.cluster.seed}:${this.node.ip}:${dir.keyspace}.${dir.table}:${generation}`;
        sstables.push({ generation, size, seed });
      }
    }
    return { dir, sstables };
  }

  #ensureTable(def: TableDef, populate: boolean): TableDir {
    const { dir, sstables } = this.#prepareTable(def, populate);
    mkdirSync(join(dir.path, "upload"), { recursive: true });
    for (const p of sstables) writeSSTable(dir.path, p.generation, p.size, p.seed);
    return dir;
  }

  /** Scylla's auto_snapshot on DROP: snapshot `<ms>-<table>` of the live files, then the live files go. */
  #dropTable(dir: TableDir): void {
    const files = this.liveFiles(dir);
    if (files.length > 0) {
      const snap = join(dir.path, "snapshots", `${this.node.cluster.clock.now()}-${dir.table}`);
      mkdirSync(snap, { recursive: true });
      for (const f of files) linkSync(join(dir.path, f), join(snap, f));
    }
    for (const f of files) rmSync(join(dir.path, f), { force: true });
    rmSync(join(dir.path, "upload"), { recursive: true, force: true });
  }
}

const storages = new WeakMap<NodeContext, NodeStorage>();

function createStorage(node: NodeContext): NodeStorage {
  const created = new NodeStorage(node);
  storages.set(node, created);
  node.cluster.schema.onChange(() => created.reconcile());
  return created;
}

/** The storage of a node, created (and materialised) on first use and kept in line with the schema. */
export function nodeStorage(node: NodeContext): NodeStorage {
  let storage = storages.get(node);
  if (storage === undefined) {
    storage = createStorage(node);
    storage.materialize();
  }
  return storage;
}

/** Creates a node's storage and writes its data dir concurrently; resolves when every file is written. */
export async function materializeNodeStorage(node: NodeContext): Promise<NodeStorage> {
  const existing = storages.get(node);
  if (existing !== undefined) return existing;
  const storage = createStorage(node);
  await storage.materializeAsync();
  return storage;
}
