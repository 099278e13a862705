/**
 * The set-up and the end checks the native-backup kill tests share: two emulated nodes on Scylla 2025.2 whose
 * object-storage endpoint is a MiniS3, our agents, a daemon on SQLite, and a holdable clock that freezes the
 * nodes' native transfers while a kill is placed. The checks read the outcome where it lands: the emulator's
 * ledger, the object store's call log and the bucket's files.
 */
import { expect } from "bun:test";
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import { decodeManifest } from "../../src/backup/layout/index.ts";
import { createDaemonEnv, type DaemonEnv, type RunningDaemon } from "../e2e/scheduler-daemon.ts";
import { type EmulatedAgents, startAgents } from "../emulator/agents.ts";
import { type EmulatedCluster, startCluster } from "../emulator/index.ts";
import type { NativeTransferEntry } from "../emulator/ledger.ts";
import { digestFile } from "../emulator/storage/content.ts";
import { snapshotFiles } from "../emulator/storage/snapshot-digests.ts";
import { testSchemaSpec } from "../emulator/storage/testing.ts";
import { createHoldableClock, type HoldableClock } from "./holdable-clock.ts";
import { MiniS3 } from "./mini-s3.ts";
import { runSctool } from "./run-sctool.ts";
import { waitFor } from "./wait-for.ts";

export interface NativeBackupRig {
  root: string;
  s3: MiniS3;
  emu: EmulatedCluster;
  agents: EmulatedAgents;
  env: DaemonEnv;
  /** The daemon now running; replace it after a kill with `rig.daemon = await rig.env.start()`. */
  daemon: RunningDaemon;
  /** Held: native transfers started meanwhile wait for the release. */
  gate: HoldableClock;
  sctool(...argv: string[]): ReturnType<typeof runSctool>;
  close(): Promise<void>;
}

/** Starts everything on `<ipPrefix>x` (MiniS3 on .250, the daemon on .200), with `token` as the agents' token. */
export async function startNativeBackupRig(
  ipPrefix: string,
  token: string,
  daemonConfig: Record<string, unknown> = {},
): Promise<NativeBackupRig> {
  const root = mkdtempSync(join(tmpdir(), `${token}-`));
  mkdirSync(join(root, "bucket"));
  const s3 = MiniS3.start(root, `${ipPrefix}250`);
  const gate = createHoldableClock();
  const endpoint = JSON.stringify({ port: s3.port, use_https: false, aws_region: "us-east-1" });
  const emu = await startCluster({
    dcs: [2],
    ipPrefix,
    schema: testSchemaSpec(),
    scyllaVersion: "2025.2.0",
    objectStorageEndpoints: { [s3.host]: endpoint },
    clock: gate.clock,
  });
  const agents = await startAgents(emu, {
    authToken: token,
    config: { s3: { provider: "Minio", endpoint: s3.url, access_key_id: "test", secret_access_key: "test" } },
  });
  const env = createDaemonEnv(`${ipPrefix}200`, {
    backup: { long_polling_timeout_seconds: 1 },
    logger: { level: "info" },
    ...daemonConfig,
  });
  const rig: NativeBackupRig = {
    root,
    s3,
    emu,
    agents,
    env,
    daemon: await env.start(),
    gate,
    sctool: (...argv) => runSctool(rig.daemon.api, argv),
    async close() {
      gate.release();
      await rig.daemon.stop("SIGKILL");
      await agents.close();
      await emu.close();
      s3.close();
      env.cleanup();
      rmSync(root, { recursive: true, force: true });
    },
  };
  return rig;
}

/** The native backup tasks the ledger records after entry `from` (see `emu.ledger.all().length`). */
export function nativeBackupTasks(emu: EmulatedCluster, from: number): NativeTransferEntry[] {
  return emu.ledger
    .all()
    .slice(from)
    .filter((e): e is NativeTransferEntry => e.kind === "native_backup");
}

/** Table dirs with files in the run's progress once it reaches UPLOAD (undefined before). */
export async function dirsToUpload(api: string, taskId: string): Promise<number | undefined> {
  type Progress = { stage?: string; hosts?: Array<{ keyspaces?: Array<{ tables?: Array<{ size: number }> }> }> };
  const body = (await (await fetch(`${api}/cluster/c/task/backup/${taskId}/latest`)).json()) as {
    progress?: Progress;
  };
  if (body.progress?.stage !== "UPLOAD") return undefined;
  return (body.progress.hosts ?? [])
    .flatMap((h) => h.keyspaces ?? [])
    .flatMap((k) => k.tables ?? [])
    .filter((t) => t.size > 0).length;
}

export interface EndedBackupRun {
  run?: { id: string; status: string; cause?: string };
  progress?: { snapshot_tag: string; size: number; uploaded: number; skipped: number };
}

/** Waits for the task's latest run to end (DONE or ERROR) and returns its run and progress. */
export function waitForBackupRunEnd(api: string, taskId: string): Promise<EndedBackupRun> {
  return waitFor(
    async () => {
      const body = (await (await fetch(`${api}/cluster/c/task/backup/${taskId}/latest`)).json()) as EndedBackupRun;
      return ["DONE", "ERROR"].includes(body.run?.status ?? "") ? body : undefined;
    },
    240_000,
    "the resumed run to end",
  );
}

/** Every SSTable object was PUT exactly once (counted at the object store); returns how many there are. */
export function expectEachSstablePutOnce(s3: MiniS3): number {
  const puts = new Map<string, number>();
  for (const c of s3.calls) {
    if (c.method === "PUT" && c.key.startsWith("backup/sst/") && !c.key.includes("manifest.json") && c.status < 300) {
      puts.set(c.key, (puts.get(c.key) ?? 0) + 1);
    }
  }
  expect(puts.size).toBeGreaterThan(0);
  expect([...puts].filter(([, n]) => n !== 1)).toEqual([]);
  return puts.size;
}

/** One manifest per node, each naming exactly the snapshot's files of its node, present with their sizes and CRCs. */
export async function expectManifestsMatchSnapshot(rig: NativeBackupRig, tag: string): Promise<void> {
  const bucket = join(rig.root, "bucket");
  const manifests = walk(bucket).filter((f) => f.startsWith("backup/meta/") && f.endsWith(".json.gz"));
  expect(manifests).toHaveLength(rig.emu.nodes.length);
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
      const want = snapshotFiles(rig.emu.ledger, tag, meta.keyspace, meta.table)
        .filter((c) => c.host === content.ip)
        .map((c) => `${c.name} ${c.size} ${c.digest}`)
        .sort();
      expect(got).toEqual(want);
    }
  }
}

function walk(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((e) => e.isFile())
    .map((e) => relative(dir, join(e.parentPath, e.name)))
    .sort();
}
