import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Registry } from "prom-client";
import * as v from "valibot";
import { Backup } from "../../src/backup/backup.ts";
import { Cluster } from "../../src/cluster/cluster.ts";
import { ServerConfigSchema } from "../../src/config/server.ts";
import { ensureClusterServices } from "../../src/healthcheck/wiring.ts";
import { Manager } from "../../src/manager/manager.ts";
import { ensureRepairService } from "../../src/repair/wiring.ts";
import { one2OneEnvFromCluster } from "../../src/restore/one2one/env.ts";
import { formatNodesMapping } from "../../src/restore/one2one/mapping-file.ts";
import {
  type NodeMapping,
  ONE2ONE_TABLE_PROGRESS_KIND,
  type TableProgressRow,
} from "../../src/restore/one2one/model.ts";
import { type One2OneProgressEvent, One2OneRestore } from "../../src/restore/one2one/restore.ts";
import { runOne2OneRestore } from "../../src/restore/one2one/run.ts";
import { Restore } from "../../src/restore/restore.ts";
import { ensureRestoreService } from "../../src/restore/wiring.ts";
import { createApp } from "../../src/server/app.ts";
import { type NodeListener, startNodeListener } from "../../src/server/node-listener.ts";
import { createMemoryStore } from "../../src/store/memory.ts";
import type { Store } from "../../src/store/store.ts";
import { createSilentLogger } from "../../src/util/log.ts";
import { type EmulatedCluster, startCluster } from "../emulator/index.ts";
import { snapshotFiles } from "../emulator/storage/snapshot-digests.ts";
import { testSchemaSpec } from "../emulator/storage/testing.ts";
import { runSctool } from "../support/run-sctool.ts";
import { applyNullable, createSmContractValidator, readSmDefinitions } from "../support/sm-contract.ts";

// 1-1 restore on the emulator: our Backup backs up a source cluster (127.3.10.x); a second cluster (127.3.11.x)
// built with the source nodes' tokens gets the schema restored, then each of its nodes must load, by plain refresh,
// exactly its own source node's SSTables (names, sizes, CRC32 from the two ledgers). Bad input is refused before any
// data moves; a stopped run is resumed without loading refreshed tables again; sctool drives the daemon
// (127.3.12.200).
const TOKEN = "one2one-token";
const SOURCE_ID = "0d7d0c0e-1111-4222-8333-444455556666";
const KEYSPACES = ["ks1", "ks2", "ks3"];
const TABLES = ["ks1.small_table", "ks1.users", "ks2.events", "ks3.blobs"];
const FAST = { jobPollSeconds: 1, loadRetryMs: 200, viewPollMs: 200 };

let dir: string;
let source: EmulatedCluster;
let target: EmulatedCluster;
let tag = "";
let mapping: NodeMapping[] = [];

async function tokensOf(ip: string, port: number): Promise<string[]> {
  const res = await fetch(`http://${ip}:${port}/storage_service/tokens/${ip}`);
  return (await res.json()) as string[];
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "one2one-"));
  mkdirSync(join(dir, "store", "backups"), { recursive: true });
  const agents = { authToken: TOKEN, config: { localstorage: { path: join(dir, "store") } } };
  source = await startCluster({
    dcs: [2, 1],
    ipPrefix: "127.3.10.",
    dir: join(dir, "source"),
    schema: testSchemaSpec(),
    agents,
  });
  const src = await Cluster.connect({ host: source.nodes[0]?.ip ?? "", authToken: TOKEN });
  try {
    const backup = await Backup.plan(src, {
      location: ["localstorage:backups"],
      keyspace: KEYSPACES,
      clusterId: SOURCE_ID,
    });
    tag = (await backup.run()).snapshotTag;
  } finally {
    await src.close();
  }
  const initialTokens: Record<string, string[]> = {};
  for (const [i, n] of source.nodes.entries()) {
    initialTokens[`127.3.11.${i + 1}`] = await tokensOf(n.ip, n.restPort);
  }
  target = await startCluster({
    dcs: [2, 1],
    ipPrefix: "127.3.11.",
    dir: join(dir, "target"),
    seed: 7,
    schema: { keyspaces: [] },
    initialTokens,
    agents,
  });
  mapping = source.nodes.map((s, i) => {
    const t = target.nodes[i];
    if (!t) throw new Error("target node missing");
    return {
      source: { dc: s.dc, rack: s.rack, host_id: s.hostId },
      target: { dc: t.dc, rack: t.rack, host_id: t.hostId },
    };
  });
  const dst = await Cluster.connect({ host: target.nodes[0]?.ip ?? "", authToken: TOKEN });
  try {
    const schema = await Restore.plan(dst, {
      location: ["localstorage:backups"],
      snapshotTag: tag,
      type: "schema",
      repair: null,
    });
    await schema.run();
  } finally {
    await dst.close();
  }
}, 120_000);

