/**
 * The append-only record of what the emulated cluster did: repairs, snapshots, SSTable loads and injected
 * faults. Tests assert outcomes from it (ring coverage, replica sets, concurrency) instead of spying on calls.
 * @module
 */

/** A token range `(start, end]` as int64 decimal strings, the way Scylla's REST API writes tokens. */
export interface LedgerRange {
  start: string;
  end: string;
}

/** One repair job (vnode `repair_async` or a tablet repair). */
export interface RepairEntry {
  kind: "repair";
  /** Node (IP) the job ran on: the coordinator SM forced. */
  host: string;
  /** Repair command id (vnode) or task id (tablets). */
  id: string;
  keyspace: string;
  tables: string[];
  ranges: LedgerRange[];
  /** Replica set (IPs) the job repaired, sorted. */
  hosts: string[];
  /** Real start and end times in ms; end is undefined while running. */
  start: number;
  end?: number;
  outcome: "running" | "successful" | "failed" | "aborted";
  /** Extra parameters as received (ranges_parallelism, small_table_optimization, incremental_mode, ...). */
  params: Record<string, string>;
}

/** A snapshot taken or deleted on one node. */
export interface SnapshotEntry {
  kind: "snapshot";
  host: string;
  action: "take" | "delete";
  tag: string;
  keyspace: string;
  tables: string[];
  /** SSTable file names (relative to the table dir) captured, per `ks.table`. */
  files?: Record<string, string[]>;
  at: number;
}

/** SSTables loaded from `upload/` (load_and_stream or plain refresh). */
export interface LoadEntry {
  kind: "load";
  host: string;
  keyspace: string;
  table: string;
  /** The table dir whose `upload/` was loaded: `<table>-<table id without dashes>` (the node's current version). */
  dir: string;
  loadAndStream: boolean;
  primaryReplicaOnly: boolean;
  /** Loaded SSTable component files with a content digest each. */
  files: Array<{ name: string; size: number; digest: string }>;
  start: number;
  end?: number;
  outcome: "running" | "successful" | "failed";
  error?: string;
}

/** A fault applied or cleared through the control API. */
export interface FaultEntry {
  kind: "fault";
  host: string;
  action: string;
  detail: Record<string, unknown>;
  at: number;
}

/** `tablets/balancing?enabled=` as received (backup disables it around snapshots). */
export interface BalancingEntry {
  kind: "balancing";
  host: string;
  enabled: boolean;
  at: number;
}

/** A native backup (`storage_service/backup`) or restore (`storage_service/restore`) task; see `native/`. */
export interface NativeTransferEntry {
  kind: "native_backup" | "native_restore";
  host: string;
  taskId: string;
  endpoint: string;
  bucket: string;
  prefix: string;
  keyspace: string;
  table: string;
  /** Parameters as received (snapshot, move_files; scope, primary_replica_only). */
  params: Record<string, string>;
  /** Files uploaded (backup) or downloaded (restore) so far, with a CRC32 each. */
  files: Array<{ name: string; size: number; digest: string }>;
  /** Restore: the TOC object keys of the request body. */
  tocs?: string[];
  start: number;
  end?: number;
  outcome: "running" | "successful" | "failed";
  error?: string;
}

export type LedgerEntry = RepairEntry | SnapshotEntry | LoadEntry | FaultEntry | BalancingEntry | NativeTransferEntry;
export type LedgerKind = LedgerEntry["kind"];
type EntryOf<K extends LedgerKind> = Extract<LedgerEntry, { kind: K }>;

/** The cluster-wide, append-only ledger. Entries are returned by reference so a running job can be finished in place. */
export class Ledger {
  readonly #entries: LedgerEntry[] = [];
  readonly #listeners = new Set<(entry: LedgerEntry) => void>();

  /** Appends an entry and returns it (the same object, to be updated with `finish`). */
  record<E extends LedgerEntry>(entry: E): E {
    this.#entries.push(entry);
    for (const listener of this.#listeners) listener(entry);
    return entry;
  }

  /** Marks a running repair or load as ended. */
  finish(
    entry: RepairEntry | LoadEntry,
    outcome: RepairEntry["outcome"] | LoadEntry["outcome"],
    end: number,
    error?: string,
  ): void {
    (entry as { outcome: string }).outcome = outcome;
    entry.end = end;
    if (error !== undefined && entry.kind === "load") entry.error = error;
  }

  /** All entries in order (a copy of the list). */
  all(): LedgerEntry[] {
    return [...this.#entries];
  }

  /** Entries of one kind, optionally filtered. */
  of<K extends LedgerKind>(kind: K, filter?: (entry: EntryOf<K>) => boolean): EntryOf<K>[] {
    return this.#entries.filter(
      (entry): entry is EntryOf<K> => entry.kind === kind && (filter === undefined || filter(entry as EntryOf<K>)),
    );
  }

  /** Repairs of a keyspace (and table, when given). */
  repairs(keyspace?: string, table?: string): RepairEntry[] {
    return this.of(
      "repair",
      (e) => (keyspace === undefined || e.keyspace === keyspace) && (table === undefined || e.tables.includes(table)),
    );
  }

  /** Highest number of repairs running at the same time, overall or on one host. */
  maxConcurrentRepairs(host?: string): number {
    return maxConcurrentRepairs(this.repairs(), host);
  }

  /** Snapshots of a tag. */
  snapshots(tag?: string): SnapshotEntry[] {
    return this.of("snapshot", (e) => tag === undefined || e.tag === tag);
  }

  /** Loads of a table. */
  loads(keyspace?: string, table?: string): LoadEntry[] {
    return this.of(
      "load",
      (e) => (keyspace === undefined || e.keyspace === keyspace) && (table === undefined || e.table === table),
    );
  }

  /** Subscribes to new entries; returns the unsubscribe function. */
  onRecord(listener: (entry: LedgerEntry) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }
}

/**
 * Highest number of the given repair jobs running at once, counting only jobs `host` took part in when given.
 * Ends sort before starts at the same instant: a job that starts as another ends does not overlap it.
 */
export function maxConcurrentRepairs(entries: readonly RepairEntry[], host?: string): number {
  const events: Array<[number, number]> = [];
  for (const e of entries) {
    if (host !== undefined && e.host !== host && !e.hosts.includes(host)) continue;
    events.push([e.start, 1], [e.end ?? Number.POSITIVE_INFINITY, -1]);
  }
  events.sort((a, b) => a[0] - b[0] || a[1] - b[1]);
  let current = 0;
  let max = 0;
  for (const [, delta] of events) {
    current += delta;
    max = Math.max(max, current);
  }
  return max;
}
