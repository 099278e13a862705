import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { contractsAbsent, ScyllaContracts } from "../contract.ts";
import { type EmulatedCluster, startCluster } from "../index.ts";
import { testSchemaSpec } from "../storage/testing.ts";
import type { TokenRange } from "../topology/ring.ts";
import { maxConcurrentRepairsPerHost, uncoveredRanges, wrongReplicaSets } from "./ledger-checks.ts";
import { DEFAULT_REPAIR_BANDWIDTH, repairScheduler } from "./scheduler.ts";

const MAX = "9223372036854775807";
const MIN = "-9223372036854775808";
let cluster: EmulatedCluster;

beforeAll(async () => {
  cluster = await startCluster({
    dcs: "dc1:4",
    ipPrefix: "127.0.15.",
    tokensPerNode: 4,
    timeScale: 0.01,
    schema: testSchemaSpec(),
  });
});
afterAll(() => cluster.close());

async function call(ip: string, method: string, path: string): Promise<{ status: number; body: unknown }> {
  const res = await fetch(`http://${ip}:10000${path}`, { method });
  const text = await res.text();
  return { status: res.status, body: text === "" ? undefined : JSON.parse(text) };
}

const ip = (i: number): string => cluster.nodes[i]?.ip ?? "";
const message = (body: unknown): string => (body as { message?: string }).message ?? "";

/** SM's `ranges` param: a wrap-around range is split in two. */
function rangesParam(r: TokenRange): string {
  return BigInt(r.start_token) < BigInt(r.end_token)
    ? `${r.start_token}:${r.end_token}`
    : `${r.start_token}:${MAX},${MIN}:${r.end_token}`;
}

async function startRepair(host: string, ks: string, query: string): Promise<number> {
  const res = await call(host, "POST", `/storage_service/repair_async/${ks}?${query}`);
  expect(res.status).toBe(200);
  return res.body as number;
}

async function status(host: string, id: number): Promise<string> {
  return (await call(host, "GET", `/storage_service/repair_status?id=${id}`)).body as string;
}

/** Makes a job on ks1.users with all local ranges take about `ms` real milliseconds alone. */
function slowDown(ms: number): void {
  // ks1.users: 8 MiB per replica; a node's local ranges hold 8 MiB; time scale 0.01.
  repairScheduler(cluster.state).bandwidth = (8 * 1024 * 1024) / (ms / 1000 / 0.01);
}
const resetSpeed = (): void => {
  repairScheduler(cluster.state).bandwidth = DEFAULT_REPAIR_BANDWIDTH;
};

