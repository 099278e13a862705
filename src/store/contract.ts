/**
 * The store contract suite: every Store implementation (memory, SQLite, later CQL) runs it from its own test file:
 *
 *   describeStoreContract("memory", async () => createMemoryStore());
 *
 * `openFresh` opens an empty store. `reopen`, for persistent implementations, opens the storage of the most recent
 * `openFresh()` again after the suite closed it; the suite then checks that everything survived.
 * Test support only (imports bun:test); not exported from the library.
 */
import { afterEach, describe, expect, test } from "bun:test";
import { StoreError } from "../errors.ts";
import { makeCluster, makeRun, makeTask, makeTimeUuids, uuidN } from "./contract-fixtures.ts";
import { describeRunContract } from "./contract-runs.ts";
import type { Store } from "./store.ts";

export function describeStoreContract(
  name: string,
  openFresh: () => Promise<Store>,
  reopen?: () => Promise<Store>,
): void {
  describe(`store contract: ${name}`, () => {
    const open: Store[] = [];
    async function fresh(): Promise<Store> {
      const store = await openFresh();
      open.push(store);
      return store;
    }
    afterEach(async () => {
      for (const store of open.splice(0)) await store.close();
    });

    const c1 = uuidN(1);
    const c2 = uuidN(2);

    describe("clusters", () => {
      test("put, get, update, delete", async () => {
        const store = await fresh();
        expect(await store.getCluster(c1)).toBeUndefined();
        const cluster = makeCluster(c1, { agentCaCert: "-----BEGIN CERTIFICATE-----\nx\n" });
        await store.putCluster(cluster);
        expect(await store.getCluster(c1)).toEqual(cluster);
        await store.putCluster({ ...cluster, name: "renamed", knownHosts: ["10.0.0.1"], port: 10011 });
        const updated = await store.getCluster(c1);
        expect(updated?.name).toBe("renamed");
        expect(updated?.knownHosts).toEqual(["10.0.0.1"]);
        expect(updated?.port).toBe(10011);
        await store.deleteCluster(c1);
        expect(await store.getCluster(c1)).toBeUndefined();
        await store.deleteCluster(c1); // deleting a missing cluster is not an error
      });

      test("list is sorted by id", async () => {
        const store = await fresh();
        expect(await store.listClusters()).toEqual([]);
        for (const n of [3, 1, 2]) await store.putCluster(makeCluster(uuidN(n)));
        expect((await store.listClusters()).map((c) => c.id)).toEqual([uuidN(1), uuidN(2), uuidN(3)]);
      });

      test("callers cannot mutate stored state", async () => {
        const store = await fresh();
        const cluster = makeCluster(c1);
        await store.putCluster(cluster);
        cluster.labels.env = "changed";
        cluster.knownHosts.push("1.1.1.1");
        const read = await store.getCluster(c1);
        expect(read?.labels.env).toBe("test");
        read?.knownHosts.push("2.2.2.2");
        expect((await store.getCluster(c1))?.knownHosts).toHaveLength(2);
        expect((await store.listClusters())[0]?.knownHosts).toHaveLength(2);
      });
    });

    describe("secrets", () => {
      test("bytes round-trip, overwrite, per-cluster keys", async () => {
        const store = await fresh();
        const all = new Uint8Array(256).map((_, i) => i);
        await store.putSecret(c1, "cql_creds", all);
        await store.putSecret(c1, "empty", new Uint8Array());
        await store.putSecret(c2, "cql_creds", new TextEncoder().encode("other"));
        expect(Array.from((await store.getSecret(c1, "cql_creds")) ?? [])).toEqual(Array.from(all));
        expect((await store.getSecret(c1, "empty"))?.length).toBe(0);
        expect(new TextDecoder().decode(await store.getSecret(c2, "cql_creds"))).toBe("other");
        expect(await store.getSecret(c1, "missing")).toBeUndefined();
        await store.putSecret(c1, "cql_creds", new TextEncoder().encode("new"));
        expect(new TextDecoder().decode(await store.getSecret(c1, "cql_creds"))).toBe("new");
      });

      test("stored bytes are copies", async () => {
        const store = await fresh();
        const value = new TextEncoder().encode("secret");
        await store.putSecret(c1, "k", value);
        value[0] = 0;
        const read = await store.getSecret(c1, "k");
        if (read) read[1] = 0;
        expect(new TextDecoder().decode(await store.getSecret(c1, "k"))).toBe("secret");
      });

      test("deleteSecret removes one key, deleteSecrets one cluster's keys", async () => {
        const store = await fresh();
        await store.putSecret(c1, "a", new Uint8Array([1]));
        await store.putSecret(c1, "b", new Uint8Array([2]));
        await store.putSecret(c2, "a", new Uint8Array([3]));
        await store.deleteSecret(c1, "a");
        expect(await store.getSecret(c1, "a")).toBeUndefined();
        expect(Array.from((await store.getSecret(c1, "b")) ?? [])).toEqual([2]);
        await store.deleteSecrets(c1);
        expect(await store.getSecret(c1, "b")).toBeUndefined();
        expect(Array.from((await store.getSecret(c2, "a")) ?? [])).toEqual([3]);
        await store.deleteSecrets(c1); // nothing left: not an error
      });
    });

    describe("drawer", () => {
      test("JSON values round-trip per cluster and key", async () => {
        const store = await fresh();
        const suspended = { suspended: true, started_at: "2026-01-01T00:00:00Z", running: [uuidN(9)] };
        await store.putDrawer(c1, "scheduler_suspended", suspended);
        await store.putDrawer(c1, "text", "plain");
        await store.putDrawer(c1, "nothing", null);
        await store.putDrawer(c2, "scheduler_suspended", 42);
        expect(await store.getDrawer(c1, "scheduler_suspended")).toEqual(suspended);
        expect(await store.getDrawer(c1, "text")).toBe("plain");
        expect(await store.getDrawer(c1, "nothing")).toBeNull();
        expect(await store.getDrawer(c2, "scheduler_suspended")).toBe(42);
        expect(await store.getDrawer(c1, "missing")).toBeUndefined();
        await store.putDrawer(c1, "text", ["replaced"]);
        expect(await store.getDrawer(c1, "text")).toEqual(["replaced"]);
        await store.deleteDrawer(c1, "scheduler_suspended");
        expect(await store.getDrawer(c1, "scheduler_suspended")).toBeUndefined();
        expect(await store.getDrawer(c2, "scheduler_suspended")).toBe(42);
      });
    });

    describe("tasks", () => {
      test("put, get, update", async () => {
        const store = await fresh();
        const task = makeTask(c1, "repair", uuidN(10));
        await store.putTask(task);
        expect(await store.getTask(c1, "repair", uuidN(10))).toEqual(task);
        expect(await store.getTask(c1, "backup", uuidN(10))).toBeUndefined();
        expect(await store.getTask(c2, "repair", uuidN(10))).toBeUndefined();
        const updated = { ...task, status: "DONE" as const, successCount: 1, lastSuccess: "2026-01-02T00:00:00.000Z" };
        await store.putTask(updated);
        expect(await store.getTask(c1, "repair", uuidN(10))).toEqual(updated);
        (updated.properties as { keyspace: string[] }).keyspace.push("mutated");
        expect((await store.getTask(c1, "repair", uuidN(10)))?.properties).toEqual(
          makeTask(c1, "repair", uuidN(10)).properties,
        );
      });

      test("list is ordered by (type, id), filters by type and deleted", async () => {
        const store = await fresh();
        await store.putTask(makeTask(c1, "repair", uuidN(2)));
        await store.putTask(makeTask(c1, "backup", uuidN(3)));
        await store.putTask(makeTask(c1, "repair", uuidN(1)));
        await store.putTask(makeTask(c1, "healthcheck", uuidN(4), { deleted: true, enabled: false, name: "" }));
        await store.putTask(makeTask(c2, "backup", uuidN(5)));
        const ids = (list: { type: string; id: string }[]) => list.map((t) => `${t.type}/${t.id.slice(-1)}`);
        expect(ids(await store.listTasks(c1))).toEqual(["backup/3", "repair/1", "repair/2"]);
        expect(ids(await store.listTasks(c1, { includeDeleted: true }))).toEqual([
          "backup/3",
          "healthcheck/4",
          "repair/1",
          "repair/2",
        ]);
        expect(ids(await store.listTasks(c1, { type: "repair" }))).toEqual(["repair/1", "repair/2"]);
        expect(ids(await store.listTasks(c1, { type: "healthcheck" }))).toEqual([]);
        expect(ids(await store.listTasks(c1, { type: "healthcheck", includeDeleted: true }))).toEqual([
          "healthcheck/4",
        ]);
        expect(await store.listTasks(uuidN(99))).toEqual([]);
        const all = await store.listAllTasks();
        expect(all.map((t) => `${t.clusterId.slice(-1)}:${t.type}`)).toEqual([
          "1:backup",
          "1:repair",
          "1:repair",
          "2:backup",
        ]);
        expect(await store.listAllTasks({ type: "backup", includeDeleted: true })).toHaveLength(2);
      });

      test("shared listings (where offered) list the same, frozen, and show every write at once", async () => {
        const store = await fresh();
        if (!store.listTasksShared) return;
        await store.putTask(makeTask(c1, "repair", uuidN(2)));
        await store.putTask(makeTask(c1, "backup", uuidN(3)));
        await store.putTask(makeTask(c1, "healthcheck", uuidN(4), { deleted: true, enabled: false, name: "" }));
        await store.putTask(makeTask(c2, "backup", uuidN(5)));
        for (const filter of [{}, { includeDeleted: true }, { type: "repair" }, { type: "healthcheck" }]) {
          expect(await store.listTasksShared(c1, filter)).toEqual(await store.listTasks(c1, filter));
          expect(await store.listTasksShared(undefined, filter)).toEqual(await store.listAllTasks(filter));
        }
        const [first] = await store.listTasksShared(c1, { type: "repair" });
        expect(Object.isFrozen(first) && Object.isFrozen(first?.properties)).toBe(true);
        const renamed = { ...makeTask(c1, "repair", uuidN(2)), name: "renamed" };
        await store.putTask(renamed);
        expect(await store.listTasksShared(c1, { type: "repair" })).toEqual([renamed]);
        await store.putTask(makeTask(c1, "repair", uuidN(1)));
        expect((await store.listTasksShared(undefined, { type: "repair" })).map((t) => t.id)).toEqual([
          uuidN(1),
          uuidN(2),
        ]);
      });
    });

    describeRunContract(fresh);

    test("use after close is a StoreError", async () => {
      const store = await openFresh();
      await store.close();
      await store.close(); // closing twice is harmless
      await expect(store.listClusters()).rejects.toBeInstanceOf(StoreError);
    });

    if (reopen) {
      test("everything survives close and reopen", async () => {
        const store = await openFresh();
        const ids = makeTimeUuids(3);
        const cluster = makeCluster(c1);
        const task = makeTask(c1, "backup", uuidN(10));
        await store.putCluster(cluster);
        await store.putSecret(c1, "cql_creds", new TextEncoder().encode("user:pass"));
        await store.putDrawer(c1, "scheduler_suspended", { suspended: true });
        await store.putTask(task);
        for (const id of ids) await store.putRun(makeRun(c1, "backup", uuidN(10), id, "RUNNING"));
        await store.putServiceRun("backup_run", { clusterId: c1, taskId: uuidN(10), runId: ids[2] ?? "", value: 1 });
        await store.putProgress("backup_run_progress", c1, uuidN(10), ids[2] ?? "", [{ key: "h/u/t", value: 5 }]);
        await store.close();

        const again = await reopen();
        open.push(again);
        expect(await again.getCluster(c1)).toEqual(cluster);
        expect(new TextDecoder().decode(await again.getSecret(c1, "cql_creds"))).toBe("user:pass");
        expect(await again.getDrawer(c1, "scheduler_suspended")).toEqual({ suspended: true });
        expect(await again.getTask(c1, "backup", uuidN(10))).toEqual(task);
        expect((await again.listRuns(c1, "backup", uuidN(10), 10)).map((r) => r.id)).toEqual([...ids].reverse());
        expect(await again.listRunsByStatus("RUNNING")).toHaveLength(3);
        expect((await again.getServiceRun("backup_run", c1, uuidN(10), ids[2] ?? ""))?.value).toBe(1);
        expect(await again.listProgress("backup_run_progress", c1, uuidN(10), ids[2] ?? "")).toEqual([
          { key: "h/u/t", value: 5 },
        ]);
      });
    }
  });
}
