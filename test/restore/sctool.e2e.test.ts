import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
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
import { ensureRestoreService } from "../../src/restore/wiring.ts";
import { createApp } from "../../src/server/app.ts";
import { type NodeListener, startNodeListener } from "../../src/server/node-listener.ts";
import { createMemoryStore } from "../../src/store/memory.ts";
import { createSilentLogger } from "../../src/util/log.ts";
import { type EmulatedCluster, startCluster } from "../emulator/index.ts";
import { testSchemaSpec } from "../emulator/storage/testing.ts";
import { runSctool } from "../support/run-sctool.ts";

// Round trip through the daemon: our Backup class writes a backup to localstorage, then sctool restores it through
// our REST server (dry run, task, progress), judged by the emulator's ledger (127.3.5.x).
const TOKEN = "restore-sctool";
let dir: string;
let emu: EmulatedCluster;
let manager: Manager;
const store = createMemoryStore();
let listener: NodeListener;
let apiUrl = "";
let tag = "";
const registry = new Registry();

const sctool = (...argv: string[]) => runSctool(apiUrl, argv);

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "restore-sctool-"));
  mkdirSync(join(dir, "store", "backups"), { recursive: true });
  emu = await startCluster({
    dcs: [2, 1],
    ipPrefix: "127.3.5.",
    dir: join(dir, "emu"),
    schema: testSchemaSpec(),
    agents: { authToken: TOKEN, config: { localstorage: { path: join(dir, "store") } } },
  });
  const cluster = await Cluster.connect({ host: emu.nodes[0]?.ip ?? "", authToken: TOKEN });
  try {
    const backup = await Backup.plan(cluster, { location: ["localstorage:backups"], keyspace: ["ks1", "ks3"] });
    tag = (await backup.run()).snapshotTag;
  } finally {
    await cluster.close();
  }
  const config = v.parse(ServerConfigSchema, {});
  manager = new Manager({ store, config, metrics: new Registry() });
  const deps = { store, config, logger: createSilentLogger(), metrics: registry, manager };
  ensureClusterServices(deps);
  ensureRepairService(deps);
  ensureRestoreService(deps);
  await manager.start();
  const app = createApp(deps);
  listener = await startNodeListener({ hostname: "127.3.5.200", port: 0, fetch: app.fetch });
  apiUrl = `http://127.3.5.200:${listener.port}/api/v1`;
}, 90_000);

