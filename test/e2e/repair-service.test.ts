/**
 * Repair through the server end to end: the emulator (2 DCs × 3 nodes on 127.1.1.x, our agents), our REST app and
 * Manager in one process. Outcomes come from the emulator's ledger (coverage, replica sets, one job per node, the
 * parallel cap) and from the REST answers (validated against SM's contract).
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import type { Registry } from "prom-client";
import type { Manager } from "../../src/manager/manager.ts";
import type { createApp } from "../../src/server/app.ts";
import type { Store } from "../../src/store/store.ts";
import { type EmulatedCluster, startCluster } from "../emulator/index.ts";
import { uncoveredRanges, wrongReplicaSets } from "../emulator/repair/ledger-checks.ts";
import { repairScheduler } from "../emulator/repair/scheduler.ts";
import { callApi, startInProcessServer } from "../support/in-process-server.ts";
import { applyNullable, createSmContractValidator, readSmDefinitions } from "../support/sm-contract.ts";
import { isVnodeEntry, maxConcurrent, repairedTwice, waitFor } from "./repair-helpers.ts";

const TOKEN = "repair-e2e";
let emu: EmulatedCluster;
let store: Store;
let manager: Manager;
let app: ReturnType<typeof createApp>;
let metrics: Registry;
let clusterId = "";

const definitions = readSmDefinitions();
function strict(schema: Record<string, unknown> | undefined, extra: string[] = []): Record<string, unknown> {
  const out: Record<string, unknown> = { ...(applyNullable(schema) as Record<string, unknown>) };
  const properties: Record<string, unknown> = { ...(out.properties as Record<string, unknown>) };
  for (const name of extra) properties[name] = {};
  out.properties = properties;
  out.additionalProperties = false;
  return out;
}
const { validate } = createSmContractValidator({
  ...(applyNullable(definitions) as object),
  // Beyond SM: eta_seconds (estimated seconds left).
  RepairProgress: strict(definitions.RepairProgress, ["eta_seconds"]),
  TableRepairProgress: strict(definitions.TableRepairProgress),
});

const call = (method: string, path: string, body?: unknown) => callApi(app, method, path, body);

async function createTask(properties: Record<string, unknown>): Promise<string> {
  const res = await call("POST", `/cluster/${clusterId}/tasks`, { type: "repair", enabled: true, properties });
  if (res.status !== 201) throw new Error(`create task: ${res.status} ${res.text}`);
  return res.headers.get("Location")?.split("/").pop() ?? "";
}

async function runEnd(taskId: string, runId?: string): Promise<{ run: any; progress: any }> {
  return waitFor(
    async () => {
      const res = await call("GET", `/cluster/${clusterId}/task/repair/${taskId}/${runId ?? "latest"}`);
      const status = res.json?.run?.status;
      return ["DONE", "ERROR", "STOPPED", "ABORTED"].includes(status) ? res.json : undefined;
    },
    60_000,
    "repair run end",
  );
}

beforeAll(async () => {
  emu = await startCluster({
    dcs: [3, 3],
    ipPrefix: "127.1.1.",
    agents: { authToken: TOKEN },
    timeScale: 0.001,
    tokensPerNode: 16,
  });
  ({ store, manager, app, metrics } = await startInProcessServer());
  const res = await call("POST", "/clusters", { host: "127.1.1.1", name: "emu", auth_token: TOKEN });
  expect(res.status).toBe(201);
  clusterId = res.headers.get("Location")?.split("/").pop() ?? "";
}, 60_000);
afterAll(async () => {
  await manager?.close();
  await emu?.close();
});

describe("repair service", () => {
  test("cluster add creates repair/all-weekly with SM's schedule and default properties", async () => {
    const tasks = await store.listTasks(clusterId);
    const weekly = tasks.find((t) => t.type === "repair");
    expect(weekly?.name).toBe("all-weekly");
    expect(weekly?.schedule.cron).toBe("0 23 * * SAT");
    expect(weekly?.schedule.numRetries).toBe(3);
    expect(weekly?.properties).toEqual({});
  });

  test("a repair repairs every range once with its full replica set, one job per node, parallel cap held", async () => {
    const before = emu.ledger.repairs().length;
    const taskId = await createTask({ keyspace: ["ks1", "ks3"], small_table_threshold: 0, parallel: 1 });
    const { run, progress } = await runEnd(taskId);
    expect(run.status).toBe("DONE");
    const entries = emu.ledger.repairs().slice(before);
    for (const [ks, table] of [
      ["ks1", "small_table"],
      ["ks1", "users"],
      ["ks3", "blobs"],
    ] as const) {
      expect(uncoveredRanges(emu.state, ks, table)).toEqual([]);
      expect(wrongReplicaSets(emu.state, ks, table)).toEqual([]);
      expect(repairedTwice(emu.state, ks, table)).toBe(0);
    }
    for (const n of emu.nodes) expect(maxConcurrent(entries.filter((e) => e.hosts.includes(n.ip)))).toBe(1);
    expect(maxConcurrent(entries)).toBe(1);
    expect(entries.every((e) => e.params.ranges_parallelism === "1")).toBe(true);
    expect(validate("RepairProgress", progress)).toBe("");
    expect(progress.success_percentage).toBe(100);
    expect(progress.error_percentage).toBe(0);
    expect(progress.completed_at).not.toBeNull();
    expect(progress.dcs).toEqual(["dc1", "dc2"]);
    expect(progress.parallel).toBe(1);
    expect(progress.max_parallel).toBe(0);
    expect(progress.tables.map((t: any) => `${t.keyspace}.${t.table}`)).toContain("ks3.blobs");
    // SM's gauges.
    const text = await metrics.metrics();
    expect(text).toContain(`scylla_manager_repair_progress{cluster="${clusterId}"} 100`);
    expect(text).toMatch(
      new RegExp(
        `scylla_manager_repair_token_ranges_success\\{cluster="${clusterId}",keyspace="ks3",table="blobs",host="127\\.1\\.1\\.1"\\} [1-9]`,
      ),
    );
    expect(text).toContain("scylla_manager_repair_inflight_jobs{");
  }, 60_000);

  test("default parallel: several jobs at once, still one per node", async () => {
    const before = emu.ledger.repairs().length;
    const taskId = await createTask({ keyspace: ["ks2.events"], small_table_threshold: 0 });
    const { run } = await runEnd(taskId);
    expect(run.status).toBe("DONE");
    const entries = emu.ledger.repairs().slice(before).filter(isVnodeEntry);
    expect(uncoveredRanges(emu.state, "ks2", "events")).toEqual([]);
    expect(wrongReplicaSets(emu.state, "ks2", "events")).toEqual([]);
    for (const n of emu.nodes) expect(maxConcurrent(entries.filter((e) => e.hosts.includes(n.ip)))).toBe(1);
    // NTS 3/3 on 3+3 nodes: SM's max ring parallel is 1.
    expect(maxConcurrent(entries)).toBeLessThanOrEqual(1);
  }, 60_000);

  test("bad input is a 400 in SM's words and nothing is stored", async () => {
    const count = (await store.listTasks(clusterId)).length;
    const cases: Array<[Record<string, unknown>, string]> = [
      [{ keyspace: ["nope*"] }, "no keyspace matched criteria"],
      [{ intensity: -1 }, "invalid intensity"],
      [{ parallel: -2 }, "invalid parallel"],
      [{ host: "127.1.1.99" }, "no such host 127.1.1.99"],
      [{ host: "not-an-ip" }, "invalid host"],
      [{ dc: ["dc9"] }, "no matching DCs"],
      [{ keyspace_replication: "some" }, "invalid keyspace_replication"],
    ];
    for (const [properties, message] of cases) {
      const res = await call("POST", `/cluster/${clusterId}/tasks`, { type: "repair", enabled: true, properties });
      expect(res.status).toBe(400);
      expect(res.json.message).toContain(message);
    }
    const allowed = await call("GET", `/cluster/${clusterId}/tasks/repair/target`, {
      type: "repair",
      properties: { keyspace: ["nope*"], allow_empty: true },
    });
    expect(allowed.status).toBe(200);
    expect(allowed.json.units).toEqual([]);
    expect((await store.listTasks(clusterId)).length).toBe(count);
  });

  test("a down node: SM's error unless ignore_down_hosts, then repaired without it", async () => {
    emu.faults.stopNode("127.1.1.6");
    try {
      const res = await call("POST", `/cluster/${clusterId}/tasks`, {
        type: "repair",
        enabled: true,
        properties: { keyspace: ["ks3"] },
      });
      expect(res.status).toBe(400);
      expect(res.json.message).toContain("repairing DCs with down nodes won't be successful: [127.1.1.6]");
      const before = emu.ledger.repairs().length;
      const taskId = await createTask({ keyspace: ["ks3"], ignore_down_hosts: true, small_table_threshold: 0 });
      const { run, progress } = await runEnd(taskId);
      expect(run.status).toBe("DONE");
      const entries = emu.ledger.repairs().slice(before);
      expect(entries.length).toBeGreaterThan(0);
      expect(entries.every((e) => !e.hosts.includes("127.1.1.6"))).toBe(true);
      expect(progress.hosts.map((h: any) => h.host)).not.toContain("127.1.1.6");
    } finally {
      emu.faults.startNode("127.1.1.6");
    }
  }, 60_000);

  test("stop mid-run, control values persisted, start again: only what was left is repaired", async () => {
    const sched = repairScheduler(emu.state);
    const bandwidth = sched.bandwidth;
    sched.bandwidth = bandwidth / 1000;
    try {
      const before = emu.ledger.repairs().length;
      // 3+3 nodes at NTS 3/3: one replica set per keyspace, so with batching each keyspace is one job (its
      // tables share it): stop after the first, while the second runs and the third waits.
      const taskId = await createTask({ keyspace: ["ks1", "ks2", "ks3"], small_table_threshold: 0, intensity: 1 });
      await waitFor(async () => {
        const r = await call("GET", `/cluster/${clusterId}/task/repair/${taskId}/latest`);
        if (["ERROR", "DONE"].includes(r.json?.run?.status)) throw new Error(JSON.stringify(r.json.run));
        return emu.ledger
          .repairs()
          .slice(before)
          .filter((e) => e.outcome === "successful").length >= 1
          ? true
          : undefined;
      });
      expect((await call("PUT", `/cluster/${clusterId}/repairs/intensity?intensity=2`)).status).toBe(200);
      expect((await call("PUT", `/cluster/${clusterId}/repairs/parallel?parallel=1`)).status).toBe(200);
      expect((await call("PUT", `/cluster/${clusterId}/repairs/parallel?parallel=-1`)).status).toBe(400);
      expect((await call("PUT", `/cluster/${clusterId}/task/repair/${taskId}/stop`)).status).toBe(200);
      const first = await runEnd(taskId);
      expect(first.run.status).toBe("STOPPED");
      expect(first.progress.intensity).toBe(2);
      expect(first.progress.parallel).toBe(1);
      expect(first.progress.success_percentage).toBeLessThan(100);
      expect((await call("PUT", `/cluster/${clusterId}/repairs/intensity?intensity=2`)).status).toBe(404);
      const mid = emu.ledger.repairs().length;
      sched.bandwidth = bandwidth;
      expect((await call("PUT", `/cluster/${clusterId}/task/repair/${taskId}/start`)).status).toBe(200);
      const second = await waitFor(async () => {
        const r = await runEnd(taskId);
        return r.run.id !== first.run.id ? r : undefined;
      });
      expect(second.run.status).toBe("DONE");
      expect(second.progress.intensity).toBe(2);
      expect(second.progress.parallel).toBe(1);
      expect(second.progress.success_percentage).toBe(100);
      for (const [ks, t] of [
        ["ks1", "users"],
        ["ks1", "small_table"],
        ["ks2", "events"],
        ["ks3", "blobs"],
      ] as const) {
        expect(uncoveredRanges(emu.state, ks, t)).toEqual([]);
      }
      const resumed = emu.ledger.repairs().slice(mid);
      // Intensity 2 is capped by the nodes' max_repair_ranges_in_parallel (1 with the emulator's memory per shard).
      expect(resumed.map((e) => e.params.ranges_parallelism)).toEqual(resumed.map(() => "1"));
      expect(maxConcurrent(resumed)).toBe(1);
      // Only what was left: no table range repaired twice across the two runs (earlier tests' repairs are
      // excluded by counting from this test's start).
      const entries = emu.ledger
        .repairs()
        .slice(before)
        .filter((e) => e.outcome === "successful");
      const ranges = entries.flatMap((e) =>
        e.tables.flatMap((t) => e.ranges.map((r) => `${e.keyspace}.${t}:${r.start}:${r.end}`)),
      );
      expect(new Set(ranges).size).toBe(ranges.length);
      expect(resumed.length).toBeGreaterThan(0);
    } finally {
      sched.bandwidth = bandwidth;
    }
  }, 90_000);
});
