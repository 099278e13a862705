/**
 * Fault: the daemon is SIGKILLed while a backup uploads, then started again on the same SQLite store. The run is
 * resumed (same snapshot tag, re-attached to the agents' upload jobs), finishes DONE, and no file that was already
 * in the bucket before the kill was written again (same inode and mtime); the bucket then holds exactly the
 * snapshot's SSTables (names and sizes from the emulator's ledger).
 */
import { afterAll, beforeAll, expect, test } from "bun:test";
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import { runCli } from "../../src/cli/main.ts";
import { type EmulatedAgents, startAgents } from "../emulator/agents.ts";
import { type EmulatedCluster, startCluster } from "../emulator/index.ts";
import { snapshotFiles } from "../emulator/storage/snapshot-digests.ts";
import { testSchemaSpec } from "../emulator/storage/testing.ts";
import { StorageSpy } from "../support/storage-spy.ts";

const TOKEN = "backup-kill";
const ROOT = join(import.meta.dir, "..", "..");
const API = "127.2.3.200";
let dir: string;
let bucket: string;
let emu: EmulatedCluster;
let agents: EmulatedAgents | undefined;
let daemon: ReturnType<typeof Bun.spawn> | undefined;
let apiUrl = "";

function startDaemon(port: number): ReturnType<typeof Bun.spawn> {
  return Bun.spawn({
    cmd: [process.execPath, join(ROOT, "bin", "scylla-manager.ts"), "--daemon", "-c", join(dir, "sm.yaml")],
    stdout: "ignore",
    stderr: "ignore",
    env: { ...process.env, SM_TEST_PORT: String(port) },
  });
}

async function waitForApi(): Promise<void> {
  for (let i = 0; i < 200; i++) {
    try {
      if ((await fetch(`${apiUrl}/version`)).ok) return;
    } catch {}
    await Bun.sleep(100);
  }
  throw new Error("daemon did not start");
}

function walk(root: string): string[] {
  if (!existsSync(root)) return [];
  return readdirSync(root, { withFileTypes: true, recursive: true })
    .filter((e) => e.isFile())
    .map((e) => relative(root, join(e.parentPath, e.name)))
    .sort();
}

async function sctool(...argv: string[]) {
  let stdout = "";
  let stderr = "";
  const code = await runCli(["--api-url", apiUrl, ...argv], {
    io: {
      stdout: (t) => {
        stdout += t;
      },
      stderr: (t) => {
        stderr += t;
      },
      env: {},
    },
  });
  return { code, stdout, stderr };
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "backup-kill-"));
  bucket = join(dir, "store", "backups");
  mkdirSync(bucket, { recursive: true });
  emu = await startCluster({
    dcs: [3],
    ipPrefix: "127.2.3.",
    dir: join(dir, "emu"),
    schema: testSchemaSpec(),
  });
  // The data dir and the localstorage location share a filesystem, so the agent would move each SSTable by rename
  // (as rclone's local backend does), past the rate limit, and the upload would end before the kill. Behind a
  // wrapping backend the agent streams the bytes instead, through the 1 MiB/s limit.
  agents = await startAgents(emu, {
    authToken: TOKEN,
    config: { localstorage: { path: join(dir, "store") } },
    wrapBackend: new StorageSpy().wrap,
  });
  const port = 20000 + Math.floor(Math.random() * 20000);
  apiUrl = `http://${API}:${port}/api/v1`;
  writeFileSync(
    join(dir, "sm.yaml"),
    `http: ${API}:${port}\nprometheus: ""\ndata_dir: ${join(dir, "sm")}\nlogger:\n  level: error\n`,
  );
  daemon = startDaemon(port);
  await waitForApi();
}, 60_000);

afterAll(async () => {
  daemon?.kill("SIGKILL");
  await daemon?.exited;
  await agents?.close();
  await emu?.close();
  rmSync(dir, { recursive: true, force: true });
});

