/**
 * The batch dispatcher of the DATA stage (SM's `pkg/service/restore/batch.go` behaviour): hands every host batches
 * of SSTables from the remote dir with the most bytes left that the host may restore, sized to the host's shards,
 * takes failed batches back for other hosts, and bars a host that failed from the failed batch's source DC.
 *
 * Sizing (always multiples of the host's shard count; the first group is never limited; if fewer than a shard
 * count of SSTables would be left in the dir, they join the batch):
 * - `batchSize = 0`: up to 5% of the host's expected workload (total bytes / Σ shards × host shards);
 * - `batchSize = N`: N × shard count SSTables;
 * - rclone batches stop growing past {@link MAX_BATCH_FILES} component files (soft cap);
 * - native batches (whatever `batchSize`): up to the larger of 5% of the host's expected workload and what is left of
 *   it (its expected workload minus the bytes it took so far), as Scylla's restore API streams a big batch well.
 * A batch holds SSTables of one kind only (integer or UUID IDs, versioned or not); it is native when the host may use
 * the native API for the dir's location and its SSTables qualify (UUID IDs, not versioned).
 * @module
 */
import { ManagerError } from "../errors.ts";
import { sstableSupportsNative } from "./native.ts";
import type { RemoteDirWorkload, RemoteSSTable, Workload } from "./workload.ts";

/** Soft cap of component files in one rclone batch (SM's request-body limit). */
export const MAX_BATCH_FILES = 10_000;

/** SSTables one host restores in one go, all from one remote dir. */
export interface Batch {
  keyspace: string;
  table: string;
  location: string;
  dc: string;
  nodeId: string;
  remoteSstableDir: string;
  size: number;
  sstables: RemoteSSTable[];
  /** Restored through Scylla's native restore API (else downloaded by the agent and loaded with load&stream). */
  native: boolean;
}

export interface BatchDispatcherOptions {
  /** SSTables per shard in a batch; 0 = size-based (5% of the host's expected workload). */
  batchSize: number;
  /** Shard count of each restoring host. */
  hostShards: ReadonlyMap<string, number>;
  /** Source DCs each host may restore (from the locations it can read and the DC mapping). */
  hostDcAccess: ReadonlyMap<string, readonly string[]>;
  /** Whether `host` may restore batches of `location` (without DC, e.g. `s3:bucket`) natively; default never. */
  nativeFor?: (host: string, location: string) => boolean;
}

interface DirState {
  dir: RemoteDirWorkload;
  remainingSize: number;
  remaining: RemoteSSTable[];
}

const kindOf = (s: RemoteSSTable) => `${s.idType}/${s.versioned}`;

/** See the module comment. Methods are synchronous except {@link BatchDispatcher.dispatch}, which may wait. */
export class BatchDispatcher {
  readonly #batchSize: number;
  readonly #hostShards: ReadonlyMap<string, number>;
  readonly #hostDcAccess: ReadonlyMap<string, readonly string[]>;
  readonly #expectedShardWorkload: number;
  readonly #dirs: DirState[];
  readonly #dcBytesLeft = new Map<string, number>();
  readonly #hostFailedDcs = new Map<string, Set<string>>();
  readonly #hostTaken = new Map<string, number>();
  readonly #nativeFor: (host: string, location: string) => boolean;
  #waiters: Array<() => void> = [];

