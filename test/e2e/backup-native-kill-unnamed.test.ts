/**
 * Fault: the daemon is SIGKILLed after Scylla accepted the native upload tasks of a `sctool backup --method native`
 * run and before the run stored their ids (the emulator holds the answers of `POST /storage_service/backup`: the
 * tasks run, the daemon never hears of them). Started again on the same SQLite store, the resumed run finds those
 * tasks through the task manager's listing (module `snapshot`, no row names them), waits for them, and starts no
 * second upload of their dirs. In the end every table dir was uploaded by exactly one Scylla task (the emulator's
 * ledger), each SSTable was written to the object store once, and the manifests name exactly the snapshot's files.
 * Every step waits for observable state (held answers, ledger entries, the daemon's log); the tasks' transfers are
 * held (holdable clock) until the resumed run waits for them, so they are still running when it looks. 127.2.13.x.
 */
import { afterAll, beforeAll, expect, test } from "bun:test";
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import { decodeManifest } from "../../src/backup/layout/index.ts";
import { createDaemonEnv, type DaemonEnv, type RunningDaemon } from "../e2e/scheduler-daemon.ts";
import { type EmulatedAgents, startAgents } from "../emulator/agents.ts";
import type { HeldAnswers } from "../emulator/faults/faults.ts";
import { type EmulatedCluster, startCluster } from "../emulator/index.ts";
import type { NativeTransferEntry } from "../emulator/ledger.ts";
import { digestFile } from "../emulator/storage/content.ts";
import { snapshotFiles } from "../emulator/storage/snapshot-digests.ts";
import { testSchemaSpec } from "../emulator/storage/testing.ts";
import { createHoldableClock } from "../support/holdable-clock.ts";
import { MiniS3 } from "../support/mini-s3.ts";
import { runSctool } from "../support/run-sctool.ts";
import { waitFor } from "../support/wait-for.ts";

const TOKEN = "backup-native-kill-unnamed";
let root: string;
let s3: MiniS3;
let emu: EmulatedCluster;
let agents: EmulatedAgents;
let env: DaemonEnv;
let daemon: RunningDaemon | undefined;
let held: HeldAnswers | undefined;

/** Held while the kill is placed: modelled waits (native transfers) started meanwhile wait for the release. */
const gate = createHoldableClock();

beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), "backup-native-kill-unnamed-"));
  mkdirSync(join(root, "bucket"));
  s3 = MiniS3.start(root, "127.2.13.250");
  const endpoint = JSON.stringify({ port: s3.port, use_https: false, aws_region: "us-east-1" });
  emu = await startCluster({
    dcs: [2],
    ipPrefix: "127.2.13.",
    schema: testSchemaSpec(),
    scyllaVersion: "2025.2.0",
    objectStorageEndpoints: { [s3.host]: endpoint },
    clock: gate.clock,
  });
  agents = await startAgents(emu, {
    authToken: TOKEN,
    config: { s3: { provider: "Minio", endpoint: s3.url, access_key_id: "test", secret_access_key: "test" } },
  });
  env = createDaemonEnv("127.2.13.200", {
    backup: { long_polling_timeout_seconds: 1 },
    // The held `POST /storage_service/backup` calls must not time out before the kill, however loaded the machine.
    agent_client: { timeout: "10m" },
    logger: { level: "info" },
  });
  daemon = await env.start();
}, 120_000);

afterAll(async () => {
  held?.release();
  gate.release();
  await daemon?.stop("SIGKILL");
  await agents?.close();
  await emu?.close();
  s3?.close();
  env?.cleanup();
  if (root) rmSync(root, { recursive: true, force: true });
});

function walk(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((e) => e.isFile())
    .map((e) => relative(dir, join(e.parentPath, e.name)))
    .sort();
}