describe("repair_async", () => {
  test("repairing every range with its replicas covers the ring with the right replica sets", async () => {
    const ring = (await call(ip(0), "GET", "/storage_service/describe_ring/ks1")).body as TokenRange[];
    expect(ring.length).toBe(16);
    const first = ring.slice(0, 8);
    const runs = async (ranges: TokenRange[]) =>
      Promise.all(
        ranges.map(async (r) => {
          const master = r.endpoints[0] ?? "";
          const id = await startRepair(
            master,
            "ks1",
            `columnFamilies=users&ranges=${rangesParam(r)}&hosts=${r.endpoints.join(",")}&ranges_parallelism=1`,
          );
          return status(master, id);
        }),
      );
    expect(await runs(first)).toEqual(first.map(() => "SUCCESSFUL"));
    expect(uncoveredRanges(cluster.state, "ks1", "users").length).toBe(8);
    expect(await runs(ring.slice(8))).toEqual(ring.slice(8).map(() => "SUCCESSFUL"));
    expect(uncoveredRanges(cluster.state, "ks1", "users")).toEqual([]);
    expect(wrongReplicaSets(cluster.state, "ks1", "users")).toEqual([]);
  });

  test("ids increase per node; unknown ids are 500 'unknown repair id'", async () => {
    const a = await startRepair(ip(1), "ks1", "columnFamilies=small_table");
    const b = await startRepair(ip(1), "ks1", "columnFamilies=small_table");
    expect(b).toBe(a + 1);
    expect(cluster.ledger.repairs("ks1", "small_table").some((e) => e.id === String(b) && e.host === ip(1))).toBe(true);
    const res = await call(ip(1), "GET", "/storage_service/repair_status?id=999");
    expect(res.status).toBe(500);
    expect(message(res.body)).toBe("unknown repair id 999");
    expect(await status(ip(1), a)).toBe("SUCCESSFUL");
  });

  test("malformed options are rejected with Scylla's wording", async () => {
    const bad = await call(ip(0), "POST", "/storage_service/repair_async/ks1?columnFamilies=users&ranges=1-2");
    expect(bad.status).toBe(500);
    expect(message(bad.body)).toBe("range must have two components separated by ':', got '1-2'");
    const both = await call(
      ip(0),
      "POST",
      "/storage_service/repair_async/ks1?columnFamilies=users&ranges_parallelism=2&small_table_optimization=true",
    );
    expect(both.status).toBe(400);
    const unknown = await call(ip(0), "POST", "/storage_service/repair_async/ks1?nope=1");
    expect(message(unknown.body)).toBe("option nope is not supported");
    const table = await call(ip(0), "POST", "/storage_service/repair_async/ks1?columnFamilies=missing");
    expect(table.status).toBe(400);
  });

  test("a hosts list without the coordinator fails the job; a partial replica set shows in the ledger check", async () => {
    const ring = (await call(ip(0), "GET", "/storage_service/describe_ring/ks2")).body as TokenRange[];
    const r = ring.find((x) => BigInt(x.start_token) < BigInt(x.end_token)) ?? ring[0];
    if (r === undefined) throw new Error("empty ring");
    const [master = "", second = "", third = ""] = r.endpoints;
    const failed = await startRepair(
      master,
      "ks2",
      `columnFamilies=events&ranges=${rangesParam(r)}&hosts=${second},${third}`,
    );
    expect(await status(master, failed)).toBe("FAILED");
    const tasks = (await call(master, "GET", "/task_manager/list_module_tasks/repair")).body as Array<{
      task_id: string;
      sequence_number: number;
    }>;
    const task = tasks.find((t) => t.sequence_number === failed);
    const st = (await call(master, "GET", `/task_manager/task_status/${task?.task_id}`)).body as {
      state: string;
      error: string;
    };
    expect(st.state).toBe("failed");
    expect(st.error).toBe("The current host must be part of the repair");

    const partial = await startRepair(
      master,
      "ks2",
      `columnFamilies=events&ranges=${rangesParam(r)}&hosts=${master},${second}`,
    );
    expect(await status(master, partial)).toBe("SUCCESSFUL");
    const mismatches = wrongReplicaSets(cluster.state, "ks2", "events");
    expect(mismatches.length).toBe(1);
    expect(mismatches[0]?.actual).toEqual([master, second].sort());
    expect(mismatches[0]?.expected).toEqual([...r.endpoints].sort());
  });
});