afterAll(async () => {
  await listener?.close(0);
  await manager?.close();
  await emu?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe("sctool restore through our server", () => {
  let clusterId = "";

  test("cluster add, then restore --dry-run prints SM's plan", async () => {
    const add = await sctool("cluster", "add", "--host", emu.nodes[0]?.ip ?? "", "--auth-token", TOKEN, "--name", "r");
    expect(add.code).toBe(0);
    clusterId = add.stdout.trim();
    const dry = await sctool(
      "restore",
      "-c",
      "r",
      "-L",
      "localstorage:backups",
      "-T",
      tag,
      "--restore-tables",
      "-K",
      "ks1",
      "--dry-run",
      "--show-tables",
    );
    expect(dry.stderr).toBe("NOTICE: dry run mode, restore is not scheduled\n\n");
    expect(dry.code).toBe(0);
    expect(dry.stdout).toContain("Restored tables:\n  - ks1: ");
    expect(dry.stdout).toMatch(
      /\(small_table: [0-9.]+[KMG]?i?B, users: [0-9.]+[KMG]?i?B\)|\(users: [0-9.]+[KMG]?i?B, small_table/,
    );
    expect(dry.stdout).toContain("Restored views:\n  - ks1.users_by_name\n");
    expect(dry.stdout).toContain(`Locations:\n  - localstorage:backups\n\nSnapshot Tag:\t${tag}\n`);
    expect(dry.stdout).toContain("Batch Size:     2\nParallel:       0\nTransfers:      0\n");
    expect(dry.stdout).toContain(
      "Compaction:     not allowed \nAgent CPU:      pinned \nDownload Rate Limits:\n  - Unlimited\n",
    );
  }, 60_000);

  test("bad input is refused before anything runs, with SM's messages", async () => {
    const none = await sctool(
      "restore",
      "-c",
      "r",
      "-L",
      "localstorage:backups",
      "-T",
      "sm_20990101000000UTC",
      "--restore-tables",
    );
    expect(none.code).not.toBe(0);
    expect(none.stderr).toContain("no snapshot with tag sm_20990101000000UTC");
    const both = await sctool(
      "restore",
      "-c",
      "r",
      "-L",
      "localstorage:backups",
      "-T",
      tag,
      "--restore-tables",
      "--restore-schema",
    );
    expect(both.stderr).toContain("choose EXACTLY ONE restore type");
  }, 60_000);

  test("restore task runs to DONE; every SSTable loaded once; progress in SM's layout", async () => {
    const created = await sctool(
      "restore",
      "-c",
      "r",
      "-L",
      "localstorage:backups",
      "-T",
      tag,
      "--restore-tables",
      "-K",
      "ks1,ks3",
      "--batch-size",
      "1",
    );
    expect(created.code).toBe(0);
    const task = created.stdout.trim();
    expect(task).toMatch(/^restore\/[0-9a-f-]{36}$/);
    let status = "";
    for (let i = 0; i < 240 && !["DONE", "ERROR"].includes(status); i++) {
      await Bun.sleep(500);
      const [run] = await store.listRuns(clusterId, "restore", task.slice("restore/".length), 1);
      status = run?.status ?? "";
    }
    const progress = await sctool("progress", "-c", "r", task, "--details");
    expect(status).toBe("DONE");
    expect(progress.stdout.startsWith("Restore progress\nRun:")).toBe(true);
    expect(progress.stdout).toContain("Progress:\t100% | 100%\n");
    expect(progress.stdout).toContain(`Snapshot Tag:\t${tag}\n`);
    expect(progress.stdout).toMatch(/Bandwidth:\n {2}- Download: {4}\S+\/s\/shard\n {2}- Load&stream: \S+/);
    expect(progress.stdout).toMatch(/\| Keyspace \| +Progress \| +Size \| +Success \| Downloaded \| Failed \|\n/);
    expect(progress.stdout).toMatch(/\| ks1 +\| 100% \| 100% \|/);
    expect(progress.stdout).toContain("Hosts info\n");
    expect(progress.stdout).toContain("Keyspace: ks3\n");
    expect(progress.stdout).toContain("Post-restore repair progress\n");
    expect(progress.stdout).toContain(
      "View: ks1.users_by_name, Status: SUCCESS, Schema definition:\n  CREATE MATERIALIZED VIEW IF NOT EXISTS",
    );
    const { snapshotFiles } = await import("../emulator/storage/snapshot-digests.ts");
    for (const [ks, t] of [
      ["ks1", "users"],
      ["ks1", "small_table"],
      ["ks3", "blobs"],
    ] as const) {
      const captured = snapshotFiles(emu.ledger, tag, ks, t)
        .map((f) => `${f.name}|${f.size}|${f.digest}`)
        .sort();
      const loaded = emu.ledger
        .loads(ks, t)
        .filter((l) => l.outcome === "successful")
        .flatMap((l) => l.files.map((f) => `${f.name}|${f.size}|${f.digest}`))
        .sort();
      expect(captured.length).toBeGreaterThan(0);
      expect(loaded).toEqual(captured);
    }
  }, 180_000);

  test("the scylla_manager_restore_* gauges (SM's names and labels) end at 100% with nothing remaining", async () => {
    const families = await registry.getMetricsAsJSON();
    const series = (name: string) =>
      (families.find((f) => f.name === `scylla_manager_restore_${name}`)?.values ?? []) as Array<{
        labels: Record<string, string>;
        value: number;
      }>;
    const sum = (name: string) => series(name).reduce((s, v) => s + v.value, 0);
    expect(series("progress").map((v) => [v.labels.cluster, v.labels.snapshot_tag, v.value])).toEqual([
      [clusterId, tag, 100],
    ]);
    // remaining_bytes is labelled with the backup's cluster (as SM does): one series per remote dir, all at 0.
    const remaining = series("remaining_bytes");
    expect(remaining.length).toBeGreaterThan(0);
    expect(
      remaining.every(
        (v) => v.value === 0 && v.labels.snapshot_tag === tag && v.labels.location === "localstorage:backups",
      ),
    ).toBe(true);
    expect(new Set(remaining.map((v) => `${v.labels.keyspace}.${v.labels.table}`))).toEqual(
      new Set(["ks1.small_table", "ks1.users", "ks3.blobs"]),
    );
    const total = sum("batch_size");
    expect(total).toBeGreaterThan(0);
    expect(sum("streamed_bytes")).toBe(total);
    expect(sum("downloaded_bytes")).toBe(total);
    // One state series per host that took a batch, all idle at the end.
    expect(series("state").length).toBeGreaterThan(0);
    expect(series("state").every((v) => v.value === 0 && v.labels.cluster === clusterId)).toBe(true);
    expect(series("view_build_status").map((v) => [v.labels.keyspace, v.labels.view, v.value])).toEqual([
      ["ks1", "users_by_name", 2],
    ]);
  });
});