test("SIGKILL after Scylla accepted native upload tasks, before their ids were stored: they are waited for, not repeated", async () => {
  const sctool = (...argv: string[]) => runSctool((daemon as RunningDaemon).api, argv);
  expect(
    (await sctool("cluster", "add", "--host", emu.nodes[0]?.ip ?? "", "--auth-token", TOKEN, "--name", "c")).code,
  ).toBe(0);
  const ledgerAt = emu.ledger.all().length;
  const native = () =>
    emu.ledger
      .all()
      .slice(ledgerAt)
      .filter((e): e is NativeTransferEntry => e.kind === "native_backup");
  // Every native task of the run starts and waits before its first file; its id never reaches the daemon.
  gate.hold();
  held = emu.faults.holdAnswers(undefined, "/storage_service/backup", { method: "POST" });
  const created = await sctool("backup", "-c", "c", "-L", "s3:bucket", "-K", "ks1,ks3", "--method", "native");
  expect(created.code).toBe(0);
  const taskId = created.stdout.trim().split("/")[1] ?? "";
  const api0 = (daemon as RunningDaemon).api;
  type Progress = { stage?: string; hosts?: Array<{ keyspaces?: Array<{ tables?: Array<{ size: number }> }> }> };
  const dirsToUpload = async () => {
    const body = (await (await fetch(`${api0}/cluster/c/task/backup/${taskId}/latest`)).json()) as {
      progress?: Progress;
    };
    if (body.progress?.stage !== "UPLOAD") return undefined;
    return (body.progress.hosts ?? [])
      .flatMap((h) => h.keyspaces ?? [])
      .flatMap((k) => k.tables ?? [])
      .filter((t) => t.size > 0).length;
  };
  // Kill once Scylla accepted a task for every table dir with files (the bucket is empty: nothing was deduplicated)
  // and every answer is still held.
  await waitFor(
    async () => {
      const running = native();
      if (running.length === 0 || held?.served !== running.length) return undefined;
      return running.length === (await dirsToUpload()) ? true : undefined;
    },
    150_000,
    "native upload tasks accepted by Scylla, their answers held",
  );
  const before = native();
  expect(before.every((e) => e.outcome === "running" && e.files.length === 0)).toBe(true);
  // The run never heard of them (it logs a task once its id is stored).
  const stderr0 = (daemon as RunningDaemon).stderr();
  expect(before.filter((e) => stderr0.includes(e.taskId))).toEqual([]);
  daemon?.child.kill("SIGKILL");
  await daemon?.exited;
  held.release();

  daemon = await env.start();
  const restarted = daemon;
  // The tasks' transfers stay held until the resumed run waits for each of them: they are running when it looks.
  await waitFor(
    () => {
      const log = restarted.stderr();
      return before.every((e) => log.includes(e.taskId)) ? true : undefined;
    },
    150_000,
    "the resumed run to wait for every unnamed task",
  );
  expect(restarted.stderr()).toContain("waiting for a native upload task no progress row names");
  gate.release();
  const api = restarted.api;
  const latest = await waitFor(
    async () => {
      const res = await fetch(`${api}/cluster/c/task/backup/${taskId}/latest`);
      const body = (await res.json()) as {
        run?: { id: string; status: string; cause?: string };
        progress?: { snapshot_tag: string; size: number; uploaded: number; skipped: number };
      };
      return ["DONE", "ERROR"].includes(body.run?.status ?? "") ? body : undefined;
    },
    240_000,
    "the resumed run to end",
  );
  expect(latest.run?.cause ?? "").toBe("");
  expect(latest.run?.status).toBe("DONE");
  // No dir was handed to Scylla again: the only tasks are the ones accepted before the kill, all successful, one per
  // table dir.
  const after = native();
  expect(after.map((e) => e.taskId).sort()).toEqual(before.map((e) => e.taskId).sort());
  expect(after.every((e) => e.outcome === "successful")).toBe(true);
  expect(new Set(after.map((e) => `${e.host} ${e.keyspace}.${e.table}`)).size).toBe(after.length);
  // Counted at the object store: every SSTable object was written once.
  const puts = new Map<string, number>();
  for (const c of s3.calls) {
    if (c.method === "PUT" && c.key.startsWith("backup/sst/") && !c.key.includes("manifest.json") && c.status < 300) {
      puts.set(c.key, (puts.get(c.key) ?? 0) + 1);
    }
  }
  expect(puts.size).toBeGreaterThan(0);
  expect([...puts].filter(([, n]) => n !== 1)).toEqual([]);
  expect(puts.size).toBe(after.reduce((n, e) => n + e.files.length, 0));
  const progress = latest.progress;
  expect(progress && progress.uploaded + progress.skipped).toBe(progress?.size);
  // The manifests name exactly the snapshot's files, present with their sizes and CRCs.
  const tag = progress?.snapshot_tag ?? "";
  const bucket = join(root, "bucket");
  const manifests = walk(bucket).filter((f) => f.startsWith("backup/meta/") && f.endsWith(".json.gz"));
  expect(manifests).toHaveLength(2);
  for (const m of manifests) {
    const content = await decodeManifest(readFileSync(join(bucket, m)));
    for (const meta of content.index ?? []) {
      if (meta.keyspace === "system_schema") continue;
      const sstDir = `backup/sst/cluster/${content.cluster_id}/dc/${content.dc}/node/${content.node_id}/keyspace/${meta.keyspace}/table/${meta.table}/${meta.version}`;
      const got = (meta.files ?? [])
        .map((name) => {
          const d = digestFile(join(bucket, sstDir, name));
          return `${name} ${d.size} ${d.crc32}`;
        })
        .sort();
      const want = snapshotFiles(emu.ledger, tag, meta.keyspace, meta.table)
        .filter((c) => c.host === content.ip)
        .map((c) => `${c.name} ${c.size} ${c.digest}`)
        .sort();
      expect(got).toEqual(want);
    }
  }
  const shown = await sctool("progress", "-c", "c", `backup/${taskId}`);
  expect(shown.code).toBe(0);
  expect(shown.stdout).toContain("Status:\t\tDONE");
}, 420_000);