afterAll(async () => {
  await target?.close();
  await source?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

/** `name|size|crc` of every file each host loaded successfully for `ks.table` (loads in `before` ignored). */
function loadedByHost(cluster: EmulatedCluster, table: string, before: ReadonlySet<unknown>): Map<string, string[]> {
  const [ks, t] = table.split(".") as [string, string];
  const out = new Map<string, string[]>();
  for (const l of cluster.ledger.loads(ks, t)) {
    if (l.outcome !== "successful" || before.has(l)) continue;
    expect(l.loadAndStream).toBe(false);
    expect(l.primaryReplicaOnly).toBe(false);
    out.set(l.host, [...(out.get(l.host) ?? []), ...l.files.map((f) => `${f.name}|${f.size}|${f.digest}`)]);
  }
  return out;
}

/** Every target node loaded exactly its own source node's files by refresh (pairs `host|ks.table` in `skip`: none). */
function expectOwnFiles(before: ReadonlySet<unknown>, skip: ReadonlySet<string> = new Set()): void {
  for (const table of TABLES) {
    const [ks, t] = table.split(".") as [string, string];
    const loaded = loadedByHost(target, table, before);
    for (const [i, s] of source.nodes.entries()) {
      const host = target.nodes[i]?.ip ?? "";
      const want = skip.has(`${host}|${table}`)
        ? []
        : snapshotFiles(source.ledger, tag, ks, t)
            .filter((f) => f.host === s.ip)
            .map((f) => `${f.name}|${f.size}|${f.digest}`)
            .sort();
      if (!skip.has(`${host}|${table}`)) expect(want.length).toBeGreaterThan(0);
      expect({ host, table, files: [...(loaded.get(host) ?? [])].sort() }).toEqual({ host, table, files: want });
    }
  }
}

const loadsNow = () => new Set<unknown>(target.ledger.loads());

/** Waits (bounded) until no load runs on the target: a refresh a stopped run left behind finishes on the node. */
async function loadsSettled(): Promise<void> {
  for (let i = 0; i < 600 && target.ledger.loads().some((l) => l.outcome === "running"); i++) await Bun.sleep(100);
  expect(target.ledger.loads().filter((l) => l.outcome === "running")).toEqual([]);
}

const properties = (over: Record<string, unknown> = {}) => ({
  location: ["localstorage:backups"],
  snapshot_tag: tag,
  source_cluster_id: SOURCE_ID,
  keyspace: KEYSPACES,
  nodes_mapping: mapping,
  ...over,
});

describe("1-1 restore", () => {
  test("bad input is refused in SM's words before any data moves", async () => {
    const cluster = await Cluster.connect({ host: target.nodes[0]?.ip ?? "", authToken: TOKEN });
    const cql = await cluster.cqlSession();
    try {
      await cql.execute(
        "CREATE KEYSPACE IF NOT EXISTS tks WITH replication = {'class': 'NetworkTopologyStrategy', 'replication_factor': 1} AND tablets = {'enabled': true}",
      );
      const env = one2OneEnvFromCluster(cluster, { clusterId: "c", store: createMemoryStore(), timings: FAST });
      const before = target.ledger.loads().length;
      const attempt = (over: Record<string, unknown>) =>
        runOne2OneRestore(env, {
          taskId: "bad",
          runId: "00000000-0000-1000-8000-0000000000b1",
          properties: properties(over),
          signal: new AbortController().signal,
        });
      const [m0, m1, m2] = mapping as [NodeMapping, NodeMapping, NodeMapping];
      const swapped = [
        { source: m0.source, target: { ...m0.target, host_id: m1.target.host_id } },
        { source: m1.source, target: { ...m1.target, host_id: m0.target.host_id } },
        m2,
      ];
      await expect(attempt({ nodes_mapping: swapped })).rejects.toThrow(
        "validate clusters: invalid node mappings: mapping for target node is not found: dc1 rack",
      );
      await expect(attempt({ nodes_mapping: [m0, { ...m1, target: m0.target }, m2] })).rejects.toThrow(
        "invalid target: nodes mapping: ",
      );
      await expect(attempt({ nodes_mapping: [m0, m1] })).rejects.toThrow(
        `validate clusters: invalid node mappings: mapping for target node (${m2.target.host_id}) is not found`,
      );
      await expect(attempt({ keyspace: ["ks1", "tks"] })).rejects.toThrow(
        "1-1-restore doesn't support tablet based replication. Keyspace: tks",
      );
      await expect(attempt({ keyspace: ["ks1.users"] })).rejects.toThrow(
        "only existing keyspaces can be provided, but got: ks1.users",
      );
      await expect(attempt({ source_cluster_id: "0d7d0c0e-1111-4222-8333-000000000000" })).rejects.toThrow(
        `no snapshot with tag ${tag}`,
      );
      expect(target.ledger.loads().length).toBe(before);
    } finally {
      await cql.shutdown();
      await cluster.close();
    }
  }, 120_000);

  test("One2OneRestore: each target node refreshes exactly its own source node's SSTables; views rebuilt", async () => {
    const cluster = await Cluster.connect({ host: target.nodes[0]?.ip ?? "", authToken: TOKEN });
    try {
      const before = loadsNow();
      const restore = await One2OneRestore.plan(cluster, {
        location: ["localstorage:backups"],
        snapshotTag: tag,
        sourceClusterId: SOURCE_ID,
        nodesMapping: mapping,
        keyspace: KEYSPACES,
        timings: FAST,
      });
      expect(restore.hosts.map((h) => h.sourceHostId).sort()).toEqual(source.nodes.map((n) => n.hostId).sort());
      expect(restore.size).toBeGreaterThan(0);
      const events: One2OneProgressEvent[] = [];
      restore.on("progress", (e) => events.push(e));
      const result = await restore.run();
      expect(events.length).toBeGreaterThan(1);
      expect(events.at(-1)?.etaSeconds).toBe(0);
      expect(result.progress.tables?.map((t) => `${t.keyspace}.${t.table}:${t.status}`)).toEqual(
        TABLES.map((t) => `${t}:done`),
      );
      expect(result.progress.tables?.reduce((sum, t) => sum + t.restored, 0)).toBe(restore.size);
      expect(result.progress.views?.map((x) => `${x.keyspace}.${x.view}:${x.view_type}:${x.status}`).sort()).toEqual([
        "ks1.users_by_name:MaterializedView:done",
        "ks2.events_kind:SecondaryIndex:done",
      ]);
      expectOwnFiles(before);
      const cql = await cluster.cqlSession();
      try {
        const views = (await cql.execute("SELECT view_name FROM system_schema.views WHERE keyspace_name = 'ks1'")).rows;
        expect(views.map((r) => r.view_name)).toContain("users_by_name");
        const tgc = await cql.execute(
          "SELECT extensions FROM system_schema.tables WHERE keyspace_name = 'ks3' AND table_name = 'blobs'",
        );
        expect(String(tgc.rows[0]?.extensions?.tombstone_gc ?? "")).toContain("repair");
      } finally {
        await cql.shutdown();
      }
    } finally {
      await cluster.close();
    }
  }, 180_000);

  test("a stopped run is resumed, also after a resumed run killed early: refreshed tables are not loaded again", async () => {
    const cluster = await Cluster.connect({ host: target.nodes[0]?.ip ?? "", authToken: TOKEN });
    const store = createMemoryStore();
    try {
      const env = one2OneEnvFromCluster(cluster, { clusterId: "c", store, timings: FAST, repair: null });
      const run1 = "00000000-0000-1000-8000-0000000000c1";
      const stop = new AbortController();
      let checking = false;
      const first = runOne2OneRestore(env, {
        taskId: "resume",
        runId: run1,
        properties: properties(),
        signal: stop.signal,
        hooks: {
          onProgress: () => {
            if (checking || stop.signal.aborted) return;
            checking = true;
            void store
              .listProgress(ONE2ONE_TABLE_PROGRESS_KIND, "c", "resume", run1)
              .then((rows) => {
                if (rows.some((r) => (r.value as TableProgressRow | null)?.is_refreshed)) {
                  stop.abort(new Error("task was stopped"));
                }
              })
              .finally(() => {
                checking = false;
              });
          },
        },
      });
      await expect(first).rejects.toThrow("task was stopped");
      await loadsSettled();
      const refreshed = (await store.listProgress(ONE2ONE_TABLE_PROGRESS_KIND, "c", "resume", run1))
        .map((r) => r.value as TableProgressRow)
        .filter((r) => r.is_refreshed)
        .map((r) => `${r.host}|${r.keyspace_name}.${r.table_name}`);
      expect(refreshed.length).toBeGreaterThan(0);
      expect(refreshed.length).toBeLessThan(TABLES.length * 3);
      // A resumed run killed at its first progress write (before it has copied run 1's refreshed rows): the run
      // after it must still skip what run 1 refreshed.
      const killedStore: Store = {
        ...store,
        putProgress: async () => {
          throw new Error("killed");
        },
      };
      const killedEnv = one2OneEnvFromCluster(cluster, {
        clusterId: "c",
        store: killedStore,
        timings: FAST,
        repair: null,
      });
      const before = loadsNow();
      await expect(
        runOne2OneRestore(killedEnv, {
          taskId: "resume",
          runId: "00000000-0000-1000-8000-0000000000c3",
          properties: properties(),
          signal: new AbortController().signal,
        }),
      ).rejects.toThrow("killed");
      const run2 = "00000000-0000-1000-8000-0000000000c4";
      await runOne2OneRestore(env, {
        taskId: "resume",
        runId: run2,
        properties: properties(),
        signal: new AbortController().signal,
      });
      expectOwnFiles(before, new Set(refreshed));
      const rows2 = (await store.listProgress(ONE2ONE_TABLE_PROGRESS_KIND, "c", "resume", run2)).map(
        (r) => r.value as TableProgressRow,
      );
      expect(rows2.length).toBe(TABLES.length * 3);
      expect(rows2.every((r) => r.is_refreshed)).toBe(true);
    } finally {
      await cluster.close();
    }
  }, 180_000);

  test("sctool restore 1-1-restore through our server: SM's flag errors, the task to DONE, progress and gauges", async () => {
    const store = createMemoryStore();
    const config = v.parse(ServerConfigSchema, {});
    const metrics = new Registry();
    const manager = new Manager({ store, config, metrics });
    const deps = { store, config, logger: createSilentLogger(), metrics, manager };
    ensureClusterServices(deps);
    ensureRepairService(deps);
    ensureRestoreService(deps);
    await manager.start();
    let listener: NodeListener | undefined;
    try {
      listener = await startNodeListener({ hostname: "127.3.12.200", port: 0, fetch: createApp(deps).fetch });
      const apiUrl = `http://127.3.12.200:${listener.port}/api/v1`;
      const sctool = (...argv: string[]) => runSctool(apiUrl, argv);
      const add = await sctool(
        "cluster",
        "add",
        "--host",
        target.nodes[0]?.ip ?? "",
        "--auth-token",
        TOKEN,
        "--name",
        "t",
      );
      expect(add.code).toBe(0);
      const clusterId = add.stdout.trim();
      const file = join(dir, "mapping.txt");
      writeFileSync(file, formatNodesMapping(mapping));
      const missing = await sctool("restore", "1-1-restore", "-c", "t", "-L", "localstorage:backups");
      expect(missing.code).not.toBe(0);
      expect(missing.stderr).toContain("required flag(s) snapshot-tag, source-cluster-id, nodes-mapping not set");
      const bad = join(dir, "bad-mapping.txt");
      writeFileSync(bad, "dc1:rack1:x\n");
      const args = [
        "-c",
        "t",
        "-L",
        "localstorage:backups",
        "-T",
        tag,
        "--source-cluster-id",
        SOURCE_ID,
        "-K",
        KEYSPACES.join(","),
      ];
      const badFile = await sctool("restore", "1-1-restore", ...args, "--nodes-mapping", bad);
      expect(badFile.stderr).toContain("source and target mappings must be split by '='");
      const created = await sctool("restore", "1-1-restore", ...args, "--nodes-mapping", file);
      expect(created.stderr).toBe("");
      const task = created.stdout.trim();
      expect(task).toMatch(/^1_1_restore\/[0-9a-f-]{36}$/);
      const taskId = task.slice("1_1_restore/".length);
      const forbidden = await sctool("restore", "1-1-restore", "update", "-c", "t", task, "-T", tag);
      expect(forbidden.stderr).toContain(
        "updating one2onerestore task's '--snapshot-tag' flag is forbidden. For this purpose, please create a new task with given properties",
      );
      let status = "";
      for (let i = 0; i < 600 && !["DONE", "ERROR"].includes(status); i++) {
        await Bun.sleep(500);
        const [run] = await store.listRuns(clusterId, "1_1_restore", taskId, 1);
        status = run?.status ?? "";
      }
      const [run] = await store.listRuns(clusterId, "1_1_restore", taskId, 1);
      expect({ status, cause: run?.cause ?? "" }).toEqual({ status: "DONE", cause: "" });
      const summary = await sctool("progress", "-c", "t", task);
      expect(summary.stdout).toContain("Status:\t\tDONE\n");
      expect(summary.stdout).toContain("Progress:\n  Tables: 100%\n  Views:  100%\n");
      const details = await sctool("progress", "-c", "t", task, "--details");
      expect(details.stdout).toMatch(/\| Keyspace \| Table +\| Size +\| Restored +\| Duration \| Status \|/);
      expect(details.stdout).toMatch(/\| ks3 +\| blobs +\|.*\| done +\|/);
      expect(details.stdout).toMatch(/\| ks2 +\| events_kind +\| SecondaryIndex +\|.*\| done +\|/);
      const res = await fetch(`${apiUrl}/cluster/${clusterId}/task/1_1_restore/${taskId}/${run?.id}`);
      const body = (await res.json()) as { progress: unknown };
      const validator = createSmContractValidator(applyNullable(readSmDefinitions()) as Record<string, unknown>);
      expect(validator.validate("TaskRunOne2OneRestoreProgress", body)).toBe("");
      const text = await metrics.metrics();
      expect(text).toMatch(/scylla_manager_one2onerestore_progress\{cluster="[^"]+",snapshot_tag="[^"]+"\} 100/);
      expect(text).toContain('worker="refresh"} 3');
    } finally {
      await listener?.close(0);
      await manager.close();
    }
  }, 300_000);

  test("sctool restore 1-1-restore --in-process: a one-shot run with live progress, no server", async () => {
    const before = loadsNow();
    const file = join(dir, "mapping-oneshot.txt");
    writeFileSync(file, formatNodesMapping(mapping));
    const run = await runSctool("http://127.3.12.201:1/api/v1", [
      "restore",
      "1-1-restore",
      "--in-process",
      "--host",
      target.nodes[0]?.ip ?? "",
      "--auth-token",
      TOKEN,
      "-L",
      "localstorage:backups",
      "-T",
      tag,
      "--source-cluster-id",
      SOURCE_ID,
      "-K",
      KEYSPACES.join(","),
      "--nodes-mapping",
      file,
    ]);
    expect({ code: run.code, stderr: run.stderr.includes("Error") ? run.stderr : "" }).toEqual({ code: 0, stderr: "" });
    expect(run.stdout).toContain("Progress:\n  Tables: 100%\n  Views:  100%\n");
    expectOwnFiles(before);
  }, 180_000);
});
