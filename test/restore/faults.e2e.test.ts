import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { basename } from "node:path";
import { restoreEnvFromCluster } from "../../src/restore/cluster-env.ts";
import { RESTORE_PROGRESS_KIND, type RestoreProgressRow } from "../../src/restore/model.ts";
import { runRestore } from "../../src/restore/run.ts";
import { createMemoryStore } from "../../src/store/memory.ts";
import type { Store } from "../../src/store/store.ts";
import { snapshotFiles } from "../emulator/storage/snapshot-digests.ts";
import { StorageSpy } from "../support/storage-spy.ts";
import { expectExactlyOnce, type RestoreBed, startRestoreBed, TAG } from "./harness.ts";

// Faults mid-DATA on the emulator (2 DCs x 2 nodes on 127.4.6.x) with our agents: a node down until its batch has
// failed, and the storage cut off for a while. Judged by the ledger (every SSTable loaded once), the store (which
// batch failed where) and the storage (what was read).
const TABLES = ["ks1.small_table", "ks1.users", "ks3.blobs"];
const FAST = { jobPollSeconds: 1, loadRetryMs: 200, viewPollMs: 200 };
const spy = new StorageSpy();
let bed: RestoreBed;

beforeAll(async () => {
  bed = await startRestoreBed({ ipPrefix: "127.4.6.", wrapBackend: spy.wrap });
}, 90_000);
afterAll(async () => {
  spy.endOutage();
  await bed?.close();
});

const properties = {
  location: ["localstorage:bucket"],
  snapshot_tag: TAG,
  restore_tables: true,
  keyspace: ["ks1", "ks3"],
  batch_size: 1,
};

/** Batches that failed (their row dropped): host and the source DC of the remote dir. */
async function failedBatches(
  store: Store,
  taskId: string,
  runId: string,
): Promise<Array<{ host: string; dc: string }>> {
  const rows = await store.listProgress(RESTORE_PROGRESS_KIND, "c", taskId, runId);
  return rows
    .filter((r) => r.value === null)
    .map((r) => {
      const [dir = "", host = ""] = r.key.split("|");
      return { host, dc: /\/dc\/([^/]+)\//.exec(dir)?.[1] ?? "" };
    });
}

async function autocompactionOff(): Promise<string[]> {
  const off: string[] = [];
  for (const name of TABLES) {
    const [ks, t] = name.split(".") as [string, string];
    for (const node of bed.cluster.nodes) {
      const res = await fetch(`http://${node.ip}:${node.restPort}/column_family/autocompaction/${ks}:${t}`);
      if ((await res.json()) !== true) off.push(`${node.ip} ${name}`);
    }
  }
  return off;
}

describe("restore under faults", () => {
  test("a node down mid-DATA: its batch goes to other hosts, it is barred from that source DC", async () => {
    const cluster = await bed.connect();
    const store = createMemoryStore();
    const victim = bed.cluster.nodes[3]?.ip as string;
    const runId = "00000000-0000-1000-8000-000000000011";
    try {
      const since = bed.cluster.ledger.loads();
      const env = restoreEnvFromCluster(cluster, { clusterId: "c", store, timings: FAST, repair: null });
      let down: Promise<void> | undefined;
      let upAt = 0;
      const state = await runRestore(env, {
        taskId: "node-down",
        runId,
        properties,
        signal: new AbortController().signal,
        hooks: {
          onBatchRestored: (host) => {
            if (down || host === victim) return;
            // Down until one of its batches has failed (bounded), then back.
            down = (async () => {
              await bed.cluster.faults.stopNode(victim);
              for (let i = 0; i < 1200; i++) {
                if ((await failedBatches(store, "node-down", runId)).some((f) => f.host === victim)) break;
                await Bun.sleep(50);
              }
              await bed.cluster.faults.startNode(victim);
              upAt = bed.cluster.state.clock.now();
            })();
          },
        },
      });
      await down;
      expect(state.stage).toBe("DONE");
      const failed = (await failedBatches(store, "node-down", runId)).filter((f) => f.host === victim);
      expect(failed.length).toBeGreaterThan(0);
      expect(expectExactlyOnce(bed.cluster, TABLES, since)).toEqual([]);
      // Barred: once back, the victim loads nothing more of the source DCs it failed a batch of.
      const barred = new Set(failed.map((f) => f.dc));
      const dcOf = (ip: string) => bed.cluster.nodes.find((n) => n.ip === ip)?.dc ?? "";
      const origin = new Map<string, string>();
      for (const name of TABLES) {
        const [ks, t] = name.split(".") as [string, string];
        for (const f of snapshotFiles(bed.cluster.ledger, TAG, ks, t)) origin.set(`${f.name}|${f.size}`, dcOf(f.host));
      }
      const wrong = bed.cluster.ledger
        .loads()
        .filter((l) => !since.includes(l) && l.host === victim && l.outcome === "successful" && l.start >= upAt)
        .flatMap((l) => l.files.filter((f) => barred.has(origin.get(`${f.name}|${f.size}`) ?? "")))
        .map((f) => f.name);
      expect(wrong).toEqual([]);
      expect(await autocompactionOff()).toEqual([]);
    } finally {
      await bed.cluster.faults.startNode(victim);
      await cluster.close();
    }
  }, 180_000);

  test("the storage cut off mid-DATA: the run fails naming what is left; the next run restores the rest once", async () => {
    const cluster = await bed.connect();
    const store = createMemoryStore();
    try {
      const since = bed.cluster.ledger.loads();
      spy.reads.clear();
      const env = restoreEnvFromCluster(cluster, { clusterId: "c", store, timings: FAST, repair: null });
      let restored = 0;
      const first = runRestore(env, {
        taskId: "outage",
        runId: "00000000-0000-1000-8000-000000000021",
        properties,
        signal: new AbortController().signal,
        hooks: {
          onBatchRestored: () => {
            if (++restored === 2) spy.startOutage();
          },
        },
      });
      await expect(first).rejects.toThrow(
        /^failed to restore \d+ sstables from location localstorage:bucket dc dc\d table ks\d\.\w+ \(\d+ bytes\)/,
      );
      expect(await autocompactionOff()).toEqual([]);
      const loadedInFirst = new Set(
        bed.cluster.ledger
          .loads()
          .filter((l) => !since.includes(l) && l.outcome === "successful")
          .flatMap((l) => l.files.map((f) => f.name)),
      );
      expect(loadedInFirst.size).toBeGreaterThan(0);
      spy.endOutage();
      const second = await runRestore(env, {
        taskId: "outage",
        runId: "00000000-0000-1000-8000-000000000022",
        properties,
        signal: new AbortController().signal,
      });
      expect(second.stage).toBe("DONE");
      expect(expectExactlyOnce(bed.cluster, TABLES, since)).toEqual([]);
      // At the storage: what the first run restored was read once; the resumed run read only the rest.
      const reads = spy.readsOf((p) => p.includes("/backup/sst/"));
      const again = [...reads].filter(([p, n]) => n > 1 && loadedInFirst.has(basename(p)));
      expect(again).toEqual([]);
      const rows = (await store.listProgress(RESTORE_PROGRESS_KIND, "c", "outage", second.id))
        .map((r) => r.value as RestoreProgressRow | null)
        .filter((r) => r !== null);
      expect(rows.every((r) => r.restore_completed_at !== null)).toBe(true);
      expect(await autocompactionOff()).toEqual([]);
    } finally {
      spy.endOutage();
      await cluster.close();
    }
  }, 180_000);
});
