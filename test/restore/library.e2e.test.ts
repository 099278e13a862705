import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { runCli } from "../../src/cli/main.ts";
import { restoreEnvFromCluster } from "../../src/restore/cluster-env.ts";
import { RESTORE_RUN_KIND, type RestoreRunState } from "../../src/restore/model.ts";
import { Restore, type RestoreProgressEvent } from "../../src/restore/restore.ts";
import { runRestore } from "../../src/restore/run.ts";
import { createMemoryStore } from "../../src/store/memory.ts";
import type { Store } from "../../src/store/store.ts";
import { expectExactlyOnce, type RestoreBed, startRestoreBed, TAG, TOKEN } from "./harness.ts";

// The Restore library class, resume at batch granularity and the one-shot run (127.3.2.x); faults.e2e has the
// node-down and storage-outage cases.
const TABLES = ["ks1.small_table", "ks1.users", "ks3.blobs"];
const FAST = { jobPollSeconds: 1, loadRetryMs: 200, viewPollMs: 200 };
let bed: RestoreBed;

beforeAll(async () => {
  bed = await startRestoreBed({ ipPrefix: "127.3.2." });
}, 60_000);
afterAll(async () => {
  await bed?.close();
});

describe("restore library and faults", () => {
  test("Restore.plan lists units and views; run emits progress with an ETA and loads every SSTable once", async () => {
    const cluster = await bed.connect();
    try {
      const since = bed.cluster.ledger.loads();
      const restore = await Restore.plan(cluster, {
        location: ["localstorage:bucket"],
        snapshotTag: TAG,
        keyspace: ["ks1", "ks3"],
        batchSize: 1,
        repair: null,
        timings: FAST,
      });
      expect(restore.units.flatMap((u) => u.tables.map((t) => `${u.keyspace}.${t.table}`)).sort()).toEqual(TABLES);
      expect(restore.views.map((v) => `${v.keyspace}.${v.view}`)).toEqual(["ks1.users_by_name"]);
      expect(restore.size).toBeGreaterThan(0);
      const events: RestoreProgressEvent[] = [];
      restore.on("progress", (e) => events.push(e));
      const result = await restore.run();
      expect(result.progress.restored).toBe(restore.size);
      expect(result.progress.completed_at).not.toBeNull();
      expect(events.some((e) => e.stage === "DATA")).toBe(true);
      expect(events.at(-1)?.stage).toBe("DONE");
      expect(events.at(-1)?.etaSeconds).toBe(0);
      expect(expectExactlyOnce(bed.cluster, TABLES, since)).toEqual([]);
    } finally {
      await cluster.close();
    }
  }, 90_000);

  test("stopped mid-DATA, the next run resumes (also after a resumed run killed early): restored batches are not loaded again", async () => {
    const cluster = await bed.connect();
    const store = createMemoryStore();
    try {
      const since = bed.cluster.ledger.loads();
      const env = restoreEnvFromCluster(cluster, { clusterId: "c", store, timings: FAST, repair: null });
      const properties = {
        location: ["localstorage:bucket"],
        snapshot_tag: TAG,
        restore_tables: true,
        keyspace: ["ks1", "ks3"],
        batch_size: 1,
        parallel: 1,
      };
      const stop = new AbortController();
      let restored = 0;
      const first = runRestore(env, {
        taskId: "t",
        runId: "00000000-0000-1000-8000-000000000001",
        properties,
        signal: stop.signal,
        hooks: {
          onBatchRestored: () => {
            if (++restored === 2) stop.abort(new Error("task was stopped"));
          },
        },
      });
      await expect(first).rejects.toThrow("task was stopped");
      const state1 = (await store.getServiceRun(RESTORE_RUN_KIND, "c", "t", "00000000-0000-1000-8000-000000000001"))
        ?.value as RestoreRunState;
      expect(state1.stage).toBe("DATA");
      const loadsAfterFirst = bed.cluster.ledger.loads().filter((l) => !since.includes(l)).length;
      expect(loadsAfterFirst).toBe(2);
      // A resumed run killed before it has copied run 1's completed batches (its first progress write): the run
      // after it still resumes run 1.
      const killedStore: Store = {
        ...store,
        putProgress: async () => {
          throw new Error("killed");
        },
      };
      const killedEnv = restoreEnvFromCluster(cluster, {
        clusterId: "c",
        store: killedStore,
        timings: FAST,
        repair: null,
      });
      await expect(
        runRestore(killedEnv, {
          taskId: "t",
          runId: "00000000-0000-1000-8000-000000000002",
          properties,
          signal: new AbortController().signal,
        }),
      ).rejects.toThrow("killed");
      const second = await runRestore(env, {
        taskId: "t",
        runId: "00000000-0000-1000-8000-000000000003",
        properties,
        signal: new AbortController().signal,
      });
      expect(second.stage).toBe("DONE");
      expect(second.prev_id).toBe("00000000-0000-1000-8000-000000000001");
      expect(expectExactlyOnce(bed.cluster, TABLES, since)).toEqual([]);
    } finally {
      await cluster.close();
    }
  }, 90_000);

  test("sctool restore --in-process: a one-shot run with live progress on stderr and SM's layout on stdout", async () => {
    const since = bed.cluster.ledger.loads();
    let stdout = "";
    let stderr = "";
    const code = await runCli(
      [
        "restore",
        "--in-process",
        "--host",
        bed.cluster.nodes[0]?.ip as string,
        "--auth-token",
        TOKEN,
        "-L",
        "localstorage:bucket",
        "-T",
        TAG,
        "--restore-tables",
        "-K",
        "ks3",
      ],
      {
        io: {
          stdout: (t) => {
            stdout += t;
          },
          stderr: (t) => {
            stderr += t;
          },
          env: { SCTOOL_ASCII_TABLES: "1" },
        },
      },
    );
    expect(stderr).toContain("DATA: ");
    expect(stderr).toContain("DONE: 100% | 100%, ETA 0s\n");
    expect(code).toBe(0);
    expect(stdout).toStartWith("Restore progress\nProgress:\t100% | 100%\n");
    expect(expectExactlyOnce(bed.cluster, ["ks3.blobs"], since)).toEqual([]);
  }, 120_000);
});
