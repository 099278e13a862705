import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Cluster } from "../../src/cluster/cluster.ts";
import { restoreEnvFromCluster } from "../../src/restore/cluster-env.ts";
import { RESTORE_PROGRESS_KIND, RESTORE_RUN_KIND, type RestoreRunState } from "../../src/restore/model.ts";
import { runRestore } from "../../src/restore/run.ts";
import { createMemoryStore } from "../../src/store/memory.ts";
import { type EmulatedAgents, startAgents } from "../emulator/agents.ts";
import { type EmulatedCluster, startCluster } from "../emulator/index.ts";
import { snapshotFiles } from "../emulator/storage/snapshot-digests.ts";
import { testSchemaSpec } from "../emulator/storage/testing.ts";
import { writeTestBackup } from "./bucket.ts";

// Restore tables end to end: the emulator (2 DCs x 2 nodes on 127.3.1.x) with our agents, a localstorage bucket
// written from the nodes' own snapshots, and the ledger as the judge.
const TOKEN = "restore-token";
const TAG = "sm_20250101000000UTC";
const CLUSTER_ID = "11111111-2222-3333-4444-555555555555";
const TASK_ID = "aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee";
let root: string;
let cluster: EmulatedCluster;
let agents: EmulatedAgents;

beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), "restore-e2e-"));
  mkdirSync(join(root, "bucket"));
  cluster = await startCluster({
    dcs: [2, 2],
    ipPrefix: "127.3.1.",
    schema: testSchemaSpec(),
  });
  agents = await startAgents(cluster, { authToken: TOKEN, config: { localstorage: { path: root } } });
  await writeTestBackup(cluster, {
    root,
    bucket: "bucket",
    clusterId: CLUSTER_ID,
    taskId: TASK_ID,
    tag: TAG,
    keyspaces: ["ks1", "ks3"],
  });
}, 60_000);

afterAll(async () => {
  await agents?.close();
  await cluster?.close();
  if (root) rmSync(root, { recursive: true, force: true });
});

describe("restore tables (DATA stage through our agents)", () => {
  test("every SSTable of the snapshot is loaded once, by name, size and CRC, with load&stream", async () => {
    const connected = await Cluster.connect({ host: cluster.nodes[0]?.ip as string, authToken: TOKEN });
    const store = createMemoryStore();
    try {
      const env = restoreEnvFromCluster(connected, {
        clusterId: "target",
        store,
        timings: { jobPollSeconds: 1, loadRetryMs: 200, viewPollMs: 200 },
      });
      const state = await runRestore(env, {
        taskId: "t1",
        runId: "r1",
        properties: {
          location: ["localstorage:bucket"],
          snapshot_tag: TAG,
          restore_tables: true,
          keyspace: ["ks1", "ks3"],
        },
        signal: new AbortController().signal,
      });
      expect(state.stage).toBe("DONE");
      const tables = state.units.flatMap((u) => u.tables.map((t) => `${u.keyspace}.${t.table}`)).sort();
      expect(tables).toEqual(["ks1.small_table", "ks1.users", "ks3.blobs"]);
      for (const name of tables) {
        const [ks, t] = name.split(".") as [string, string];
        const files = cluster.ledger.loads(ks, t).filter((l) => l.outcome === "successful");
        expect(files.every((l) => l.loadAndStream && l.primaryReplicaOnly)).toBe(true);
        const loaded = files.flatMap((l) => l.files.map((f) => `${f.name}|${f.size}|${f.digest}`));
        const captured = snapshotFiles(cluster.ledger, TAG, ks, t).map((f) => `${f.name}|${f.size}|${f.digest}`);
        expect(captured.length).toBeGreaterThan(0);
        expect(loaded.sort()).toEqual(captured.sort());
      }
      // The post-restore repair covered the restored tables; autocompaction is back on everywhere.
      for (const name of tables) {
        const [ks, t] = name.split(".") as [string, string];
        expect(cluster.ledger.repairs(ks, t).filter((r) => r.outcome === "successful").length).toBeGreaterThan(0);
        for (const node of cluster.nodes) {
          const res = await fetch(`http://${node.ip}:${node.restPort}/column_family/autocompaction/${ks}:${t}`);
          expect(await res.json()).toBe(true);
        }
      }
      expect(state.repair_task_id).not.toBe("");
      const rows = await store.listProgress(RESTORE_PROGRESS_KIND, "target", "t1", "r1");
      expect(rows.length).toBeGreaterThan(0);
      const run = (await store.getServiceRun(RESTORE_RUN_KIND, "target", "t1", "r1"))?.value as RestoreRunState;
      expect(run.stage).toBe("DONE");
    } finally {
      await connected.close();
    }
  }, 60_000);
});
