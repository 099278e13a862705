/**
 * validate_backup end to end: `sctool backup validate` schedules the task on our server, which lists and reads the
 * bucket through our agents on the emulator. The bucket (written with our encoder) holds, for each node, a snapshot
 * whose files are all there, one whose file is missing, a stray (orphaned) file, a running backup's temporary
 * manifest with its files, and the directory of a node that left the cluster. Checked: the run's error (SM's text),
 * the progress JSON rows, `sctool progress` in SM's layout, and that `--delete-orphaned-files` deletes exactly the
 * orphans.
 */
import { afterAll, beforeAll, expect, test } from "bun:test";
import { existsSync, mkdirSync, mkdtempSync, rmSync, utimesSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import type { Manifest } from "../../src/backup/layout/manifest.ts";
import { encodeManifest } from "../../src/backup/layout/manifest-codec.ts";
import { manifestPath, sstVersionDir, tempPath } from "../../src/backup/layout/paths.ts";
import { ensureValidateBackupRunner } from "../../src/backup/validate/wiring.ts";
import type { Manager } from "../../src/manager/manager.ts";
import { type EmulatedCluster, startCluster } from "../emulator/index.ts";
import { callApi, startInProcessServer } from "../support/in-process-server.ts";
import { runSctool } from "../support/run-sctool.ts";

const TOKEN = "validate-e2e";
const TASK = "5b0c7a0e-2f7c-4a3e-9a57-0d1f2e3c4b5a";
const VERSION = "f34b6ff0f8f711eb9fcf000000000000";
const GONE_NODE = "9d7c2a1e-0000-4000-8000-00000000dead";
const [GOOD, BROKEN, RUNNING] = ["sm_20260101000000UTC", "sm_20260102000000UTC", "sm_20260103000000UTC"];

let dir: string;
let bucket: string;
let emu: EmulatedCluster;
let server: ReturnType<typeof Bun.serve>;
let manager: Manager;
let app: Awaited<ReturnType<typeof startInProcessServer>>["app"];
let apiUrl = "";
let clusterId = "";

const sctool = (...argv: string[]) => runSctool(apiUrl, argv);

function put(rel: string, data: Uint8Array | string): void {
  const full = join(bucket, rel);
  mkdirSync(dirname(full), { recursive: true });
  writeFileSync(full, data);
  // Written "before the validation started" (a file newer than the start is never an orphan).
  const past = new Date(Date.now() - 3_600_000);
  utimesSync(full, past, past);
}

function manifest(nodeId: string, ip: string, tag: string, files: string[]): Manifest {
  return {
    version: "v2",
    scylla_version: "",
    cluster_name: "validate",
    ip,
    size: files.length,
    tokens: null,
    schema: "",
    rack: "",
    shard_count: 0,
    cpu_count: 0,
    storage_size: 0,
    instance_details: {},
    dc: "dc1",
    cluster_id: clusterId,
    node_id: nodeId,
    task_id: TASK,
    snapshot_tag: tag,
    index: [
      {
        keyspace: "ks",
        table: "t",
        replication_type: "vnodes",
        version: VERSION,
        files,
        size: files.length,
        scylla_manifests: null,
      },
    ],
  };
}

async function writeNode(nodeId: string, ip: string): Promise<void> {
  const sst = sstVersionDir(clusterId, "dc1", nodeId, "ks", "t", VERSION);
  put(
    manifestPath(clusterId, "dc1", nodeId, TASK, GOOD),
    await encodeManifest(manifest(nodeId, ip, GOOD, ["a-Data.db"])),
  );
  put(
    manifestPath(clusterId, "dc1", nodeId, TASK, BROKEN),
    await encodeManifest(manifest(nodeId, ip, BROKEN, ["a-Data.db", "lost-Data.db"])),
  );
  put(
    tempPath(manifestPath(clusterId, "dc1", nodeId, TASK, RUNNING)),
    await encodeManifest(manifest(nodeId, ip, RUNNING, ["uploading-Data.db"])),
  );
  put(`${sst}/a-Data.db`, "aa");
  put(`${sst}/uploading-Data.db`, "uu");
  put(`${sst}/stray-Data.db`, "stray");
  // A versioned copy is never scanned, so never an orphan.
  put(`${sst}/a-Data.db.sm_20251231000000UTC`, "old");
}

async function runToEnd(taskId: string): Promise<{ status: string; cause: string; progress: any }> {
  for (let i = 0; i < 200; i++) {
    const answer = await callApi(app, "GET", `/cluster/${clusterId}/task/validate_backup/${taskId}/latest`);
    const status = answer.json?.run?.status;
    if (answer.status === 200 && (status === "DONE" || status === "ERROR")) {
      return { status, cause: answer.json.run.cause ?? "", progress: answer.json.progress };
    }
    await Bun.sleep(100);
  }
  throw new Error("validate_backup run did not end");
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "validate-e2e-"));
  bucket = join(dir, "store", "backups");
  mkdirSync(bucket, { recursive: true });
  emu = await startCluster({
    dcs: [2],
    ipPrefix: "127.7.2.",
    dir: join(dir, "emu"),
    agents: { authToken: TOKEN, config: { localstorage: { path: join(dir, "store") } } },
  });
  const started = await startInProcessServer();
  manager = started.manager;
  app = started.app;
  ensureValidateBackupRunner({ store: started.store, manager });
  server = Bun.serve({ hostname: "127.7.2.100", port: 0, fetch: started.app.fetch });
  apiUrl = `http://127.7.2.100:${server.port}/api/v1`;
  const add = await sctool(
    "cluster",
    "add",
    "--host",
    emu.nodes[0]?.ip ?? "",
    "--name",
    "validate",
    "--auth-token",
    TOKEN,
  );
  expect(add.code).toBe(0);
  clusterId = add.stdout.trim();
  for (const node of emu.nodes) await writeNode(node.hostId, node.ip);
  // A node that left the cluster: its directory is validated by a remaining node.
  await writeNode(GONE_NODE, "10.9.9.9");
}, 60_000);

