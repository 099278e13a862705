/**
 * Ledger queries of storage tests: do the SSTables loaded into a table hold exactly what a snapshot held?
 * @module
 */
import type { Ledger } from "../ledger.ts";
import { type CapturedFile, snapshotFiles } from "./snapshot-digests.ts";

/** Result of comparing loads with a snapshot: files never loaded, and loaded files the snapshot did not hold. */
export interface LoadComparison {
  /** Snapshot files (any host) with no successful load of the same name, size and content. */
  missing: CapturedFile[];
  /** Successfully loaded files that match no snapshot file. */
  unexpected: Array<{ host: string; name: string; size: number; digest: string }>;
  loadedFiles: number;
  snapshotFiles: number;
}

/**
 * Compares successful loads of `keyspace.table` with what the snapshots of `tag` held, by name, size and CRC32.
 * Each snapshot file must be loaded at least once (restores load one node's files on another node).
 */
export function compareLoadsWithSnapshot(ledger: Ledger, tag: string, keyspace: string, table: string): LoadComparison {
  const captured = snapshotFiles(ledger, tag, keyspace, table);
  const loaded = ledger
    .loads(keyspace, table)
    .filter((e) => e.outcome === "successful")
    .flatMap((e) => e.files.map((f) => ({ host: e.host, ...f })));
  const fileKey = (f: { name: string; size: number; digest: string }): string => `${f.name}|${f.size}|${f.digest}`;
  const capturedKeys = new Set(captured.map(fileKey));
  const loadedKeys = new Set(loaded.map(fileKey));
  return {
    missing: captured.filter((f) => !loadedKeys.has(fileKey(f))),
    unexpected: loaded.filter((f) => !capturedKeys.has(fileKey(f))),
    loadedFiles: loaded.length,
    snapshotFiles: captured.length,
  };
}
