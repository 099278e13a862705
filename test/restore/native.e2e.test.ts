/**
 * Native restore end to end: an SM-layout backup in a bucket of a small S3-compatible server (test/support/mini-s3)
 * that our agents (s3 provider) and the emulated Scylla nodes (`object_storage_endpoints`) both reach. Three nodes
 * run Scylla 2026.1 (native restore API) and one 2025.1 (none). The emulator's ledger judges: every SSTable of the
 * snapshot loaded exactly once by name, size and CRC, through native restore tasks on the 2026.1 nodes and
 * load&stream after an agent download on the old one. 127.4.9.x.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Cluster } from "../../src/cluster/cluster.ts";
import { restoreEnvFromCluster } from "../../src/restore/cluster-env.ts";
import { RESTORE_PROGRESS_KIND, type RestoreProgressRow } from "../../src/restore/model.ts";
import { runRestore } from "../../src/restore/run.ts";
import { createMemoryStore } from "../../src/store/memory.ts";
import { type EmulatedAgents, startAgents } from "../emulator/agents.ts";
import { type EmulatedCluster, startCluster } from "../emulator/index.ts";
import type { LoadEntry, NativeTransferEntry } from "../emulator/ledger.ts";
import { setNativeBandwidth } from "../emulator/native/tasks.ts";
import { releaseVersionOf } from "../emulator/options.ts";
import { testSchemaSpec } from "../emulator/storage/testing.ts";
import { MiniS3 } from "../support/mini-s3.ts";
import { writeTestBackup } from "./bucket.ts";
import { expectExactlyOnce, SOURCE_CLUSTER, SOURCE_TASK, TAG, TOKEN } from "./harness.ts";

const TABLES = ["ks1.small_table", "ks1.users", "ks3.blobs"];
const OLD = "127.4.9.4";
const FAST = { jobPollSeconds: 1, loadRetryMs: 100, viewPollMs: 100 };
let root: string;
let s3: MiniS3;
let emu: EmulatedCluster;
let agents: EmulatedAgents;

beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), "restore-native-"));
  mkdirSync(join(root, "bucket"));
  s3 = MiniS3.start(root, "127.4.9.250");
  const endpoint = JSON.stringify({ port: s3.port, use_https: false, aws_region: "us-east-1" });
  emu = await startCluster({
    dcs: [2, 2],
    ipPrefix: "127.4.9.",
    schema: testSchemaSpec(),
    scyllaVersion: "2026.1.0",
    objectStorageEndpoints: { [s3.host]: endpoint },
    nodeSettings: { [OLD]: { version: "2025.1.0", releaseVersion: releaseVersionOf("2025.1.0") } },
  });
  // Native tasks slower than the old node's download + load&stream: the three native hosts cannot take every batch
  // before the old one asks for its first, so both methods are used whatever the scheduling.
  setNativeBandwidth(emu.state, 16 * 1024 * 1024);
  agents = await startAgents(emu, {
    authToken: TOKEN,
    config: { s3: { provider: "Minio", endpoint: s3.url, access_key_id: "test", secret_access_key: "test" } },
  });
  await writeTestBackup(emu, {
    root,
    bucket: "bucket",
    clusterId: SOURCE_CLUSTER,
    taskId: SOURCE_TASK,
    tag: TAG,
    keyspaces: ["ks1", "ks3"],
  });
}, 120_000);

afterAll(async () => {
  await agents?.close();
  await emu?.close();
  s3?.close();
  if (root) rmSync(root, { recursive: true, force: true });
});

const nativeEntries = (since: number) =>
  emu.ledger
    .all()
    .slice(since)
    .filter((e): e is NativeTransferEntry => e.kind === "native_restore");

async function restore(method: string, taskId: string) {
  const connected = await Cluster.connect({ host: emu.nodes[0]?.ip as string, authToken: TOKEN });
  const store = createMemoryStore();
  try {
    const env = restoreEnvFromCluster(connected, { clusterId: "target", store, timings: FAST, repair: null });
    const state = await runRestore(env, {
      taskId,
      runId: "r1",
      properties: {
        location: ["s3:bucket"],
        snapshot_tag: TAG,
        restore_tables: true,
        keyspace: ["ks1", "ks3"],
        method,
      },
      signal: new AbortController().signal,
    });
    const rows = (await store.listProgress(RESTORE_PROGRESS_KIND, "target", taskId, "r1")).map(
      (r) => r.value as RestoreProgressRow,
    );
    return { state, rows };
  } finally {
    await connected.close();
  }
}

async function userTtl(ip: string): Promise<number> {
  const node = emu.nodes.find((n) => n.ip === ip);
  return (await (await fetch(`http://${ip}:${node?.restPort}/task_manager/user_ttl`)).json()) as number;
}

describe("native restore (Scylla's restore API through object_storage_endpoints)", () => {
  test("auto: native batches on 2026.1 nodes, rclone on the old one; every SSTable loaded once", async () => {
    const ttlBefore = await Promise.all(emu.nodes.map((n) => userTtl(n.ip)));
    const since: LoadEntry[] = emu.ledger.loads();
    const ledgerAt = emu.ledger.all().length;
    const readsBefore = s3.calls.length;
    const { state, rows } = await restore("auto", "auto");
    expect(state.stage).toBe("DONE");
    expect(expectExactlyOnce(emu, TABLES, since)).toEqual([]);

    const native = nativeEntries(ledgerAt);
    expect(native.length).toBeGreaterThan(0);
    expect(native.every((e) => e.outcome === "successful")).toBe(true);
    expect(native.some((e) => e.host === OLD)).toBe(false);
    expect(new Set(native.map((e) => e.host)).size).toBe(3);
    expect(native.every((e) => e.params.scope === "all" && e.params.primary_replica_only === "true")).toBe(true);
    expect(native.every((e) => e.bucket === "bucket" && e.prefix.startsWith("backup/sst/cluster/"))).toBe(true);
    // The old node restored through its agent: its rows have agent jobs, the others' Scylla task ids.
    const nativeRows = rows.filter((r) => r.scylla_task_id);
    expect(nativeRows.length).toBe(native.length);
    expect(nativeRows.every((r) => r.host !== OLD && r.restore_completed_at && r.restored === r.size)).toBe(true);
    expect(new Set(nativeRows.map((r) => r.scylla_task_id))).toEqual(new Set(native.map((e) => e.taskId)));
    const rcloneRows = rows.filter((r) => !r.scylla_task_id);
    expect(rcloneRows.length).toBeGreaterThan(0);
    expect(rcloneRows.every((r) => r.host === OLD && r.agent_job_id > 0)).toBe(true);
    // Each data file was fetched from the store once (by a node or by the old node's agent).
    const perKey = new Map<string, number>();
    for (const c of s3.calls.slice(readsBefore)) {
      if (c.method === "GET" && c.key.endsWith("-Data.db") && c.status < 300) {
        perKey.set(c.key, (perKey.get(c.key) ?? 0) + 1);
      }
    }
    expect(perKey.size).toBeGreaterThan(0);
    expect([...perKey.values()].every((n) => n === 1)).toBe(true);
    // The task TTL was raised for the run and set back; autocompaction is on again.
    expect(await Promise.all(emu.nodes.map((n) => userTtl(n.ip)))).toEqual(ttlBefore);
    for (const name of TABLES) {
      const [ks, t] = name.split(".") as [string, string];
      for (const node of emu.nodes) {
        const res = await fetch(`http://${node.ip}:${node.restPort}/column_family/autocompaction/${ks}:${t}`);
        expect(`${node.ip} ${name} ${await res.json()}`).toBe(`${node.ip} ${name} true`);
      }
    }
  }, 120_000);

  test("native: a host whose Scylla has no matching endpoint is an error before any data moves", async () => {
    const node = emu.state.node(OLD);
    const saved = node?.settings.objectStorageEndpoints ?? {};
    if (node) node.settings.objectStorageEndpoints = {};
    const loadsBefore = emu.ledger.loads().length;
    const ledgerAt = emu.ledger.all().length;
    try {
      await expect(restore("native", "native-refused")).rejects.toThrow(
        `native restore is not possible on every host: ${OLD} (s3:bucket): no object storage endpoint configured`,
      );
    } finally {
      if (node) node.settings.objectStorageEndpoints = saved;
    }
    expect(emu.ledger.loads().length).toBe(loadsBefore);
    expect(nativeEntries(ledgerAt)).toEqual([]);
  }, 60_000);
});