afterAll(async () => {
  server?.stop(true);
  await manager?.close();
  await emu?.close();
  rmSync(dir, { recursive: true, force: true });
});

test("validate reports missing files, broken snapshots and orphans per node, in SM's words", async () => {
  const created = await sctool("backup", "validate", "-c", "validate", "-L", "localstorage:backups");
  expect(created.stderr).toBe("");
  const taskId = created.stdout.trim().replace("validate_backup/", "");
  const run = await runToEnd(taskId);
  expect(run.status).toBe("ERROR");
  expect(run.cause).toContain(`broken snapshots: ${BROKEN} and orphaned files`);
  const rows = run.progress as Array<Record<string, unknown>>;
  expect(rows.map((r) => r.host).sort()).toEqual([...emu.nodes.map((n) => n.ip), "10.9.9.9"].sort());
  for (const row of rows) {
    expect(row).toMatchObject({
      dc: "dc1",
      location: "localstorage:backups",
      manifests: 3,
      scanned_files: 3,
      missing_files: 1,
      orphaned_files: 1,
      orphaned_bytes: 5,
      deleted_files: 0,
      broken_snapshots: [BROKEN],
    });
    expect(typeof row.started_at).toBe("string");
    expect(typeof row.completed_at).toBe("string");
  }
  const progress = await sctool("progress", "-c", "validate", `validate_backup/${taskId}`, "--details");
  expect(progress.stdout).toContain("Scanned files:\t9\nMissing files:\t3\nOrphaned files:\t3 (15B)\n");
  expect(progress.stdout).toContain(`Broken snapshots:\t\n  - ${BROKEN}\n`);
  expect(progress.stdout).toContain("Location: localstorage:backups\n");
  expect(progress.stdout).toMatch(
    /\| Host +\| Manifests \| Scanned files \| Missing files \| Orphaned files \| Orphaned bytes \| Deleted files \|/,
  );
}, 30_000);

test("--delete-orphaned-files deletes the orphans and nothing else", async () => {
  const created = await sctool(
    "backup",
    "validate",
    "-c",
    "validate",
    "-L",
    "localstorage:backups",
    "--delete-orphaned-files",
  );
  const taskId = created.stdout.trim().replace("validate_backup/", "");
  const run = await runToEnd(taskId);
  expect(run.status).toBe("ERROR");
  expect(run.cause).toContain(`broken snapshots: ${BROKEN}`);
  expect(run.cause).not.toContain("orphaned files");
  expect((run.progress as Array<{ deleted_files: number }>).map((r) => r.deleted_files)).toEqual([1, 1, 1]);
  for (const node of [...emu.nodes.map((n) => n.hostId), GONE_NODE]) {
    const sst = join(bucket, sstVersionDir(clusterId, "dc1", node, "ks", "t", VERSION));
    expect(existsSync(join(sst, "stray-Data.db"))).toBe(false);
    expect(existsSync(join(sst, "a-Data.db"))).toBe(true);
    expect(existsSync(join(sst, "uploading-Data.db"))).toBe(true);
    expect(existsSync(join(sst, "a-Data.db.sm_20251231000000UTC"))).toBe(true);
  }
}, 30_000);