describe("modelled time", () => {
  test("parallel jobs on one node slow each other; repair_status blocks until the end", async () => {
    slowDown(250);
    try {
      const t0 = Date.now();
      const alone = await startRepair(ip(0), "ks1", "columnFamilies=users");
      expect(await status(ip(0), alone)).toBe("SUCCESSFUL");
      const aloneMs = Date.now() - t0;
      expect(aloneMs).toBeGreaterThanOrEqual(200);
      const t1 = Date.now();
      const a = await startRepair(ip(0), "ks1", "columnFamilies=users");
      const b = await startRepair(ip(1), "ks1", "columnFamilies=users");
      expect(await Promise.all([status(ip(0), a), status(ip(1), b)])).toEqual(["SUCCESSFUL", "SUCCESSFUL"]);
      const together = Date.now() - t1;
      expect(together).toBeGreaterThan(aloneMs * 1.5);
      expect(maxConcurrentRepairsPerHost(cluster.state).get(ip(0))).toBeGreaterThanOrEqual(2);
      const last = cluster.ledger.repairs("ks1", "users").at(-1);
      expect(last?.params.concurrency_at_start).toBe("2");
    } finally {
      resetSpeed();
    }
  });

  test("abort_task makes a running repair FAILED; a replica going down fails the job", async () => {
    slowDown(5000);
    try {
      const id = await startRepair(ip(2), "ks1", "columnFamilies=users");
      const tasks = (await call(ip(2), "GET", "/task_manager/list_module_tasks/repair")).body as Array<{
        task_id: string;
        state: string;
        sequence_number: number;
        type: string;
      }>;
      const task = tasks.find((t) => t.sequence_number === id);
      expect(task?.state).toBe("running");
      expect(task?.type).toBe("repair");
      const pending = status(ip(2), id);
      expect((await call(ip(2), "POST", `/task_manager/abort_task/${task?.task_id}`)).status).toBe(200);
      expect(await pending).toBe("FAILED");
      expect(cluster.ledger.repairs("ks1", "users").at(-1)?.outcome).toBe("aborted");

      const id2 = await startRepair(ip(2), "ks1", "columnFamilies=users");
      const pending2 = status(ip(2), id2);
      await Bun.sleep(50);
      await cluster.faults.stopNode(ip(3));
      try {
        expect(await pending2).toBe("FAILED");
      } finally {
        await cluster.faults.startNode(ip(3));
      }
      expect(cluster.ledger.repairs("ks1", "users").at(-1)?.outcome).toBe("failed");
    } finally {
      resetSpeed();
    }
  });

  test("repair_status with a timeout answers RUNNING while the job runs", async () => {
    slowDown(3000);
    try {
      const id = await startRepair(ip(0), "ks1", "columnFamilies=users");
      expect((await call(ip(0), "GET", `/storage_service/repair_status?id=${id}&timeout=0`)).body).toBe("RUNNING");
      const tasks = (await call(ip(0), "GET", "/task_manager/list_module_tasks/repair")).body as Array<{
        task_id: string;
        sequence_number: number;
      }>;
      await call(ip(0), "POST", `/task_manager/abort_task/${tasks.find((t) => t.sequence_number === id)?.task_id}`);
      expect(await status(ip(0), id)).toBe("FAILED");
    } finally {
      resetSpeed();
    }
  });
});

describe("tablets and task manager", () => {
  test("tablet repair covers the table; wait_task answers 408 on timeout, then the final status", async () => {
    slowDown(1500);
    try {
      const res = await call(
        ip(0),
        "POST",
        "/storage_service/tablets/repair?ks=tablet_ks&table=tab&tokens=all&await_completion=false",
      );
      expect(res.status).toBe(200);
      const id = (res.body as { tablet_task_id: string }).tablet_task_id;
      const listed = (await call(ip(3), "GET", "/task_manager/list_module_tasks/tablets")).body as Array<{
        task_id: string;
        type: string;
        state: string;
      }>;
      expect(listed.find((t) => t.task_id === id)).toMatchObject({ type: "user_repair", state: "running" });
      await Bun.sleep(700);
      const mid = (await call(ip(2), "GET", `/task_manager/task_status/${id}`)).body as {
        progress_completed: number;
        progress_total: number;
      };
      expect(mid.progress_total).toBe(8);
      expect(mid.progress_completed).toBeGreaterThan(0);
      expect(mid.progress_completed).toBeLessThan(8);
      const timedOut = await call(ip(1), "GET", `/task_manager/wait_task/${id}?timeout=1`);
      expect(timedOut.status).toBe(408);
      expect(timedOut.body).toEqual({ message: "timedout", code: 408 });
      const done = await call(ip(1), "GET", `/task_manager/wait_task/${id}`);
      expect(done.status).toBe(200);
      expect((done.body as { state: string }).state).toBe("done");
      expect(uncoveredRanges(cluster.state, "tablet_ks", "tab")).toEqual([]);
      expect(wrongReplicaSets(cluster.state, "tablet_ks", "tab")).toEqual([]);
      // A node takes part in at most one tablet repair per shard (2 shards), and some ran side by side.
      const perHost = maxConcurrentRepairsPerHost(cluster.state, (e) => e.params.tablet === "true");
      for (const [, max] of perHost) expect(max).toBeLessThanOrEqual(2);
      expect(Math.max(...perHost.values())).toBe(2);
    } finally {
      resetSpeed();
    }
  });

  test("user_ttl: finished tasks are forgotten after the TTL; unknown task ids are 400", async () => {
    expect((await call(ip(3), "GET", "/task_manager/user_ttl")).body).toBe(10);
    expect((await call(ip(3), "POST", "/task_manager/user_ttl?user_ttl=0")).body).toBe(10);
    const id = await startRepair(ip(3), "ks1", "columnFamilies=small_table");
    expect(await status(ip(3), id)).toBe("SUCCESSFUL");
    const tasks = (await call(ip(3), "GET", "/task_manager/list_module_tasks/repair")).body as unknown[];
    expect(tasks).toEqual([]);
    const missing = await call(ip(3), "GET", "/task_manager/task_status/00000000-0000-0000-0000-000000000000");
    expect(missing.status).toBe(400);
    await call(ip(3), "POST", "/task_manager/user_ttl?user_ttl=10");
  });
});

