/**
 * Content digests of what snapshots held, kept beside the ledger (snapshot files are moved away by backups, so the
 * digests are captured when the snapshot is taken). Tests compare loaded SSTables against them.
 * @module
 */
import type { Ledger } from "../ledger.ts";

/** One captured file. */
export interface CapturedFile {
  /** Host the snapshot was taken on. */
  host: string;
  name: string;
  size: number;
  /** CRC32, 8 hex digits. */
  digest: string;
}

const index = new WeakMap<Ledger, Map<string, CapturedFile[]>>();
const key = (tag: string, keyspace: string, table: string): string => `${tag}|${keyspace}.${table}`;

/** Records the files of one table's snapshot on one host. */
export function recordSnapshotFiles(
  ledger: Ledger,
  tag: string,
  keyspace: string,
  table: string,
  files: CapturedFile[],
): void {
  let map = index.get(ledger);
  if (map === undefined) {
    map = new Map();
    index.set(ledger, map);
  }
  const list = map.get(key(tag, keyspace, table)) ?? [];
  list.push(...files);
  map.set(key(tag, keyspace, table), list);
}

/** Files snapshots of `tag` held for a table, across hosts. */
export function snapshotFiles(ledger: Ledger, tag: string, keyspace: string, table: string): CapturedFile[] {
  return [...(index.get(ledger)?.get(key(tag, keyspace, table)) ?? [])];
}
