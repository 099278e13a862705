/**
 * Manifest build benchmark: `bun bench/manifest.ts [tables] [sstables]` (default 10 000 tables × 10 SSTables of
 * 9 components each per node, i.e. 900 000 file names in one node's manifest).
 * Prints the time to build the manifest object from the snapshot dirs' listings, to encode it (SM's JSON + gzip), to
 * decode it back with the streaming decoder, the manifest's sizes, and the process's peak RSS (VmHWM) after each
 * step (the listings themselves, test data, are part of the peak). Goal of issue 12:
 * build + encode in < 2 s and < 200 MiB. Figures depend on the machine; nothing here asserts speed.
 */
import { readFileSync, writeFileSync } from "node:fs";
import type { FilesMeta, Manifest } from "../src/backup/layout/manifest.ts";
import { encodeManifest, readManifest } from "../src/backup/layout/manifest-codec.ts";

const TABLES = Number(process.argv[2] ?? 10_000);
const SSTABLES = Number(process.argv[3] ?? 10);
const COMPONENTS = [
  "CompressionInfo.db",
  "Data.db",
  "Digest.crc32",
  "Filter.db",
  "Index.db",
  "Scylla.db",
  "Statistics.db",
  "Summary.db",
  "TOC.txt",
];

/** Peak resident set size so far, MiB (Linux /proc; falls back to the current RSS). */
function peakRssMiB(): number {
  try {
    const match = /VmHWM:\s+(\d+) kB/.exec(readFileSync("/proc/self/status", "utf8"));
    if (match) return Number(match[1]) / 1024;
  } catch {
    // not Linux
  }
  return process.memoryUsage().rss / 1024 / 1024;
}

/** Resets the peak-RSS mark to the current RSS (Linux `clear_refs` 5), after a full GC. */
function resetPeak(): void {
  Bun.gc(true);
  try {
    writeFileSync("/proc/self/clear_refs", "5");
  } catch {
    // not Linux, or not allowed: the peak then includes what came before
  }
}

const rnd = (n: number) => Math.floor(Math.random() * n);
const base36 = (len: number) =>
  Array.from({ length: len }, () => "0123456789abcdefghijklmnopqrstuvwxyz"[rnd(36)]).join("");
/** A UUID-style SSTable id as Scylla writes it: `xxxx_xxxx_xxxxxxxxxxxxxxxxxx`. */
const sstableId = () => `${base36(4)}_${base36(4)}_${base36(18)}`;

/**
 * The snapshot dirs' listings as the backup gets them: per table the file names and sizes, parsed from the agent's
 * JSON answer (so the strings are what a real run holds, not concatenation ropes).
 */
function listings(): { names: string[]; sizes: number[] }[] {
  const out: { names: string[]; sizes: number[] }[] = new Array(TABLES);
  for (let t = 0; t < TABLES; t++) {
    const names: string[] = [];
    const sizes: number[] = [];
    for (let s = 0; s < SSTABLES; s++) {
      const id = sstableId();
      for (const c of COMPONENTS) {
        names.push(`me-${id}-big-${c}`);
        sizes.push(c === "Data.db" ? 1_000_000 + rnd(100_000_000) : 100 + rnd(100_000));
      }
    }
    out[t] = JSON.parse(JSON.stringify({ names, sizes }));
  }
  return out;
}

function build(listed: { names: string[]; sizes: number[] }[]): Manifest {
  const index: FilesMeta[] = new Array(TABLES);
  let total = 0;
  for (let t = 0; t < TABLES; t++) {
    const { names, sizes } = listed[t] as { names: string[]; sizes: number[] };
    const files = names.slice();
    let size = 0;
    for (const s of sizes) size += s;
    total += size;
    index[t] = {
      keyspace: `ks${t % 100}`,
      table: `table_${t}`,
      replication_type: "vnodes",
      version: (t + 1).toString(16).padStart(32, "0"),
      files,
      size,
      scylla_manifests: [`tag_sm_20260101000000UTC_node_01c9349e-89e6-4ceb-a727-4f27f9f2acce_manifest.json`],
    };
  }
  return {
    version: "v2",
    scylla_version: "2025.1.0-0.20250101.abcdef123456",
    cluster_name: "bench",
    ip: "10.0.0.1",
    size: total,
    tokens: Array.from({ length: 256 }, (_, i) => BigInt(i) * 72057594037927936n - 9223372036854775807n),
    schema:
      "backup/schema/cluster/3e99d4a8-67d2-45fe-87fb-87b1b90ea2dc/task_f70117d8-c10e-4e90-9606-2587936b3757_tag_sm_20260101000000UTC_schema_with_internals.json.gz",
    rack: "rack1",
    shard_count: 8,
    cpu_count: 8,
    storage_size: 3_758_096_384_000,
    instance_details: {},
    dc: "dc1",
    cluster_id: "3e99d4a8-67d2-45fe-87fb-87b1b90ea2dc",
    node_id: "01c9349e-89e6-4ceb-a727-4f27f9f2acce",
    task_id: "f70117d8-c10e-4e90-9606-2587936b3757",
    snapshot_tag: "sm_20260101000000UTC",
    index,
  };
}

const rssBefore = peakRssMiB();
console.log(
  `manifest of ${TABLES} tables x ${SSTABLES} SSTables (${TABLES * SSTABLES * COMPONENTS.length} files), one node`,
);
console.log(`start: peak RSS ${rssBefore.toFixed(1)} MiB`);

let started = performance.now();
let listed: ReturnType<typeof listings> | undefined = listings();
console.log(
  `listings (test data, not timed below): ${(performance.now() - started).toFixed(0)} ms, peak RSS ${peakRssMiB().toFixed(1)} MiB`,
);
resetPeak();
const rssListed = peakRssMiB();
console.log(`after GC, with the listings held: RSS ${rssListed.toFixed(1)} MiB (peak mark reset here)`);
started = performance.now();
let manifest: Manifest | undefined = build(listed);
listed = undefined;
const buildMs = performance.now() - started;
console.log(`build:  ${buildMs.toFixed(0)} ms, peak RSS ${peakRssMiB().toFixed(1)} MiB`);

started = performance.now();
const bytes = await encodeManifest(manifest);
const encodeMs = performance.now() - started;
console.log(
  `encode: ${encodeMs.toFixed(0)} ms (gzip ${(bytes.length / 1024 / 1024).toFixed(1)} MiB), peak RSS ${peakRssMiB().toFixed(1)} MiB`,
);
console.log(
  `build + encode: ${(buildMs + encodeMs).toFixed(0)} ms, peak RSS ${peakRssMiB().toFixed(1)} MiB (${(peakRssMiB() - rssListed).toFixed(1)} MiB above the listings)`,
);
manifest = undefined;
resetPeak();
console.log(`after GC: RSS ${peakRssMiB().toFixed(1)} MiB (peak mark reset here)`);

started = performance.now();
let files = 0;
const { indexCount } = await readManifest(bytes, (meta) => {
  files += meta.files?.length ?? 0;
});
console.log(
  `decode (streaming, index not kept): ${(performance.now() - started).toFixed(0)} ms, ${indexCount} tables, ${files} files, peak RSS ${peakRssMiB().toFixed(1)} MiB`,
);
