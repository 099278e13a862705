/**
 * Store benchmark: `bun bench/store.ts [rows]` (default 100 000 task-run rows).
 * Prints writes/s (single and batched), reads/s, list-history latency and the SQLite file size.
 * Runs in a temp dir that is removed afterwards. Figures depend on the machine; nothing here asserts speed.
 */
import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createMemoryStore } from "../src/store/memory.ts";
import { openSqliteStore, type SqliteStoreOptions } from "../src/store/sqlite/store.ts";
import type { RunRecord, Store } from "../src/store/store.ts";
import { newTimeUuid } from "../src/util/uuid.ts";

const ROWS = Number(process.argv[2] ?? 100_000);
const TASKS = 100;
const BATCH = 1_000;
const CLUSTER = "00000000-0000-4000-8000-000000000001";
const dir = mkdtempSync(join(tmpdir(), "bench-store-"));
const key = new Uint8Array(randomBytes(32));

const taskId = (i: number) => `00000000-0000-4000-8000-${(i % TASKS).toString(16).padStart(12, "0")}`;
function makeRuns(count: number): RunRecord[] {
  const start = Date.now() - count * 1000;
  return Array.from({ length: count }, (_, i) => ({
    clusterId: CLUSTER,
    type: i % 3 === 0 ? "backup" : "repair",
    taskId: taskId(i),
    id: newTimeUuid(start + i * 1000),
    status: i % 50 === 0 ? "ERROR" : "DONE",
    cause: i % 50 === 0 ? "agent [HTTP 500] failed" : "",
    owner: "",
    startTime: new Date(start + i * 1000).toISOString(),
    endTime: new Date(start + i * 1000 + 900).toISOString(),
  }));
}

const rate = (n: number, ms: number) => `${Math.round((n / ms) * 1000).toLocaleString("en-US")}/s`;
const fmtMs = (ms: number) => `${ms.toFixed(3)} ms`;
function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? 0;
}
function fileSize(file: string): number {
  return statSync(file, { throwIfNoEntry: false })?.size ?? 0;
}

async function timed(fn: () => Promise<void>): Promise<number> {
  const t0 = performance.now();
  await fn();
  return performance.now() - t0;
}

async function measure(name: string, open: () => Promise<Store>, rows: number, file?: string): Promise<void> {
  const runs = makeRuns(rows);
  const half = Math.floor(rows / 2);
  const store = await open();
  const single = await timed(async () => {
    for (const run of runs.slice(0, half)) await store.putRun(run);
  });
  const batched = await timed(async () => {
    for (let i = half; i < rows; i += BATCH) {
      await store.batch(runs.slice(i, Math.min(rows, i + BATCH)).map((run) => ({ op: "putRun" as const, run })));
    }
  });
  const readCount = Math.min(rows, 100_000);
  const reads = await timed(async () => {
    for (let i = 0; i < readCount; i++) {
      const run = runs[(i * 7919) % rows] as RunRecord;
      await store.getRun(run.clusterId, run.type, run.taskId, run.id);
    }
  });
  const latencies: number[] = [];
  for (let i = 0; i < 300; i++) {
    const t0 = performance.now();
    await store.listRuns(CLUSTER, "repair", taskId(1 + (i % (TASKS - 1))), 10);
    latencies.push(performance.now() - t0);
  }
  latencies.sort((a, b) => a - b);
  const fullHistory = await timed(async () => {
    await store.listRuns(CLUSTER, "repair", taskId(1), 0);
  });
  const byStatus = await timed(async () => {
    await store.listRunsByStatus("ERROR");
  });
  await store.close();
  console.log(`\n${name} (${rows.toLocaleString("en-US")} task-run rows over ${TASKS} tasks)`);
  console.log(`  single writes (1 row per transaction): ${rate(half, single)}`);
  console.log(`  batched writes (${BATCH} rows per batch): ${rate(rows - half, batched)}`);
  console.log(`  reads (getRun by key):                  ${rate(readCount, reads)}`);
  console.log(
    `  list history (limit 10):               p50 ${fmtMs(percentile(latencies, 50))}, p99 ${fmtMs(percentile(latencies, 99))}`,
  );
  console.log(`  list full history of one task (${Math.round(rows / TASKS)} runs): ${fmtMs(fullHistory)}`);
  console.log(`  list runs by status (ERROR):            ${fmtMs(byStatus)}`);
  if (file) {
    console.log(`  file size after close:                  ${(fileSize(file) / 1024 / 1024).toFixed(2)} MiB`);
  }
}

try {
  const sqlite = (name: string, options: Partial<SqliteStoreOptions> = {}) => {
    const file = join(dir, `${name}.db`);
    return { file, open: () => openSqliteStore(file, { secretKey: key, ...options }) };
  };
  const normal = sqlite("normal");
  await measure("SQLite, synchronous=NORMAL (default)", normal.open, ROWS, normal.file);
  const full = sqlite("full", { synchronous: "full" });
  await measure("SQLite, synchronous=FULL", full.open, Math.min(ROWS, 10_000), full.file);
  await measure("memory", async () => createMemoryStore(), ROWS);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
