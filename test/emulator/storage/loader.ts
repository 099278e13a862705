/**
 * `POST /storage_service/sstables/{ks}?cf=&load_and_stream=...`: loads the SSTables of a table's `upload/` dir.
 * Synchronous like Scylla's: it answers when the load is over, after a modelled time of bytes / load bandwidth.
 * The loader is node-wide, so a second call while one runs fails with Scylla's "Already loading SSTables".
 * Loaded files leave `upload/` and join the table's live SSTables under fresh generations.
 * @module
 */
import { existsSync, readdirSync, renameSync } from "node:fs";
import { basename, join } from "node:path";
import type { ClusterState } from "../node-context.ts";
import { RestError } from "../rest/rest-error.ts";
import { digestFile } from "./content.ts";
import type { NodeStorage } from "./node-storage.ts";
import { formatSSTableFileName, parseSSTableFileName } from "./sstable-names.ts";

/** Options of one load. */
export interface LoadOptions {
  loadAndStream: boolean;
  primaryReplicaOnly: boolean;
  skipCleanup: boolean;
  skipReshape: boolean;
}

/** Modelled load-and-stream throughput per node (bytes per modelled second). */
const DEFAULT_LOAD_BANDWIDTH = 256 * 1024 * 1024;
const loadBandwidth = new WeakMap<ClusterState, number>();

/** Sets the modelled load bandwidth of a cluster's nodes (bytes per modelled second). */
export function setLoadBandwidth(cluster: ClusterState, bytesPerSecond: number): void {
  if (!(bytesPerSecond > 0)) throw new Error(`load bandwidth must be > 0, got ${bytesPerSecond}`);
  loadBandwidth.set(cluster, bytesPerSecond);
}

/** Groups the SSTable component files of a dir by generation. */
function groupByGeneration(dir: string): Map<string, string[]> {
  const groups = new Map<string, string[]>();
  for (const name of readdirSync(dir).sort()) {
    const parsed = parseSSTableFileName(name);
    if (parsed === undefined) continue;
    groups.set(parsed.generation, [...(groups.get(parsed.generation) ?? []), name]);
  }
  return groups;
}

/** Loads `upload/` of a table; throws RestError the way Scylla answers. */
export async function loadUploadDir(
  storage: NodeStorage,
  keyspace: string,
  table: string,
  options: LoadOptions,
): Promise<void> {
  const node = storage.node;
  const cluster = node.cluster;
  if (cluster.schema.keyspace(keyspace) === undefined) throw new RestError(400, `Can't find a keyspace ${keyspace}`);
  const dir = storage.tableDir(keyspace, table);
  if (dir === undefined) throw new RestError(400, `Can't find a column family ${table} in keyspace ${keyspace}`);
  if (storage.loading) throw new RestError(500, "Already loading SSTables. Try again later");
  storage.loading = true;
  const upload = join(dir.path, "upload");
  const groups = existsSync(upload) ? groupByGeneration(upload) : new Map<string, string[]>();
  const files: Array<{ name: string; size: number; digest: string }> = [];
  for (const names of groups.values()) {
    for (const name of names) {
      const d = digestFile(join(upload, name));
      files.push({ name, size: d.size, digest: d.crc32 });
    }
  }
  const entry = cluster.ledger.record({
    kind: "load",
    host: node.ip,
    keyspace,
    table,
    dir: basename(dir.path),
    loadAndStream: options.loadAndStream,
    primaryReplicaOnly: options.primaryReplicaOnly,
    files,
    start: cluster.clock.now(),
    outcome: "running",
  });
  try {
    const incomplete = [...groups].find(([, names]) => !names.some((n) => n.endsWith("-TOC.txt")));
    if (incomplete !== undefined) {
      throw new RestError(500, `Failed to load SSTables: ${incomplete[1][0] ?? incomplete[0]}: TOC file missing`);
    }
    const bytes = files.reduce((sum, f) => sum + f.size, 0);
    // A node that shuts down does not finish its load: the files stay in upload/ (the client sees no answer).
    const stopped = new AbortController();
    const unsubscribe = cluster.onNodeState((ip, up) => {
      if (ip === node.ip && !up) stopped.abort(new RestError(500, "node stopped during load"));
    });
    try {
      await cluster.clock.sleepModelled(
        (bytes / (loadBandwidth.get(cluster) ?? DEFAULT_LOAD_BANDWIDTH)) * 1000,
        stopped.signal,
      );
    } finally {
      unsubscribe();
    }
    if (stopped.signal.aborted) throw stopped.signal.reason;
    for (const names of groups.values()) {
      const generation = storage.newGeneration();
      for (const name of names) {
        const component = parseSSTableFileName(name)?.component ?? "";
        renameSync(join(upload, name), join(dir.path, formatSSTableFileName(generation, component)));
      }
    }
    cluster.ledger.finish(entry, "successful", cluster.clock.now());
  } catch (err) {
    cluster.ledger.finish(entry, "failed", cluster.clock.now(), err instanceof Error ? err.message : String(err));
    throw err;
  } finally {
    storage.loading = false;
  }
}
