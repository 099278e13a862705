/**
 * `bun bench/repair.ts [--quick] [--time-scale 0.1] [--tokens 256] [--topology 12|9] [--strategies a,b]`: the real
 * repair code (the `Repair` library class, our agents, the emulator and its modelled repair cost, an SQLite store)
 * on two topologies — 12 nodes in 2 DCs (6+6, NTS 3/3) and 9 nodes in 1 DC (RF 3) — each with 45 tables in 4
 * keyspaces of Zipf-skewed sizes up to 2 GiB plus the system tables, `--tokens` vnodes per node (default 256,
 * Scylla's `num_tokens`); once with SM's default small-table threshold (1 GiB) and once with every table on the
 * ranges path (threshold 0). For our schedule and for SM's `table-by-table` (`--strategies` picks) it prints,
 * from the emulator's ledger, in modelled seconds: the makespan, the lower bound (the busiest node's total job
 * time), total job time / max parallel, the ratio to the bound, mean node utilisation, mean concurrent jobs, the
 * time with no job running, the jobs and the REST calls made. Then the planning time of 12 nodes × 1,000 tables
 * (pure: plan, schedule check, job generation; `--plan-only` runs just that). Then the same plans in the pure
 * model (no request overhead) with the pair bound (`--model-only` prints just those, without running repairs).
 * Prints; asserts nothing.
 * IPs 127.1.100.x / 127.1.101.x.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Cluster } from "../src/cluster/cluster.ts";
import { buildPlan, orderPlan, planTables } from "../src/repair/plan.ts";
import { Repair } from "../src/repair/repair.ts";
import { parseRing } from "../src/repair/ring.ts";
import { JobScheduler } from "../src/repair/schedule.ts";
import {
  chooseStrategy,
  figuresOf,
  JOB_OVERHEAD_SECONDS,
  type JobInterval,
  modelDuration,
  type ScheduleFigures,
  simulateSchedule,
} from "../src/repair/simulate.ts";
import { randomRing, rng } from "../src/repair/testdata/random-plan.ts";
import { openSqliteStore } from "../src/store/sqlite/store.ts";
import { type EmulatedCluster, startCluster } from "../test/emulator/index.ts";
import { repairScheduler } from "../test/emulator/repair/scheduler.ts";
import type { SchemaSpec } from "../test/emulator/schema/types.ts";

const TOKEN = "bench-repair";
const args = process.argv.slice(2);
const flag = (name: string, fallback: string) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? (args[i + 1] ?? fallback) : fallback;
};
const QUICK = args.includes("--quick");
const TIME_SCALE = Number(flag("time-scale", QUICK ? "0.02" : "0.1"));
// Scylla's default num_tokens (and the emulator's): replica sets and their balance follow from it.
const TOKENS = Number(flag("tokens", QUICK ? "16" : "256"));
const STRATEGIES = flag("strategies", "table-by-table,precedence").split(",") as Array<"table-by-table" | "precedence">;
const ONLY = flag("topology", "");
const MODEL_ONLY = args.includes("--model-only");
const GiB = 1024 ** 3;

/** 45 tables in 4 keyspaces, Zipf sizes (rank^-1.1) from 2 GiB. */
function schema(replication: Record<string, string | number>): SchemaSpec {
  const random = rng(7);
  const ranks = Array.from({ length: 45 }, (_, i) => i + 1).sort(() => random() - 0.5);
  return {
    keyspaces: [0, 1, 2, 3].map((k) => ({
      name: `ks${k}`,
      replication,
      tables: ranks
        .map((rank, i) => ({ rank, i }))
        .filter(({ i }) => i % 4 === k)
        .map(({ rank, i }) => ({ name: `t${i}`, size: Math.max(1024 * 1024, Math.floor((2 * GiB) / rank ** 1.1)) })),
    })),
  } as SchemaSpec;
}

/**
 * A lower bound on the makespan under one job per node, from the jobs that use at least half of the nodes (12
 * nodes, NTS 3/3 on 6+6: every replica set is 6 of the 12 nodes). Two such jobs can only run together when their
 * nodes are exact complements, so these jobs alone need at least their total time minus, over complementary node
 * sets, the smaller of the two sets' job times. Jobs on fewer nodes are left out (they only add to the makespan).
 * NaN when no job uses exactly half of the nodes (the bound would say nothing).
 */
function pairBound(jobs: readonly JobInterval[], hosts: readonly string[]): number {
  const per = new Map<string, number>();
  let total = 0;
  let counted = 0;
  for (const j of jobs) {
    if (2 * j.hosts.length < hosts.length) continue;
    const d = j.end - j.start;
    total += d;
    counted++;
    if (2 * j.hosts.length !== hosts.length) continue;
    const key = [...j.hosts].sort().join(",");
    per.set(key, (per.get(key) ?? 0) + d);
  }
  if (counted === 0 || per.size === 0) return Number.NaN;
  let overlap = 0;
  for (const [key, w] of per) {
    const set = new Set(key.split(","));
    const complement = hosts
      .filter((h) => !set.has(h))
      .sort()
      .join(",");
    if (key < complement) overlap += Math.min(w, per.get(complement) ?? 0);
  }
  return total - overlap;
}

