/**
 * SM's own server (built from SM's source, its state on an Apache Cassandra node started by run.sh) driving our
 * agents on the emulated cluster (127.5.3.x), and our server (127.5.3.201) on the same cluster and bucket:
 * - SM's sctool adds the cluster, reads its status and runs a repair, which the emulator's ledger must show;
 * - SM's server backs up to a localstorage location our agents serve (the bucket must hold every snapshot file
 *   unchanged), and SM's `backup list`, `backup files` and `backup validate` read it;
 * - our server restores SM's backup, SM's server lists and restores ours: the ledger must show every SSTable of the
 *   snapshot loaded exactly once, with the same name, size and CRC.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { existsSync, mkdirSync } from "node:fs";
import { join } from "node:path";
import { type EmulatedCluster, startCluster } from "../emulator/index.ts";
import type { LoadEntry } from "../emulator/ledger.ts";
import { restoredOnceProblems } from "../restore/harness.ts";
import { runSctool } from "../support/run-sctool.ts";
import { backupFileLines, bucketMismatches, localPathOf } from "./bucket-checks.ts";
import { startSmServer } from "./sm-server-bed.ts";
import {
  type Daemon,
  interopSkipReason,
  smSctool,
  snapshotTagOf,
  startOurServer,
  taskStatusOf,
  tempDir,
  waitForTaskEnd,
} from "./support.ts";

const skip =
  interopSkipReason() ??
  process.env.SM_INTEROP_SERVER_SKIP ??
  (process.env.SM_INTEROP_CASSANDRA ? undefined : "no Cassandra for SM's server (run.sh starts one)");
if (skip !== undefined) console.warn(`SKIP interop suite (SM's server, our agents): ${skip}`);

const TOKEN = "interop-token";
const LOCATION = "localstorage:backups";
const TABLES = ["small_table", "users"];
let cluster: EmulatedCluster;
let sm: { apiUrl: string; daemon: Daemon };
let ours: { apiUrl: string; daemon: Daemon };
let temp: { dir: string; remove: () => void };
/** The localstorage root every agent serves (the bucket `backups` is a directory in it). */
let storeRoot = "";
/** SM's cluster ID and ours for the same emulated cluster, set by the cluster-add tests. */
let smClusterId = "";
let ourClusterId = "";
let smTag = "";

const smTool = (...args: string[]) => smSctool(sm.apiUrl, ...args);
const ourTool = (...args: string[]) => runSctool(ours.apiUrl, args);
const smLog = () => sm.daemon.log().slice(-4000);
const loadsSoFar = (): LoadEntry[] => [...cluster.ledger.loads()];

/**
 * The default tasks of a cluster as a server's REST API sends them, reduced to what must match SM's: ids, run
 * counters and times of runs dropped, and a `start_date` within the last ten minutes (the cluster was added in this
 * run) shown as `<creation time>`.
 */
async function defaultTasksJson(apiUrl: string, clusterId: string): Promise<unknown[]> {
  const res = await fetch(`${apiUrl}/cluster/${clusterId}/tasks?all=true`);
  const tasks = (await res.json()) as Array<Record<string, any>>;
  const recent = (text: string) => Math.abs(Date.now() - Date.parse(text)) < 600_000;
  return tasks
    .filter(
      (t) => ["healthcheck", "repair"].includes(t.type) && ["cql", "rest", "alternator", "all-weekly"].includes(t.name),
    )
    .map((t) => {
      const cron = JSON.parse(t.schedule.cron);
      return {
        type: t.type,
        name: t.name,
        labels: t.labels,
        enabled: t.enabled,
        properties: t.properties,
        schedule: {
          ...t.schedule,
          start_date: recent(t.schedule.start_date) ? "<creation time>" : t.schedule.start_date,
          cron: { ...cron, start_date: recent(cron.start_date) ? "<creation time>" : cron.start_date },
        },
      };
    })
    .sort((a, b) => `${a.type}/${a.name}`.localeCompare(`${b.type}/${b.name}`));
}