describe("contract", () => {
  test.skipIf(contractsAbsent("repair.test.ts"))(
    "repair and task manager routes exist in scylla_v1.json and their responses validate",
    async () => {
      const contracts = new ScyllaContracts();
      const routes = cluster.routers.get(ip(0))?.routes() ?? [];
      const mine = routes.filter((r) => /repair|task_manager/.test(r.pattern));
      expect(mine.length).toBeGreaterThan(8);
      expect(mine.filter((r) => !contracts.has(r.method, r.pattern))).toEqual([]);
      const id = await startRepair(ip(0), "ks1", "columnFamilies=small_table");
      const checks: Array<[string, string, string]> = [
        ["GET", `/storage_service/repair_status?id=${id}`, "/storage_service/repair_status"],
        ["GET", `/storage_service/repair_async/ks1?id=${id}`, "/storage_service/repair_async/{keyspace}"],
        ["GET", "/task_manager/list_module_tasks/repair", "/task_manager/list_module_tasks/{module}"],
        ["GET", "/task_manager/user_ttl", "/task_manager/user_ttl"],
        ["GET", "/task_manager/list_modules", "/task_manager/list_modules"],
        [
          "POST",
          "/storage_service/tablets/repair?ks=tablet_ks&table=tab&tokens=all",
          "/storage_service/tablets/repair",
        ],
      ];
      for (const [method, path, pattern] of checks) {
        const res = await call(ip(0), method, path);
        expect(res.status).toBe(200);
        expect(contracts.validate(method, pattern, 200, res.body)).toBeUndefined();
      }
      const tasks = (await call(ip(0), "GET", "/task_manager/list_module_tasks/repair")).body as Array<{
        task_id: string;
      }>;
      const status = await call(ip(0), "GET", `/task_manager/task_status/${tasks[0]?.task_id}`);
      expect(contracts.validate("GET", "/task_manager/task_status/{task_id}", 200, status.body)).toBeUndefined();
      const err = await call(ip(0), "GET", "/storage_service/repair_status?id=12345");
      expect(contracts.validate("GET", "/storage_service/repair_status", 500, err.body)).toBeUndefined();
    },
  );
});

describe("tablet repair with a node down", () => {
  test("waits while a replica is down and finishes once it is back", async () => {
    await cluster.faults.stopNode(ip(3));
    let restarted = false;
    try {
      const res = await call(ip(0), "POST", "/storage_service/tablets/repair?ks=tablet_ks&table=tab&tokens=all");
      const id = (res.body as { tablet_task_id: string }).tablet_task_id;
      expect((await call(ip(0), "GET", `/task_manager/wait_task/${id}?timeout=1`)).status).toBe(408);
      await cluster.faults.startNode(ip(3));
      restarted = true;
      const done = await call(ip(0), "GET", `/task_manager/wait_task/${id}`);
      expect((done.body as { state: string }).state).toBe("done");
    } finally {
      if (!restarted) await cluster.faults.startNode(ip(3));
    }
  });
});
