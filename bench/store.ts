/**
 * Store benchmark: `bun bench/store.ts [rows] [--cassandra]` (default 100 000 task-run rows).
 * Prints writes/s (single and batched), reads/s, list-history latency and the SQLite file size; then for SQLite and
 * (with Cassandra) the CQL store: p50/p99 per Store operation, and GET /api/v1/cluster/{id}/tasks with 1,000 tasks
 * through our REST API (1,000 requests: p50/p90/p99/max; on Cassandra also through a second server, a follower).
 *
 * Cassandra: `BENCH_CASSANDRA_HOSTS=h1,h2` (with `BENCH_CASSANDRA_USER`/`_PASSWORD`, `_DC`) uses a running one;
 * `--cassandra` starts one node on 127.6.5.1 with test/external/cassandra (cached jars; Java and Maven needed).
 * Runs in a temp dir that is removed afterwards. Figures depend on the machine; nothing here asserts speed.
 */
import { randomBytes } from "node:crypto";
import { mkdirSync, mkdtempSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import * as v from "valibot";
import { ServerConfigSchema } from "../src/config/server.ts";
import { startDaemon } from "../src/server/daemon.ts";
import { type CqlStoreOptions, openCqlStore } from "../src/store/cql/store.ts";
import { createMemoryStore } from "../src/store/memory.ts";
import { openSqliteStore, type SqliteStoreOptions } from "../src/store/sqlite/store.ts";
import type { RunRecord, Store, TaskRecord } from "../src/store/store.ts";
import { newTimeUuid } from "../src/util/uuid.ts";

const ROWS = Number(process.argv.slice(2).find((a) => /^\d+$/.test(a)) ?? 100_000);
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

async function measure(
  name: string,
  open: () => Promise<Store>,
  rows: number,
  file?: string,
  batchSize = BATCH,
): Promise<void> {
  const runs = makeRuns(rows);
  const half = Math.floor(rows / 2);
  const store = await open();
  const single = await timed(async () => {
    for (const run of runs.slice(0, half)) await store.putRun(run);
  });
  const batched = await timed(async () => {
    for (let i = half; i < rows; i += batchSize) {
      await store.batch(runs.slice(i, Math.min(rows, i + batchSize)).map((run) => ({ op: "putRun" as const, run })));
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
  console.log(`  batched writes (${batchSize} rows per batch): ${rate(rows - half, batched)}`);
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

/** p50/p99 of `count` calls of each Store operation. */
async function measureOps(name: string, store: Store, count: number): Promise<void> {
  const runs = makeRuns(count);
  const ops: [string, (i: number) => Promise<unknown>][] = [
    ["putTask", (i) => store.putTask(makeTask(i))],
    ["getTask", (i) => store.getTask(CLUSTER, "repair", taskId(i))],
    ["listTasks (1,000 tasks)", () => store.listTasks(CLUSTER)],
    ["putRun", (i) => store.putRun(runs[i] as RunRecord)],
    [
      "getRun",
      (i) => {
        const r = runs[i] as RunRecord;
        return store.getRun(r.clusterId, r.type, r.taskId, r.id);
      },
    ],
    ["listRuns (limit 10)", (i) => store.listRuns(CLUSTER, "repair", taskId(1 + (i % (TASKS - 1))), 10)],
    [
      "batch (run + task)",
      (i) =>
        store.batch([
          { op: "putRun", run: runs[i] as RunRecord },
          { op: "putTask", task: makeTask(i) },
        ]),
    ],
    [
      "putProgress (10 rows)",
      (i) => store.putProgress("repair_run_progress", CLUSTER, taskId(i), "run", progressRows(i)),
    ],
    ["listProgress", (i) => store.listProgress("repair_run_progress", CLUSTER, taskId(i), "run")],
    ["putDrawer", (i) => store.putDrawer(CLUSTER, `k${i % 10}`, { i })],
    ["getDrawer", (i) => store.getDrawer(CLUSTER, `k${i % 10}`)],
  ];
  console.log(`\n${name}: latency per operation (${count} calls each)`);
  for (const [op, fn] of ops) {
    const lat: number[] = [];
    for (let i = 0; i < count; i++) {
      const t0 = performance.now();
      await fn(i);
      lat.push(performance.now() - t0);
    }
    lat.sort((a, b) => a - b);
    console.log(`  ${op.padEnd(24)} p50 ${fmtMs(percentile(lat, 50))}, p99 ${fmtMs(percentile(lat, 99))}`);
  }
}

function makeTask(i: number): TaskRecord {
  return {
    clusterId: CLUSTER,
    type: "repair",
    id: i < TASKS ? taskId(i) : `00000000-0000-4000-9000-${i.toString(16).padStart(12, "0")}`,
    name: `task-${i}`,
    labels: { team: "bench" },
    enabled: true,
    deleted: false,
    schedule: {
      cron: "0 23 * * SAT",
      startDate: null,
      intervalSeconds: 0,
      numRetries: 3,
      retryWaitSeconds: 600,
      window: [],
      timezone: "UTC",
    },
    properties: { keyspace: ["ks.*"], intensity: 1, parallel: 0 },
    status: "DONE",
    successCount: i,
    errorCount: 0,
    lastSuccess: new Date().toISOString(),
    lastError: null,
  };
}

function progressRows(i: number) {
  return Array.from({ length: 10 }, (_, j) => ({
    key: `10.0.0.${j}/ks/t${i % 7}`,
    value: { token_ranges: 256, success: j * 10, error: 0, started_at: new Date().toISOString() },
  }));
}

/** p50/p90/p99/max of `count` GETs of `url` (after 20 unmeasured ones). */
async function measureGets(url: string, count: number): Promise<string> {
  for (let i = 0; i < 20; i++) await (await fetch(url)).arrayBuffer();
  const lat: number[] = [];
  for (let i = 0; i < count; i++) {
    const t0 = performance.now();
    await (await fetch(url)).arrayBuffer();
    lat.push(performance.now() - t0);
  }
  lat.sort((a, b) => a - b);
  const at = (p: number) => fmtMs(percentile(lat, p));
  return `p50 ${at(50)}, p90 ${at(90)}, p99 ${at(99)}, max ${fmtMs(lat[lat.length - 1] ?? 0)}`;
}

const API_REQUESTS = 1000;

/**
 * GET /api/v1/cluster/{id}/tasks with 1,000 tasks, through our daemon on `storeConfig` (in process, as the client;
 * the store is filled directly first). With `follower`, a second daemon on the same store is started once the first
 * leads, and the same is measured through it (it reads the leader's schedule board).
 */
async function measureApiTasks(
  name: string,
  storeConfig: Record<string, unknown>,
  fill: Store,
  follower?: Record<string, unknown>,
): Promise<void> {
  await fill.putCluster({
    id: CLUSTER,
    name: "bench",
    labels: {},
    host: "127.6.5.200",
    knownHosts: [],
    port: 0,
    authToken: "",
    forceTlsDisabled: false,
    forceNonSslSessionPort: false,
  });
  const tasks = Array.from({ length: 1000 }, (_, i) => makeTask(TASKS + i));
  // Enabled (weekly, not due during the bench): the leader schedules all of them and publishes 1,000 schedule rows,
  // which a follower shows.
  for (let i = 0; i < tasks.length; i += 50) {
    await fill.batch(tasks.slice(i, i + 50).map((task) => ({ op: "putTask" as const, task })));
  }
  await fill.close();
  const configOf = (extra: Record<string, unknown>) =>
    v.parse(ServerConfigSchema, {
      http: "127.6.5.100:0",
      prometheus: "",
      logger: { level: "error" },
      secret_key: Buffer.from(key).toString("hex"),
      ...storeConfig,
      ...extra,
    });
  const daemon = await startDaemon([], { config: configOf({}) });
  let second: Awaited<ReturnType<typeof startDaemon>> | undefined;
  try {
    const path = `/api/v1/cluster/${CLUSTER}/tasks?all=true`;
    const url = `${daemon.urls.http}${path}`;
    const first = (await (await fetch(url)).json()) as unknown[];
    const what = `GET /api/v1/cluster/{id}/tasks?all=true (${first.length} tasks, ${API_REQUESTS} requests)`;
    console.log(`\n${name}: ${what}: ${await measureGets(url, API_REQUESTS)}`);
    if (follower) {
      const until = Date.now() + 60_000;
      while (daemon.deps.manager?.leaderInfo()?.isLeader !== true) {
        if (Date.now() > until) throw new Error("the first server did not lead within 60 s");
        await new Promise((r) => setTimeout(r, 100));
      }
      second = await startDaemon([], { config: configOf(follower) });
      const through = `${second.urls.http}${path}`;
      console.log(`${name}, through a follower: ${what}: ${await measureGets(through, API_REQUESTS)}`);
    }
  } finally {
    await second?.close();
    await daemon.close();
  }
}

async function cassandraOptions(): Promise<{ options: CqlStoreOptions; stop?: () => Promise<void> } | undefined> {
  const env = process.env;
  let hosts = env.BENCH_CASSANDRA_HOSTS?.split(",").filter(Boolean);
  let stop: (() => Promise<void>) | undefined;
  if (!hosts && process.argv.includes("--cassandra")) {
    const { startCassandra } = await import("../test/external/cassandra/launcher.ts");
    const cluster = await startCassandra({ ips: ["127.6.5.1"] });
    hosts = cluster.contactPoints;
    stop = () => cluster.stop();
  }
  if (!hosts) return undefined;
  return {
    options: {
      hosts,
      keyspace: `bench_${Date.now().toString(36)}`,
      localDc: env.BENCH_CASSANDRA_DC ?? "datacenter1",
      user: env.BENCH_CASSANDRA_USER ?? "",
      password: env.BENCH_CASSANDRA_PASSWORD ?? "",
      timeoutMs: 10_000,
      migrateTimeoutMs: 60_000,
      secretKey: key,
    },
    ...(stop ? { stop } : {}),
  };
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

  const opsFile = join(dir, "ops.db");
  const ops = await openSqliteStore(opsFile, { secretKey: key });
  await measureOps("SQLite", ops, 1000);
  mkdirSync(join(dir, "api"), { recursive: true });
  const apiFill = await openSqliteStore(join(dir, "api", "scylla-manager.db"), { secretKey: key });
  await measureApiTasks("SQLite", { store: "sqlite", data_dir: join(dir, "api") }, apiFill);
  await ops.close();

  const cassandra = await cassandraOptions();
  if (!cassandra) {
    console.log("\nCassandra: skipped (set BENCH_CASSANDRA_HOSTS, or pass --cassandra to start one)");
  } else {
    try {
      const o = cassandra.options;
      // Cassandra refuses batches over 50 KiB by default (batch_size_fail_threshold): 100 runs per batch.
      await measure("CQL store on Cassandra", () => openCqlStore(o), Math.min(ROWS, 10_000), undefined, 100);
      const cql = await openCqlStore(o);
      await measureOps("CQL store on Cassandra", cql, 1000);
      await cql.client.execute(`DROP KEYSPACE IF EXISTS ${cql.keyspace}`);
      await cql.close();
      const apiKs = { ...o, keyspace: `${o.keyspace}_api` };
      await measureApiTasks(
        "CQL store on Cassandra",
        {
          store: "cql",
          data_dir: join(dir, "api-cql"),
          database: {
            hosts: o.hosts,
            keyspace: apiKs.keyspace,
            local_dc: o.localDc,
            user: o.user,
            password: o.password,
            timeout: "10s",
          },
        },
        await openCqlStore(apiKs),
        { data_dir: join(dir, "api-cql-follower") },
      );
      const dropper = await openCqlStore(apiKs);
      await dropper.client.execute(`DROP KEYSPACE IF EXISTS ${dropper.keyspace}`);
      await dropper.close();
    } finally {
      await cassandra.stop?.();
    }
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}