test("SIGKILL mid-upload, restart: the run resumes and nothing uploaded is uploaded again", async () => {
  expect(
    (await sctool("cluster", "add", "--host", emu.nodes[0]?.ip ?? "", "--auth-token", TOKEN, "--name", "c")).code,
  ).toBe(0);
  // 1 MiB/s per node: ks1 (8.25 MiB per node) takes several seconds to upload.
  const created = await sctool("backup", "-c", "c", "-L", "localstorage:backups", "-K", "ks1", "--rate-limit", "1");
  expect(created.code).toBe(0);
  const id = created.stdout.trim().split("/")[1] ?? "";
  let first: any;
  // Wait for the UPLOAD stage with some SSTables complete in the bucket. The run's `uploaded` counter is no signal:
  // it follows the agent's job stats once per long poll (10 s, as SM), so a table's bytes can show only when its job
  // ends. Up to 120 s: in the full suite on a busy machine the snapshot and indexing stages alone took over 30 s once.
  const uploadedSSTables = () =>
    walk(bucket).filter((f) => f.startsWith("backup/sst/") && !f.includes(".sm-partial-") && !f.endsWith(".tmp"));
  for (let i = 0; i < 1200; i++) {
    first = await (await fetch(`${apiUrl}/cluster/c/task/backup/${id}/latest`)).json();
    if (first?.progress?.stage === "UPLOAD" && uploadedSSTables().length > 0) break;
    if (["DONE", "ERROR", "ABORTED"].includes(first?.run?.status)) break;
    await Bun.sleep(100);
  }
  expect(first.progress.stage).toBe("UPLOAD");
  const before = new Map(
    uploadedSSTables().map((f) => {
      const st = statSync(join(bucket, f));
      return [f, `${st.ino}/${st.mtimeMs}`];
    }),
  );
  expect(before.size).toBeGreaterThan(0);
  // The temp manifest is in the bucket before the SSTables.
  expect(walk(bucket).filter((f) => f.endsWith(".json.gz.tmp")).length).toBe(3);
  daemon?.kill("SIGKILL");
  await daemon?.exited;

  daemon = startDaemon(Number(new URL(apiUrl).port));
  await waitForApi();
  let done: any;
  for (let i = 0; i < 600; i++) {
    done = await (await fetch(`${apiUrl}/cluster/c/task/backup/${id}/latest`)).json();
    if (done?.run?.status === "DONE" || done?.run?.status === "ERROR") break;
    await Bun.sleep(200);
  }
  expect(done.run.status).toBe("DONE");
  expect(done.run.id).not.toBe(first.run.id);
  expect(done.progress.snapshot_tag).toBe(first.progress.snapshot_tag);
  expect(done.progress.uploaded + done.progress.skipped).toBe(done.progress.size);
  for (const [f, id] of before) {
    const st = statSync(join(bucket, f));
    expect(`${f} ${st.ino}/${st.mtimeMs}`).toBe(`${f} ${id}`);
  }
  const files = walk(bucket);
  expect(files.filter((f) => f.startsWith("backup/meta/") && f.endsWith(".json.gz")).length).toBe(3);
  expect(files.filter((f) => f.endsWith(".tmp"))).toEqual([]);
  const tag = done.progress.snapshot_tag as string;
  for (const table of ["small_table", "users"]) {
    const want = snapshotFiles(emu.ledger, tag, "ks1", table)
      .map((c) => `${c.host} ${c.name} ${c.size}`)
      .sort();
    const got = files
      .filter((f) => f.includes(`/keyspace/ks1/table/${table}/`) && !f.includes("_manifest.json"))
      .map((f) => {
        const node = f.split("/")[7] ?? "";
        const host = emu.nodes.find((n) => n.hostId === node)?.ip ?? node;
        return `${host} ${f.split("/").at(-1)} ${statSync(join(bucket, f)).size}`;
      })
      .sort();
    expect(got).toEqual(want);
  }
}, 180_000);