/** The same plan in the pure model (no request overhead): both schedules' figures and the pair bound. */
function modelLine(repair: Repair, label: string): string {
  const plan = repair.plan;
  const tables = planTables(plan);
  const base = {
    intensity: 1,
    parallel: 0,
    maxParallel: plan.maxParallel,
    maxHostIntensity: plan.maxHostIntensity,
    batching: true,
    hostRank: new Map(plan.hosts.map((h, i) => [h, i])),
  };
  const duration = modelDuration(64 * 1024 * 1024, plan.shards);
  const parts = (["table-by-table", "precedence"] as const).map((strategy) => {
    const sim = simulateSchedule(tables, { ...base, strategy }, duration, plan.hosts);
    const real = sim.executed.filter((e) => e.job.kind !== "skip");
    const pair = pairBound(real, plan.hosts);
    const ratio = (sim.makespan / Math.max(1e-9, sim.lowerBound)).toFixed(2);
    return `${strategy} ${f1(sim.makespan)}s / bound ${f1(sim.lowerBound)}s = ${ratio}x, ${sim.jobs} jobs${Number.isNaN(pair) ? "" : `, pair bound ${f1(pair)}s`}`;
  });
  return `  model, ${label}: ${parts.join("; ")}`;
}

interface Row {
  label: string;
  strategy: string;
  figures: ScheduleFigures;
  maxParallel: number;
  calls: number;
  wallMs: number;
}