  constructor(workload: Workload, options: BatchDispatcherOptions) {
    this.#batchSize = options.batchSize;
    this.#hostShards = options.hostShards;
    this.#hostDcAccess = options.hostDcAccess;
    this.#nativeFor = options.nativeFor ?? (() => false);
    let shards = 0;
    for (const n of options.hostShards.values()) shards += n;
    this.#expectedShardWorkload = Math.floor(workload.totalSize / Math.max(1, shards));
    const dirs = [...workload.remoteDirs].sort((a, b) => {
      const ta = workload.tableSize.get(`${a.keyspace}.${a.table}`) ?? 0;
      const tb = workload.tableSize.get(`${b.keyspace}.${b.table}`) ?? 0;
      return tb - ta || b.size - a.size;
    });
    this.#dirs = dirs.map((dir) => ({
      dir,
      remainingSize: dir.size,
      remaining: [...dir.sstables].sort((a, b) => b.size - a.size),
    }));
    for (const { dir } of this.#dirs) this.#dcBytesLeft.set(dir.dc, (this.#dcBytesLeft.get(dir.dc) ?? 0) + dir.size);
  }

  /** Whether `host` has nothing left it could restore (every DC it may serve is done or barred for it). */
  isDone(host: string): boolean {
    const failed = this.#hostFailedDcs.get(host);
    for (const dc of this.#hostDcAccess.get(host) ?? []) {
      if (!failed?.has(dc) && (this.#dcBytesLeft.get(dc) ?? 0) !== 0) return false;
    }
    return true;
  }

  /**
   * The next batch for `host`, or undefined when it has nothing left to do. While other hosts still hold batches it
   * could take over after a failure, it waits for them (resolves undefined when `signal` aborts).
   */
  async dispatch(host: string, signal?: AbortSignal): Promise<Batch | undefined> {
    for (;;) {
      if (signal?.aborted) return undefined;
      if (this.isDone(host)) return undefined;
      const batch = this.tryDispatch(host);
      if (batch) return batch;
      await new Promise<void>((resolve) => {
        const wake = () => {
          signal?.removeEventListener("abort", wake);
          resolve();
        };
        this.#waiters.push(wake);
        signal?.addEventListener("abort", wake, { once: true });
      });
    }
  }

  /** A batch for `host` if one is available right now (no waiting). */
  tryDispatch(host: string): Batch | undefined {
    const failed = this.#hostFailedDcs.get(host);
    const access = this.#hostDcAccess.get(host) ?? [];
    const state = this.#dirs.find(
      (s) => s.remainingSize > 0 && s.remaining.length > 0 && !failed?.has(s.dir.dc) && access.includes(s.dir.dc),
    );
    return state ? this.#createBatch(state, host) : undefined;
  }

  #createBatch(state: DirState, host: string): Batch | undefined {
    const shards = Math.max(1, this.#hostShards.get(host) ?? 1);
    const kind = kindOf(state.remaining[0] as RemoteSSTable);
    const candidates = state.remaining.filter((s) => kindOf(s) === kind);
    let count = 0;
    let size = 0;
    let files = 0;
    const take = () => {
      const s = candidates[count++] as RemoteSSTable;
      size += s.size;
      files += s.files.length;
    };
    const native = this.#nativeFor(host, state.dir.location) && sstableSupportsNative(candidates[0] as RemoteSSTable);
    const nodeWorkload = this.#expectedShardWorkload * shards;
    if (native || this.#batchSize === 0) {
      const limit = native
        ? Math.max(Math.floor(nodeWorkload / 20), nodeWorkload - (this.#hostTaken.get(host) ?? 0))
        : Math.floor(nodeWorkload / 20);
      for (;;) {
        for (let i = 0; i < shards && count < candidates.length; i++) take();
        if (count >= candidates.length || size > limit || (!native && files >= MAX_BATCH_FILES)) break;
      }
    } else {
      const want = Math.min(this.#batchSize * shards, candidates.length);
      while (count < want) {
        take();
        if (files >= MAX_BATCH_FILES && count % shards === 0) break;
      }
    }
    if (count === 0) return undefined;
    if (candidates.length - count < shards) while (count < candidates.length) take();
    const chosen = new Set(candidates.slice(0, count));
    state.remaining = state.remaining.filter((s) => !chosen.has(s));
    state.remainingSize -= size;
    this.#hostTaken.set(host, (this.#hostTaken.get(host) ?? 0) + size);
    const { dir } = state;
    return {
      keyspace: dir.keyspace,
      table: dir.table,
      location: dir.location,
      dc: dir.dc,
      nodeId: dir.nodeId,
      remoteSstableDir: dir.remoteSstableDir,
      size,
      sstables: [...chosen],
      native,
    };
  }

  /** The batch was restored: its bytes count as done for its source DC. */
  reportSuccess(batch: Batch): void {
    const left = (this.#dcBytesLeft.get(batch.dc) ?? 0) - batch.size;
    this.#dcBytesLeft.set(batch.dc, left);
    if (left === 0) this.#wake();
  }

  /** The batch failed on `host`: the host is barred from the batch's source DC and the batch returns to the pool. */
  reportFailure(host: string, batch: Batch): void {
    const failed = this.#hostFailedDcs.get(host) ?? new Set<string>();
    failed.add(batch.dc);
    this.#hostFailedDcs.set(host, failed);
    this.#hostTaken.set(host, (this.#hostTaken.get(host) ?? 0) - batch.size);
    const state = this.#dirs.find((s) => s.dir.remoteSstableDir === batch.remoteSstableDir);
    if (!state) throw new ManagerError(`unknown remote sstable dir ${batch.remoteSstableDir}`);
    state.remaining = [...batch.sstables, ...state.remaining].sort((a, b) => b.size - a.size);
    state.remainingSize += batch.size;
    this.#wake();
  }

  /** Throws SM's error naming the first remote dir with SSTables left (after every host gave up). */
  validateAllDispatched(): void {
    for (const state of this.#dirs) {
      if (state.remainingSize !== 0 || state.remaining.length !== 0) {
        const d = state.dir;
        throw new ManagerError(
          `failed to restore ${state.remaining.length} sstables from location ${d.location} dc ${d.dc} table ${d.keyspace}.${d.table} (${state.remainingSize} bytes). See logs for more info`,
        );
      }
    }
    for (const [dc, bytes] of this.#dcBytesLeft) {
      if (bytes !== 0) {
        throw new ManagerError(
          `expected all data from DC "${dc}" to be restored (missing ${bytes} bytes): internal progress calculation error`,
        );
      }
    }
  }

  #wake(): void {
    const waiters = this.#waiters;
    this.#waiters = [];
    for (const wake of waiters) wake();
  }
}
