/**
 * The Repair library class, the tablet_repair runner and the one-shot executable against the emulator (127.1.3.x:
 * 2 DCs × 3 nodes with the default schema incl. a tablet keyspace; 127.1.4.x: 4 nodes, RF 2, for failures).
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { runOneShotRepair } from "../../src/cli/oneshot/repair.ts";
import { Cluster } from "../../src/cluster/cluster.ts";
import { Repair, type RepairProgressEvent } from "../../src/repair/repair.ts";
import { createTabletRepairRunner } from "../../src/repair/tablet.ts";
import { createMemoryStore } from "../../src/store/memory.ts";
import { createSilentLogger } from "../../src/util/log.ts";
import { type EmulatedCluster, startCluster } from "../emulator/index.ts";
import { uncoveredRanges, wrongReplicaSets } from "../emulator/repair/ledger-checks.ts";
import { repairScheduler } from "../emulator/repair/scheduler.ts";
import { isVnodeEntry, maxConcurrent, waitFor } from "./repair-helpers.ts";

const TOKEN = "repair-lib";
let emu: EmulatedCluster;
let cluster: Cluster;
let small: EmulatedCluster;
let smallCluster: Cluster;

beforeAll(async () => {
  [emu, small] = await Promise.all([
    startCluster({
      dcs: [3, 3],
      ipPrefix: "127.1.3.",
      agents: { authToken: TOKEN },
      timeScale: 0.001,
      tokensPerNode: 16,
    }),
    startCluster({
      dcs: [4],
      ipPrefix: "127.1.4.",
      agents: { authToken: TOKEN },
      timeScale: 0.001,
      tokensPerNode: 8,
      cql: false,
      schema: {
        keyspaces: [
          {
            name: "rf2",
            replication: { class: "SimpleStrategy", replication_factor: 2 },
            tables: [
              { name: "a", size: "64MiB" },
              { name: "b", size: "32MiB" },
            ],
          },
        ],
      } as never,
    }),
  ]);
  [cluster, smallCluster] = await Promise.all([
    Cluster.connect({ host: "127.1.3.2", authToken: TOKEN }),
    // Fast retries: a down master is retried with SM's backoff (minutes) otherwise.
    Cluster.connect({
      host: "127.1.4.1",
      authToken: TOKEN,
      backoff: { waitMinMs: 10, waitMaxMs: 40, maxRetries: 2, multiplier: 2, jitter: 0 },
    }),
  ]);
}, 60_000);
afterAll(async () => {
  await cluster?.close();
  await smallCluster?.close();
  await emu?.close();
  await small?.close();
});

describe("Repair library", () => {
  test("plan + run: every table (vnode and tablet) repaired, progress events with an ETA, SM's progress JSON", async () => {
    const repair = await Repair.plan(cluster, { keyspace: ["ks1", "ks3", "tablet_ks"], smallTableThreshold: 0 });
    expect(repair.target.units.map((u) => u.keyspace).sort()).toEqual(["ks1", "ks3", "tablet_ks"]);
    const events: RepairProgressEvent[] = [];
    repair.on("progress", (e: RepairProgressEvent) => events.push(e));
    const before = emu.ledger.repairs().length;
    const result = await repair.run();
    expect(result.error).toBe(0);
    expect(result.success).toBe(result.total);
    for (const [ks, t] of [
      ["ks1", "users"],
      ["ks1", "small_table"],
      ["ks3", "blobs"],
      ["tablet_ks", "tab"],
    ] as const) {
      expect(uncoveredRanges(emu.state, ks, t)).toEqual([]);
      expect(wrongReplicaSets(emu.state, ks, t)).toEqual([]);
    }
    const entries = emu.ledger.repairs().slice(before);
    // Tablet tables through tablets/repair (task ids), vnode tables through repair_async.
    expect(entries.filter((e) => e.keyspace === "tablet_ks").every((e) => !isVnodeEntry(e))).toBe(true);
    for (const n of emu.nodes)
      expect(maxConcurrent(entries.filter(isVnodeEntry).filter((e) => e.hosts.includes(n.ip)))).toBe(1);
    const last = events[events.length - 1];
    expect(last?.percent).toBeCloseTo(100, 5);
    expect(last?.etaSeconds).toBe(0);
    const progress = repair.progress();
    expect(progress.success_percentage).toBe(100);
    expect(progress.tables.length).toBe(5);
  }, 60_000);

  test("views (over CQL) are repaired after their base tables: the plan's order and the ledger", async () => {
    const repair = await Repair.plan(cluster, { keyspace: ["ks1", "ks2"], smallTableThreshold: 0 });
    const order = (ks: string) => repair.plan.keyspaces.find((k) => k.keyspace === ks)?.tables.map((t) => t.table);
    expect(order("ks1")?.indexOf("users_by_name")).toBeGreaterThan(order("ks1")?.indexOf("users") ?? 99);
    expect(order("ks2")).toEqual(["events", "events_kind_index"]);
    const before = emu.ledger.repairs().length;
    await repair.run();
    const entries = emu.ledger.repairs().slice(before);
    for (const [ks, base, view] of [
      ["ks1", "users", "users_by_name"],
      ["ks2", "events", "events_kind_index"],
    ] as const) {
      const of = (t: string) => entries.filter((e) => e.keyspace === ks && e.tables.includes(t));
      expect(of(view).length).toBeGreaterThan(0);
      const baseEnd = Math.max(...of(base).map((e) => e.end ?? Number.POSITIVE_INFINITY));
      expect(Math.min(...of(view).map((e) => e.start))).toBeGreaterThanOrEqual(baseEnd);
      expect(uncoveredRanges(emu.state, ks, view)).toEqual([]);
    }
  }, 60_000);

  test("resumes from a store: a second run with continue repairs nothing already done", async () => {
    const store = createMemoryStore();
    const opts = { keyspace: ["ks3"], smallTableThreshold: 0, store, clusterId: "c", taskId: "t" } as const;
    const sched = repairScheduler(emu.state);
    const bandwidth = sched.bandwidth;
    sched.bandwidth = bandwidth / 2000;
    const first = await Repair.plan(cluster, { ...opts, keyspace: ["ks1", "ks3"] });
    const controller = new AbortController();
    first.on("progress", (e: RepairProgressEvent) => {
      if (e.job?.ok) controller.abort(new Error("stop"));
    });
    await expect(first.run({ signal: controller.signal })).rejects.toThrow("stop");
    sched.bandwidth = bandwidth;
    const mid = emu.ledger.repairs().length;
    const second = await Repair.plan(cluster, { ...opts, keyspace: ["ks1", "ks3"] });
    await second.run();
    const again = emu.ledger
      .repairs()
      .slice(mid)
      .filter((e) => e.outcome === "successful");
    const firstDone = emu.ledger
      .repairs()
      .slice(0, mid)
      .filter((e) => e.outcome === "successful")
      .slice(-1)[0];
    // The table the first run finished is not repaired again.
    expect(again.some((e) => e.keyspace === firstDone?.keyspace && e.tables.join() === firstDone?.tables.join())).toBe(
      false,
    );
    expect(second.progress().success_percentage).toBe(100);
  }, 60_000);
});

describe("failures (4 nodes, RF 2)", () => {
  test("fail-fast: the first failed job stops the run; only one repair was started", async () => {
    small.faults.injectError(
      undefined,
      "/storage_service/repair_status",
      500,
      { message: "boom", code: 500 },
      { count: 100 },
    );
    try {
      const before = small.ledger.repairs().length;
      const repair = await Repair.plan(smallCluster, {
        keyspace: ["rf2"],
        smallTableThreshold: 0,
        failFast: true,
        parallel: 1,
      });
      await expect(repair.run()).rejects.toThrow("repair failed for tables");
      // Fail-fast: after the first failed job nothing else starts (parallel 1; the plan has many more jobs).
      const entries = small.ledger.repairs().slice(before);
      expect(entries.length).toBeLessThanOrEqual(1);
      expect(repair.plan.keyspaces[0]?.tables.reduce((n, t) => n + t.sets.length, 0)).toBeGreaterThan(4);
    } finally {
      await small.faults.clear(small.nodes.map((n) => n.ip));
    }
  }, 60_000);

  test("a node down mid-run: its jobs fail, the rest goes on, the next run repairs only those ranges", async () => {
    const store = createMemoryStore();
    const opts = { keyspace: ["rf2"], smallTableThreshold: 0, store, clusterId: "c", taskId: "down" };
    const sched = repairScheduler(small.state);
    const bandwidth = sched.bandwidth;
    sched.bandwidth = bandwidth / 50;
    const before = small.ledger.repairs().length;
    const repair = await Repair.plan(smallCluster, opts);
    let stopped = false;
    repair.on("progress", (e: RepairProgressEvent) => {
      if (!stopped && e.job?.ok) {
        stopped = true;
        small.faults.stopNode("127.1.4.4");
      }
    });
    await expect(repair.run()).rejects.toThrow(/repair failed for tables rf2\.(a|b)/);
    const firstRun = small.ledger.repairs().slice(before);
    const failed = firstRun.filter((e) => e.outcome !== "successful");
    expect(failed.length).toBeGreaterThan(0);
    expect(failed.every((e) => e.hosts.includes("127.1.4.4"))).toBe(true);
    expect(firstRun.some((e) => e.outcome === "successful" && !e.hosts.includes("127.1.4.4"))).toBe(true);
    small.faults.startNode("127.1.4.4");
    sched.bandwidth = bandwidth;
    await waitFor(async () => ((await smallCluster.scylla.liveEndpoints()).length === 4 ? true : undefined));
    const mid = small.ledger.repairs().length;
    const next = await Repair.plan(smallCluster, opts);
    await next.run();
    const secondRun = small.ledger.repairs().slice(mid);
    const key = (e: { keyspace: string; tables: string[]; ranges: Array<{ start: string; end: string }> }) =>
      e.ranges.map((r) => `${e.keyspace}.${e.tables.join()}:${r.start}:${r.end}`);
    const missing = new Set(failed.flatMap(key));
    // What was never started in the first run is repaired too; nothing that succeeded is repaired again.
    const succeeded = new Set(firstRun.filter((e) => e.outcome === "successful").flatMap(key));
    for (const k of secondRun.flatMap(key)) expect(succeeded.has(k)).toBe(false);
    for (const k of missing) expect(secondRun.flatMap(key)).toContain(k);
    for (const t of ["a", "b"]) expect(uncoveredRanges(small.state, "rf2", t)).toEqual([]);
  }, 60_000);
});

describe("tablet_repair task type and the one-shot executable", () => {
  test("tablet_repair repairs every tablet table once and records its progress", async () => {
    const store = createMemoryStore();
    const runner = createTabletRepairRunner({ store, client: async () => cluster.scylla });
    const before = emu.ledger.repairs().length;
    await runner.run({
      clusterId: "c",
      taskId: "tt",
      runId: "r1",
      type: "tablet_repair",
      properties: {},
      retry: 0,
      signal: new AbortController().signal,
      logger: createSilentLogger(),
    });
    expect(uncoveredRanges(emu.state, "tablet_ks", "tab")).toEqual([]);
    expect(
      emu.ledger
        .repairs()
        .slice(before)
        .every((e) => e.keyspace === "tablet_ks"),
    ).toBe(true);
    const progress = (await runner.getProgress?.("c", "tt", "r1")) as { tables: Array<Record<string, unknown>> };
    expect(progress.tables).toHaveLength(1);
    expect(progress.tables[0]).toMatchObject({ keyspace: "tablet_ks", table: "tab", error: "" });
    expect(progress.tables[0]?.completed_at).toBeString();
  }, 60_000);

  test("scylla-manager repair --host --auth-token runs in-process with progress lines", async () => {
    let out = "";
    let err = "";
    const code = await runOneShotRepair(
      ["repair", "--host", "127.1.3.1", "--auth-token", TOKEN, "-K", "ks3", "--small-table-threshold", "0"],
      { stdout: (t) => (out += t), stderr: (t) => (err += t), isTty: false },
    );
    expect(err).toContain("Repairing 1 tables");
    expect(err).toContain("repair: 100.0%");
    expect(out).toMatch(/^Repair done: (\d+)\/\1 token ranges/);
    expect(code).toBe(0);
    const bad = await runOneShotRepair(["repair", "--host", "127.1.3.1", "--auth-token", TOKEN, "-K", "nope"], {
      stdout: () => undefined,
      stderr: (t) => (err = t),
    });
    expect(bad).toBe(1);
    expect(err).toContain("no keyspace matched criteria");
  }, 60_000);
});
