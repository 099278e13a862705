/**
 * Graceful stop past the grace period, and tables dropped mid-repair, against the emulator (127.1.10.x: 4 nodes,
 * RF 2, so a keyspace has several replica sets and its tables share jobs). Outcomes from the ledger and progress.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { Cluster } from "../../src/cluster/cluster.ts";
import { Repair, type RepairProgressEvent } from "../../src/repair/repair.ts";
import { createMemoryStore } from "../../src/store/memory.ts";
import { type EmulatedCluster, startCluster } from "../emulator/index.ts";
import { uncoveredRanges } from "../emulator/repair/ledger-checks.ts";
import { repairScheduler } from "../emulator/repair/scheduler.ts";
import { waitFor } from "../support/wait-for.ts";

const TOKEN = "repair-stop-drop";
const tables = (names: string[]) => names.map((name) => ({ name, size: "64MiB" }));
let emu: EmulatedCluster;
let cluster: Cluster;

beforeAll(async () => {
  emu = await startCluster({
    dcs: [4],
    ipPrefix: "127.1.10.",
    agents: { authToken: TOKEN },
    timeScale: 0.001,
    tokensPerNode: 4,
    cql: false,
    schema: {
      keyspaces: ["stop", "drop1", "drop2"].map((name) => ({
        name,
        replication: { class: "SimpleStrategy", replication_factor: 2 },
        tables: tables(["a", "b", "c"]),
      })),
    } as never,
  });
  cluster = await Cluster.connect({ host: "127.1.10.1", authToken: TOKEN });
}, 60_000);
afterAll(async () => {
  await cluster?.close();
  await emu?.close();
});

describe("graceful stop", () => {
  test("past the grace period, Scylla's repair jobs are aborted; the next run repairs them", async () => {
    const store = createMemoryStore();
    const opts = { keyspace: ["stop"], smallTableThreshold: 0, store, clusterId: "c", taskId: "stop" };
    const sched = repairScheduler(emu.state);
    const bandwidth = sched.bandwidth;
    // Jobs that would take hours: nothing ends by itself within the grace period.
    sched.bandwidth = 1;
    const before = emu.ledger.repairs().length;
    const first = await Repair.plan(cluster, { ...opts, gracefulStopTimeoutMs: 200 });
    const controller = new AbortController();
    const run = first.run({ signal: controller.signal });
    try {
      await waitFor(
        () =>
          emu.ledger
            .repairs()
            .slice(before)
            .some((e) => e.outcome === "running")
            ? true
            : undefined,
        60_000,
      );
      controller.abort(new Error("stopped by the test"));
      await expect(run).rejects.toThrow("stopped by the test");
    } finally {
      sched.bandwidth = bandwidth;
    }
    const stopped = emu.ledger.repairs().slice(before);
    expect(stopped.length).toBeGreaterThan(0);
    // Nothing left running in Scylla, nothing recorded as repaired.
    await waitFor(() => (stopped.every((e) => e.outcome === "aborted") ? true : undefined), 30_000);
    expect(first.progress().success_percentage).toBe(0);
    const mid = emu.ledger.repairs().length;
    const second = await Repair.plan(cluster, opts);
    await second.run();
    expect(emu.ledger.repairs().slice(mid).length).toBeGreaterThan(0);
    for (const t of ["a", "b", "c"]) expect(uncoveredRanges(emu.state, "stop", t)).toEqual([]);
    expect(second.progress().success_percentage).toBe(100);
  }, 90_000);
});

describe("a table dropped mid-repair", () => {
  test("dropped before its shared job starts: Scylla refuses the job, the dropped table is success, the others are repaired alone", async () => {
    const before = emu.ledger.repairs().length;
    const repair = await Repair.plan(cluster, { keyspace: ["drop1"], smallTableThreshold: 0 });
    emu.state.schema.dropTable("drop1", "b", false);
    const events: RepairProgressEvent[] = [];
    repair.on("progress", (e: RepairProgressEvent) => events.push(e));
    await repair.run();
    const entries = emu.ledger.repairs().slice(before);
    expect(entries.filter((e) => e.outcome === "successful").every((e) => !e.tables.includes("b"))).toBe(true);
    for (const t of ["a", "c"]) expect(uncoveredRanges(emu.state, "drop1", t)).toEqual([]);
    const progress = repair.progress();
    expect(progress.success_percentage).toBe(100);
    expect(progress.error).toBe(0);
    expect(events.at(-1)?.error).toBe(0);
  }, 60_000);

  test("dropped while its job runs, Scylla answers RUNNING (SM's workaround): success once the table is gone", async () => {
    const sched = repairScheduler(emu.state);
    const bandwidth = sched.bandwidth;
    sched.bandwidth = bandwidth / 1000;
    const before = emu.ledger.repairs().length;
    // Older Scylla answers repair_status RUNNING for a job whose table was dropped.
    emu.faults.injectError(undefined, "/storage_service/repair_status", 200, "RUNNING", { count: 1 });
    try {
      const repair = await Repair.plan(cluster, { keyspace: ["drop2"], smallTableThreshold: 0 });
      const run = repair.run();
      await waitFor(() => (emu.ledger.repairs().slice(before).length > 0 ? true : undefined), 60_000);
      emu.state.schema.dropTable("drop2", "c", false);
      sched.bandwidth = bandwidth;
      await run;
      for (const t of ["a", "b"]) expect(uncoveredRanges(emu.state, "drop2", t)).toEqual([]);
      const progress = repair.progress();
      expect(progress.success_percentage).toBe(100);
      expect(progress.error).toBe(0);
    } finally {
      sched.bandwidth = bandwidth;
      await emu.faults.clear(emu.nodes.map((n) => n.ip));
    }
  }, 90_000);
});
