/** Store contract, part 2: run history, per-service runs and progress, batches. See `contract.ts`. */
import { describe, expect, test } from "bun:test";
import { makeCluster, makeRun, makeTask, makeTimeUuids, uuidN } from "./contract-fixtures.ts";
import type { Store } from "./store.ts";

export function describeRunContract(fresh: () => Promise<Store>): void {
  const c1 = uuidN(1);
  const c2 = uuidN(2);

  describe("runs", () => {
    test("put, get, update status", async () => {
      const store = await fresh();
      const [id] = makeTimeUuids(1);
      const run = makeRun(c1, "repair", uuidN(10), id ?? "", "RUNNING");
      await store.putRun(run);
      expect(await store.getRun(c1, "repair", uuidN(10), id ?? "")).toEqual(run);
      await store.putRun({ ...run, status: "DONE", endTime: "2026-01-01T01:00:00.000Z" });
      const read = await store.getRun(c1, "repair", uuidN(10), id ?? "");
      expect(read?.status).toBe("DONE");
      expect(read?.endTime).toBe("2026-01-01T01:00:00.000Z");
      expect(await store.getRun(c1, "backup", uuidN(10), id ?? "")).toBeUndefined();
    });

    test("history is newest first by time UUID (not by text), limited", async () => {
      const store = await fresh();
      const ids = makeTimeUuids(6);
      for (const i of [3, 0, 5, 1, 4, 2]) await store.putRun(makeRun(c1, "repair", uuidN(10), ids[i] ?? ""));
      await store.putRun(makeRun(c1, "repair", uuidN(11), ids[0] ?? ""));
      await store.putRun(makeRun(c1, "backup", uuidN(10), ids[0] ?? ""));
      const newestFirst = [...ids].reverse();
      expect((await store.listRuns(c1, "repair", uuidN(10), 10)).map((r) => r.id)).toEqual(newestFirst);
      expect((await store.listRuns(c1, "repair", uuidN(10), 2)).map((r) => r.id)).toEqual(newestFirst.slice(0, 2));
      expect((await store.listRuns(c1, "repair", uuidN(10), 0)).map((r) => r.id)).toEqual(newestFirst);
      expect(await store.listRuns(c2, "repair", uuidN(10), 10)).toEqual([]);
    });

    test("listRunsByStatus finds runs across clusters and tasks", async () => {
      const store = await fresh();
      const ids = makeTimeUuids(4);
      await store.putRun(makeRun(c1, "repair", uuidN(10), ids[0] ?? "", "RUNNING"));
      await store.putRun(makeRun(c1, "repair", uuidN(10), ids[1] ?? "", "DONE"));
      await store.putRun(makeRun(c2, "backup", uuidN(11), ids[2] ?? "", "RUNNING"));
      await store.putRun(makeRun(c2, "backup", uuidN(11), ids[3] ?? "", "ERROR"));
      const running = await store.listRunsByStatus("RUNNING");
      expect(running.map((r) => r.id).sort()).toEqual([ids[0] ?? "", ids[2] ?? ""].sort());
      expect(running.every((r) => r.status === "RUNNING")).toBe(true);
      await store.putRun(makeRun(c1, "repair", uuidN(10), ids[0] ?? "", "ABORTED"));
      expect((await store.listRunsByStatus("RUNNING")).map((r) => r.id)).toEqual([ids[2] ?? ""]);
      expect(await store.listRunsByStatus("STOPPING")).toEqual([]);
    });
  });

  describe("service runs and progress", () => {
    test("service runs: put, get, newest first, limit, kinds apart", async () => {
      const store = await fresh();
      const ids = makeTimeUuids(3);
      for (const i of [1, 2, 0]) {
        await store.putServiceRun("repair_run", {
          clusterId: c1,
          taskId: uuidN(10),
          runId: ids[i] ?? "",
          value: { intensity: i, dc: ["dc1"] },
        });
      }
      await store.putServiceRun("backup_run", { clusterId: c1, taskId: uuidN(10), runId: ids[0] ?? "", value: "b" });
      expect(await store.getServiceRun("repair_run", c1, uuidN(10), ids[1] ?? "")).toEqual({
        clusterId: c1,
        taskId: uuidN(10),
        runId: ids[1] ?? "",
        value: { intensity: 1, dc: ["dc1"] },
      });
      expect(await store.getServiceRun("repair_run", c1, uuidN(11), ids[1] ?? "")).toBeUndefined();
      const list = await store.listServiceRuns("repair_run", c1, uuidN(10), 2);
      expect(list.map((r) => r.runId)).toEqual([ids[2] ?? "", ids[1] ?? ""]);
      expect((await store.listServiceRuns("backup_run", c1, uuidN(10), 10)).map((r) => r.value)).toEqual(["b"]);
      await store.putServiceRun("repair_run", { clusterId: c1, taskId: uuidN(10), runId: ids[1] ?? "", value: 7 });
      expect((await store.getServiceRun("repair_run", c1, uuidN(10), ids[1] ?? ""))?.value).toBe(7);
    });

    test("progress rows upsert by key, list by key, delete per run", async () => {
      const store = await fresh();
      const [r1, r2] = makeTimeUuids(2);
      const run1 = r1 ?? "";
      const run2 = r2 ?? "";
      await store.putProgress("repair_run_progress", c1, uuidN(10), run1, [
        { key: "h2/ks/t1", value: { success: 1 } },
        { key: "h1/ks/t1", value: { success: 2 } },
      ]);
      await store.putProgress("repair_run_progress", c1, uuidN(10), run1, [
        { key: "h2/ks/t1", value: { success: 3 } },
        { key: "h1/ks/t2", value: { success: 4 } },
      ]);
      await store.putProgress("repair_run_progress", c1, uuidN(10), run2, [{ key: "h1/ks/t1", value: 0 }]);
      await store.putProgress("repair_run_state", c1, uuidN(10), run1, [{ key: "ks/t1", value: [[0, 10]] }]);
      expect(await store.listProgress("repair_run_progress", c1, uuidN(10), run1)).toEqual([
        { key: "h1/ks/t1", value: { success: 2 } },
        { key: "h1/ks/t2", value: { success: 4 } },
        { key: "h2/ks/t1", value: { success: 3 } },
      ]);
      await store.putProgress("repair_run_progress", c1, uuidN(10), run1, []);
      await store.deleteProgress("repair_run_progress", c1, uuidN(10), run1);
      expect(await store.listProgress("repair_run_progress", c1, uuidN(10), run1)).toEqual([]);
      expect(await store.listProgress("repair_run_progress", c1, uuidN(10), run2)).toEqual([
        { key: "h1/ks/t1", value: 0 },
      ]);
      expect(await store.listProgress("repair_run_state", c1, uuidN(10), run1)).toEqual([
        { key: "ks/t1", value: [[0, 10]] },
      ]);
    });

    test("deleting some rows of a run by key leaves the others", async () => {
      const store = await fresh();
      const rows = ["a", "b", "c", "d"].map((key, i) => ({ key, value: i }));
      await store.putProgress("scheduler_request", c1, uuidN(10), "queue", rows);
      await store.putProgress("scheduler_request", c1, uuidN(10), "other", rows);
      await store.deleteProgress("scheduler_request", c1, uuidN(10), "queue", ["b", "d", "missing"]);
      expect(await store.listProgress("scheduler_request", c1, uuidN(10), "queue")).toEqual([
        { key: "a", value: 0 },
        { key: "c", value: 2 },
      ]);
      await store.deleteProgress("scheduler_request", c1, uuidN(10), "queue", []);
      await store.batch([
        {
          op: "deleteProgress",
          kind: "scheduler_request",
          clusterId: c1,
          taskId: uuidN(10),
          runId: "queue",
          keys: ["a"],
        },
      ]);
      expect(await store.listProgress("scheduler_request", c1, uuidN(10), "queue")).toEqual([{ key: "c", value: 2 }]);
      expect(await store.listProgress("scheduler_request", c1, uuidN(10), "other")).toHaveLength(4);
    });
  });

  describe("batch", () => {
    test("applies every write in order", async () => {
      const store = await fresh();
      const [runId = ""] = makeTimeUuids(1);
      const task = makeTask(c1, "repair", uuidN(10));
      await store.putDrawer(c1, "gone", 1);
      await store.putProgress("repair_run_progress", c1, uuidN(10), "old", [{ key: "x", value: 1 }]);
      await store.batch([
        { op: "putCluster", cluster: makeCluster(c1) },
        { op: "putTask", task },
        { op: "putRun", run: makeRun(c1, "repair", uuidN(10), runId, "RUNNING") },
        { op: "putRun", run: makeRun(c1, "repair", uuidN(10), runId, "DONE") },
        { op: "putServiceRun", kind: "repair_run", run: { clusterId: c1, taskId: uuidN(10), runId, value: 1 } },
        {
          op: "putProgress",
          kind: "repair_run_progress",
          clusterId: c1,
          taskId: uuidN(10),
          runId,
          rows: [{ key: "a", value: 2 }],
        },
        { op: "deleteProgress", kind: "repair_run_progress", clusterId: c1, taskId: uuidN(10), runId: "old" },
        { op: "putDrawer", clusterId: c1, key: "counter", value: { n: 1 } },
        { op: "deleteDrawer", clusterId: c1, key: "gone" },
      ]);
      expect(await store.getCluster(c1)).toEqual(makeCluster(c1));
      expect(await store.getTask(c1, "repair", uuidN(10))).toEqual(task);
      expect((await store.getRun(c1, "repair", uuidN(10), runId))?.status).toBe("DONE");
      expect((await store.getServiceRun("repair_run", c1, uuidN(10), runId))?.value).toBe(1);
      expect(await store.listProgress("repair_run_progress", c1, uuidN(10), runId)).toEqual([{ key: "a", value: 2 }]);
      expect(await store.listProgress("repair_run_progress", c1, uuidN(10), "old")).toEqual([]);
      expect(await store.getDrawer(c1, "counter")).toEqual({ n: 1 });
      expect(await store.getDrawer(c1, "gone")).toBeUndefined();
      await store.batch([]); // an empty batch is a no-op
    });

    test("a failing batch writes nothing", async () => {
      const store = await fresh();
      const cyclic: Record<string, unknown> = {};
      cyclic.self = cyclic;
      await expect(
        store.batch([
          { op: "putCluster", cluster: makeCluster(c1) },
          { op: "putDrawer", clusterId: c1, key: "bad", value: cyclic },
        ]),
      ).rejects.toThrow();
      expect(await store.getCluster(c1)).toBeUndefined();
      expect(await store.getDrawer(c1, "bad")).toBeUndefined();
    });
  });
}