async function runOnce(
  emu: EmulatedCluster,
  label: string,
  strategy: "precedence" | "table-by-table",
  threshold: number,
): Promise<Row | undefined> {
  const dir = mkdtempSync(join(tmpdir(), "bench-repair-"));
  const store = await openSqliteStore(join(dir, "sm.db"), { secretKey: new Uint8Array(32) });
  const cluster = await Cluster.connect({ host: emu.nodes[0]?.ip ?? "", authToken: TOKEN });
  try {
    const repair = await Repair.plan(cluster, {
      keyspace: ["*", "!system_traces"],
      smallTableThreshold: threshold,
      strategy,
      store,
      clusterId: "bench",
      taskId: "11111111-1111-4111-8111-111111111111",
    });
    if (strategy === STRATEGIES.at(-1)) models.push(modelLine(repair, label));
    if (MODEL_ONLY) return undefined;
    let calls = 0;
    const client = cluster.scylla;
    const request = client.request.bind(client);
    client.request = (...a: Parameters<typeof request>) => {
      calls++;
      return request(...a);
    };
    const before = emu.ledger.repairs().length;
    const t0 = performance.now();
    let last = 0;
    repair.on("progress", (e) => {
      if (performance.now() - last > 5000) {
        last = performance.now();
        console.error(`    ${label} ${strategy}: ${e.percent.toFixed(1)}% running ${e.running}`);
      }
    });
    await repair.run();
    const wallMs = performance.now() - t0;
    const entries = emu.ledger.repairs().slice(before);
    const jobs = entries.map((e) => ({
      start: e.start / 1000 / TIME_SCALE,
      end: (e.end ?? e.start) / 1000 / TIME_SCALE,
      hosts: e.hosts,
    }));
    return {
      label,
      strategy: repair.strategy === strategy ? strategy : `${strategy}→${repair.strategy}`,
      figures: figuresOf(
        jobs,
        emu.nodes.map((n) => n.ip),
      ),
      maxParallel: repair.plan.maxParallel,
      calls,
      wallMs,
    };
  } finally {
    await cluster.close();
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

const f1 = (n: number) => n.toFixed(1);
const models: string[] = [];
function print(rows: Row[]): void {
  const header = [
    "case",
    "schedule",
    "makespan",
    "bound",
    "job/maxP",
    "ratio",
    "util",
    "conc",
    "idle",
    "jobs",
    "REST",
    "wall",
  ];
  const lines = rows.map((r) => [
    r.label,
    r.strategy,
    `${f1(r.figures.makespan)}s`,
    `${f1(r.figures.lowerBound)}s`,
    `${f1(r.figures.totalJobTime / r.maxParallel)}s`,
    `${(r.figures.makespan / Math.max(1e-9, r.figures.lowerBound)).toFixed(2)}x`,
    `${Math.round(r.figures.utilisation * 100)}%`,
    r.figures.meanConcurrency.toFixed(2),
    `${f1(r.figures.idle)}s (${Math.round((100 * r.figures.idle) / Math.max(1e-9, r.figures.makespan))}%)`,
    String(r.figures.jobs),
    String(r.calls),
    `${(r.wallMs / 1000).toFixed(1)}s`,
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...lines.map((l) => (l[i] ?? "").length)));
  const fmt = (cells: string[]) => cells.map((c, i) => c.padEnd(widths[i] ?? 0)).join("  ");
  console.log(fmt(header));
  for (const l of lines) console.log(fmt(l));
}

async function topology(name: string, dcs: number[], prefix: string, replication: Record<string, string | number>) {
  const started = performance.now();
  const emu = await startCluster({
    dcs,
    ipPrefix: prefix,
    agents: { authToken: TOKEN },
    timeScale: TIME_SCALE,
    tokensPerNode: TOKENS,
    schema: schema(replication),
    cql: false,
  });
  console.error(`  ${name}: emulator up in ${((performance.now() - started) / 1000).toFixed(1)}s`);
  // The default 64 MiB/s per node; jobs of one node share it.
  repairScheduler(emu.state).bandwidth = 64 * 1024 * 1024;
  const rows: Row[] = [];
  try {
    for (const [threshold, tlabel] of [
      [GiB, "threshold 1GiB"],
      [0, "all ranges path"],
    ] as const) {
      for (const strategy of STRATEGIES) {
        const row = await runOnce(emu, `${name}, ${tlabel}`, strategy, threshold);
        if (row) rows.push(row);
        console.error(`  done: ${name} ${tlabel} ${strategy}`);
      }
    }
  } finally {
    await emu.close();
  }
  return rows;
}

function planningBench(): void {
  const random = rng(42);
  const ring = parseRing("ks", randomRing({ dcs: [6, 6], rf: [3, 3], strategy: "nts", tokensPerNode: 256 }, random));
  const hosts = [...ring.hostDc.keys()];
  const inputs = Array.from({ length: 1000 }, (_, i) => ({
    keyspace: `ks${i % 10}`,
    table: `t${i}`,
    ring,
    tablet: false,
    sizes: new Map(hosts.map((h) => [h, Math.floor((2 * GiB) / (1 + i) ** 1.1)])),
  }));
  const t0 = performance.now();
  const plan = orderPlan(
    buildPlan({
      tables: inputs,
      dcs: ["dc1", "dc2"],
      ignoredHosts: new Set(),
      host: "",
      smallTableThreshold: GiB,
      clusterSize: hosts.length,
      shards: new Map(hosts.map((h) => [h, 2])),
      memory: new Map(hosts.map((h) => [h, 8 * GiB])),
    }),
  );
  const t1 = performance.now();
  const tables = planTables(plan);
  const options = {
    strategy: "precedence" as const,
    intensity: 1,
    parallel: 0,
    maxParallel: plan.maxParallel,
    maxHostIntensity: plan.maxHostIntensity,
    batching: true,
    hostRank: new Map(plan.hosts.map((h, i) => [h, i])),
  };
  const choice = chooseStrategy(
    tables,
    options,
    modelDuration(64 * 1024 * 1024, plan.shards, JOB_OVERHEAD_SECONDS),
    plan.hosts,
  );
  const t2 = performance.now();
  const cpu0 = process.cpuUsage();
  const scheduler = new JobScheduler(tables, options);
  let jobs = 0;
  for (;;) {
    const next = scheduler.next();
    for (const job of next) {
      scheduler.finish(job);
      jobs++;
    }
    if (scheduler.done || (next.length === 0 && !scheduler.controller.busy)) break;
  }
  const t3 = performance.now();
  const cpu = process.cpuUsage(cpu0);
  const cpuMs = (cpu.user + cpu.system) / 1000;
  console.log(
    `planning 12 nodes x 1,000 tables (256 vnodes/node, ${ring.replicaSets.length} replica sets): plan ${f1(t1 - t0)} ms, schedule check ${Number.isNaN(choice.precedence) ? "skipped (over budget)" : `${f1(t2 - t1)} ms`}, generating all ${jobs} jobs ${f1(t3 - t2)} ms wall, ${f1(cpuMs)} ms CPU (GetTarget's REST calls not included)`,
  );
}

console.log(`bench/repair.ts: time scale ${TIME_SCALE}, ${TOKENS} vnodes per node, 64 MiB/s per node, 2 shards`);
if (args.includes("--plan-only")) {
  planningBench();
  process.exit(0);
}
const rows: Row[] = [];
if (ONLY === "" || ONLY === "12")
  rows.push(
    ...(await topology("12 nodes 2 DCs", [6, 6], "127.1.100.", { class: "NetworkTopologyStrategy", dc1: 3, dc2: 3 })),
  );
if (ONLY === "" || ONLY === "9")
  rows.push(...(await topology("9 nodes 1 DC", [9], "127.1.101.", { class: "NetworkTopologyStrategy", dc1: 3 })));
print(rows);
console.log("Pure model of the same plans (no request overhead; pair bound: see pairBound):");
for (const line of models) console.log(line);
planningBench();
process.exit(0);