describe.skipIf(skip !== undefined)("SM's server drives our agents and emulator", () => {
  beforeAll(async () => {
    temp = tempDir("sm-interop-server-");
    storeRoot = join(temp.dir, "store");
    mkdirSync(join(temp.dir, "ours"));
    // The localstorage root must exist (SM's agent refuses to start without it); the bucket in it need not.
    mkdirSync(storeRoot);
    cluster = await startCluster({
      dcs: "dc1:2,dc2:1",
      ipPrefix: "127.5.3.",
      tokensPerNode: 8,
      timeScale: 0.01,
      // The agents create the bucket directory on SM's permission check, as SM's agent does.
      agents: { authToken: TOKEN, config: { localstorage: { path: storeRoot } } },
    });
    [sm, ours] = await Promise.all([
      startSmServer("127.5.3.200", temp.dir),
      startOurServer("127.5.3.201", join(temp.dir, "ours")),
    ]);
  }, 300_000);

  afterAll(async () => {
    await Promise.all([sm?.daemon.stop(), ours?.daemon.stop()]);
    await cluster?.close();
    temp?.remove();
  });

  test("SM's sctool adds the emulated cluster through our agents; status shows every node UP", async () => {
    const host = cluster.nodes[0]?.ip ?? "";
    const add = await smTool("cluster", "add", "--host", host, "--auth-token", TOKEN, "--name", "ours");
    expect({ code: add.code, stderr: add.stderr }).toMatchObject({ code: 0 });
    smClusterId = add.stdout.trim().split("\n")[0] ?? "";
    expect(smClusterId).toMatch(/^[0-9a-f-]{36}$/);
    const status = await smTool("status", "-c", "ours");
    expect(status.code).toBe(0);
    for (const node of cluster.nodes) {
      const row = status.stdout.split("\n").find((line) => line.includes(` ${node.ip} `));
      expect(row ?? `no row for ${node.ip}\n${status.stdout}\n${smLog()}`).toMatch(/UN.*UP/);
    }
  }, 60_000);

  test("SM's server repairs the emulated cluster through our agents (the ledger records the repairs)", async () => {
    const before = cluster.ledger.of("repair").length;
    const repair = await smTool("repair", "-c", "ours", "-K", "ks1");
    expect({ code: repair.code, stderr: repair.stderr }).toMatchObject({ code: 0 });
    // `repair` prints the new task (the cluster also has SM's default weekly repair, so the type alone is ambiguous).
    const task = repair.stdout.trim().split("\n").pop() ?? "";
    expect(task).toMatch(/^repair\/[0-9a-f-]{36}$/);
    const progress = await waitForTaskEnd(() => smTool("progress", task, "-c", "ours"));
    expect(taskStatusOf(progress) === "DONE" ? "DONE" : `${progress}\n${smLog()}`).toBe("DONE");
    expect(cluster.ledger.of("repair").length).toBeGreaterThan(before);
  }, 200_000);

  test("SM's server backs up through our agents to localstorage: the bucket holds every snapshot file unchanged", async () => {
    const backup = await smTool("backup", "-c", "ours", "-L", LOCATION, "-K", "ks1");
    expect({ code: backup.code, stderr: backup.stderr }).toMatchObject({ code: 0 });
    const task = backup.stdout.trim().split("\n").pop() ?? "";
    expect(task).toMatch(/^backup\/[0-9a-f-]{36}$/);
    const progress = await waitForTaskEnd(() => smTool("progress", task, "-c", "ours"));
    expect(taskStatusOf(progress) === "DONE" ? "DONE" : `${progress}\n${smLog()}`).toBe("DONE");
    smTag = snapshotTagOf(progress);
    expect(smTag).toMatch(/^sm_\d{14}UTC$/);
    expect(bucketMismatches(cluster, join(storeRoot, "backups"), smClusterId, smTag, "ks1", TABLES)).toEqual([]);
  }, 200_000);

  test("SM's backup list, files and validate read the backup our agents uploaded", async () => {
    expect(smTag).toMatch(/^sm_/);
    const list = await smTool("backup", "list", "-c", "ours", "-L", LOCATION);
    expect({ code: list.code, stderr: list.stderr }).toMatchObject({ code: 0 });
    expect(list.stdout).toContain(`  - ${smTag} (`);
    expect(list.stdout).toContain("  - ks1 (2 tables)");
    const files = await smTool("backup", "files", "-c", "ours", "-L", LOCATION, "-T", smTag);
    expect({ code: files.code, stderr: files.stderr }).toMatchObject({ code: 0 });
    const lines = backupFileLines(files.stdout);
    expect(lines.filter((line) => line.endsWith(" ks1/users")).length).toBeGreaterThan(0);
    expect(lines.filter((line) => !existsSync(localPathOf(storeRoot, line)))).toEqual([]);
    const validate = await smTool("backup", "validate", "-c", "ours", "-L", LOCATION);
    expect({ code: validate.code, stderr: validate.stderr }).toMatchObject({ code: 0 });
    const task = validate.stdout.trim().split("\n").pop() ?? "";
    const progress = await waitForTaskEnd(() => smTool("progress", task, "-c", "ours"));
    expect(taskStatusOf(progress) === "DONE" ? "DONE" : `${progress}\n${smLog()}`).toBe("DONE");
    expect(progress).toMatch(/Scanned files:\s+[1-9]\d*\n/);
    expect(progress).toMatch(/Missing files:\s+0\n/);
    expect(progress).toMatch(/Orphaned files:\s+0\b/);
  }, 200_000);

  test("our server restores SM's backup: every SSTable of SM's snapshot is loaded once, unchanged", async () => {
    expect(smTag).toMatch(/^sm_/);
    const host = cluster.nodes[0]?.ip ?? "";
    const add = await ourTool("cluster", "add", "--host", host, "--auth-token", TOKEN, "--name", "mine");
    expect({ code: add.code, stderr: add.stderr }).toMatchObject({ code: 0 });
    ourClusterId = add.stdout.trim().split("\n")[0] ?? "";
    // Both tools list the same files of SM's backup.
    const smFiles = await smTool("backup", "files", "-c", "ours", "-L", LOCATION, "-T", smTag);
    const ourFiles = await ourTool("backup", "files", "-c", "mine", "-L", LOCATION, "-T", smTag, "--all-clusters");
    expect({ code: ourFiles.code, stderr: ourFiles.stderr }).toMatchObject({ code: 0 });
    expect(backupFileLines(ourFiles.stdout)).toEqual(backupFileLines(smFiles.stdout));
    const since = loadsSoFar();
    const restore = await ourTool(
      "restore",
      "-c",
      "mine",
      "-L",
      LOCATION,
      "-T",
      smTag,
      "--restore-tables",
      "-K",
      "ks1",
    );
    expect({ code: restore.code, stderr: restore.stderr }).toMatchObject({ code: 0 });
    const task = restore.stdout.trim().split("\n").pop() ?? "";
    expect(task).toMatch(/^restore\/[0-9a-f-]{36}$/);
    const progress = await waitForTaskEnd(() => ourTool("progress", task, "-c", "mine"));
    expect(taskStatusOf(progress) === "DONE" ? "DONE" : `${progress}\n${ours.daemon.log().slice(-4000)}`).toBe("DONE");
    const tables = TABLES.map((t) => `ks1.${t}`);
    expect(restoredOnceProblems({ source: cluster.ledger, target: cluster.ledger, tables, since, tag: smTag })).toEqual(
      [],
    );
  }, 200_000);

  test("the default tasks of a new cluster have SM's JSON on both servers (start_date = creation time)", async () => {
    expect(ourClusterId).toMatch(/^[0-9a-f-]{36}$/);
    const [smTasks, ourTasks] = await Promise.all([
      defaultTasksJson(sm.apiUrl, smClusterId),
      defaultTasksJson(ours.apiUrl, ourClusterId),
    ]);
    expect(smTasks.length).toBeGreaterThan(0);
    expect(ourTasks).toEqual(smTasks);
  }, 60_000);

  test("SM's server lists and restores a backup our server wrote: every SSTable is loaded once, unchanged", async () => {
    expect(ourClusterId).toMatch(/^[0-9a-f-]{36}$/);
    const backup = await ourTool("backup", "-c", "mine", "-L", LOCATION, "-K", "ks1");
    expect({ code: backup.code, stderr: backup.stderr }).toMatchObject({ code: 0 });
    const task = backup.stdout.trim().split("\n").pop() ?? "";
    const progress = await waitForTaskEnd(() => ourTool("progress", task, "-c", "mine"));
    expect(taskStatusOf(progress) === "DONE" ? "DONE" : `${progress}\n${ours.daemon.log().slice(-4000)}`).toBe("DONE");
    const tag = snapshotTagOf(progress);
    expect(tag).toMatch(/^sm_\d{14}UTC$/);
    expect(bucketMismatches(cluster, join(storeRoot, "backups"), ourClusterId, tag, "ks1", TABLES)).toEqual([]);

    const list = await smTool("backup", "list", "-c", "ours", "-L", LOCATION, "--all-clusters");
    expect({ code: list.code, stderr: list.stderr }).toMatchObject({ code: 0 });
    expect(list.stdout).toContain(`Cluster: ${ourClusterId}`);
    expect(list.stdout).toContain(`  - ${tag} (`);
    const smFiles = await smTool("backup", "files", "-c", "ours", "-L", LOCATION, "-T", tag, "--all-clusters");
    const ourFiles = await ourTool("backup", "files", "-c", "mine", "-L", LOCATION, "-T", tag);
    expect({ code: smFiles.code, stderr: smFiles.stderr }).toMatchObject({ code: 0 });
    expect(backupFileLines(smFiles.stdout)).toEqual(backupFileLines(ourFiles.stdout));

    const since = loadsSoFar();
    const restore = await smTool("restore", "-c", "ours", "-L", LOCATION, "-T", tag, "--restore-tables", "-K", "ks1");
    expect({ code: restore.code, stdout: restore.stdout, stderr: restore.stderr }).toMatchObject({ code: 0 });
    const restoreTask = restore.stdout.trim().split("\n").pop() ?? "";
    expect(restoreTask).toMatch(/^restore\/[0-9a-f-]{36}$/);
    const restored = await waitForTaskEnd(() => smTool("progress", restoreTask, "-c", "ours"));
    expect(taskStatusOf(restored) === "DONE" ? "DONE" : `${restored}\n${smLog()}`).toBe("DONE");
    const tables = TABLES.map((t) => `ks1.${t}`);
    expect(restoredOnceProblems({ source: cluster.ledger, target: cluster.ledger, tables, since, tag })).toEqual([]);
  }, 200_000);
});
