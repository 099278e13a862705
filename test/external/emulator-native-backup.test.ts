import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { randomBytes } from "node:crypto";
import { existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  CreateBucketCommand,
  DeleteBucketCommand,
  DeleteObjectsCommand,
  GetObjectCommand,
  ListObjectsV2Command,
  type S3Client,
} from "@aws-sdk/client-s3";
import { type EmulatedCluster, startCluster } from "../emulator/index.ts";
import type { NativeTransferEntry } from "../emulator/ledger.ts";
import { setNativeBandwidth } from "../emulator/native/tasks.ts";
import { awaitTask, callNode, type TaskStatusBody } from "../emulator/native/testing.ts";
import { digestFile } from "../emulator/storage/content.ts";
import { compareLoadsWithSnapshot } from "../emulator/storage/ledger-checks.ts";
import { snapshotFiles } from "../emulator/storage/snapshot-digests.ts";
import { testSchemaSpec } from "../emulator/storage/testing.ts";
import { s3TierSkipReason, tierS3Client } from "./tier-s3.ts";

// The emulator's native backup/restore against the external tier's real S3 server (MinIO or moto), started by
// test/external/run.sh. Without it the suite is skipped with the reason printed.
const env = process.env;
const s3Url = env.SM_EXT_S3_ENDPOINT;
const skip = s3TierSkipReason;
if (skip !== undefined) console.warn(`SKIP emulator native backup/restore suite: ${skip}`);

const A = "127.0.28.1";
const B = "127.0.28.2";
const C = "127.0.28.3";
const PREFIX = "backup/sst/cluster/x/dc/dc1/node/n1/keyspace/ks1/table/users/v";
let cluster: EmulatedCluster;
let s3: S3Client;
let bucket = "";
let endpointName = "";
const savedEnv = { id: env.AWS_ACCESS_KEY_ID, secret: env.AWS_SECRET_ACCESS_KEY };
let scratch = ""; // made in beforeAll, so a skipped suite leaves no temp dir

/** Objects under a prefix: name (relative to the prefix) → size. */
async function listObjects(prefix: string): Promise<Map<string, number>> {
  const out = new Map<string, number>();
  let token: string | undefined;
  do {
    const page = await s3.send(
      new ListObjectsV2Command({ Bucket: bucket, Prefix: `${prefix}/`, ContinuationToken: token }),
    );
    for (const o of page.Contents ?? []) out.set((o.Key ?? "").slice(prefix.length + 1), o.Size ?? 0);
    token = page.NextContinuationToken;
  } while (token !== undefined);
  return out;
}

/** CRC32 (8 hex digits) of an object, computed the way the emulator digests files. */
async function objectCrc(key: string): Promise<string> {
  const res = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
  const path = join(scratch, "object");
  writeFileSync(path, await (res.Body?.transformToByteArray() ?? Promise.resolve(new Uint8Array())));
  return digestFile(path).crc32;
}

function tableDir(ip: string, ks: string, table: string): string {
  const def = cluster.schema.table(ks, table);
  const node = cluster.nodes.find((n) => n.ip === ip);
  return join(node?.dataDir ?? "", ks, `${table}-${def?.id.replaceAll("-", "")}`);
}

async function status(ip: string, id: string): Promise<TaskStatusBody> {
  return (await callNode(ip, "GET", `/task_manager/task_status/${id}`)).body as TaskStatusBody;
}

/** Polls task_status until `ok` holds (10 s at most). */
async function pollStatus(ip: string, id: string, ok: (s: TaskStatusBody) => boolean): Promise<TaskStatusBody> {
  const deadline = Date.now() + 10_000;
  for (;;) {
    const s = await status(ip, id);
    if (ok(s) || Date.now() > deadline) return s;
    await Bun.sleep(20);
  }
}

function ledgerEntry(id: string): NativeTransferEntry | undefined {
  return cluster.ledger
    .all()
    .find(
      (e): e is NativeTransferEntry => (e.kind === "native_backup" || e.kind === "native_restore") && e.taskId === id,
    );
}

async function snapshot(ip: string, tag: string, ks: string): Promise<void> {
  expect((await callNode(ip, "POST", "/storage_service/snapshots", { tag, kn: ks })).status).toBe(200);
}

async function startBackup(ip: string, ks: string, table: string, tag: string, prefix: string): Promise<string> {
  const res = await callNode(ip, "POST", "/storage_service/backup", {
    endpoint: endpointName,
    bucket,
    prefix,
    keyspace: ks,
    table,
    snapshot: tag,
    move_files: "true",
  });
  expect(res.status).toBe(200);
  return res.body as string;
}

async function startRestore(ip: string, ks: string, table: string, prefix: string, tocs: string[]) {
  const res = await callNode(
    ip,
    "POST",
    "/storage_service/restore",
    { endpoint: endpointName, bucket, prefix, keyspace: ks, table, scope: "all", primary_replica_only: "true" },
    tocs,
  );
  expect(res.status).toBe(200);
  return res.body as string;
}

describe.skipIf(skip !== undefined)("emulator native backup and restore against a real S3 server", () => {
  beforeAll(async () => {
    scratch = mkdtempSync(join(tmpdir(), "sm-native-"));
    // Scylla's S3 client takes its keys from the environment.
    env.AWS_ACCESS_KEY_ID = env.SM_EXT_S3_KEY;
    env.AWS_SECRET_ACCESS_KEY = env.SM_EXT_S3_SECRET;
    const url = new URL(s3Url ?? "");
    endpointName = url.hostname;
    s3 = tierS3Client();
    bucket = `sm-native-${randomBytes(4).toString("hex")}`;
    await s3.send(new CreateBucketCommand({ Bucket: bucket }));
    cluster = await startCluster({
      dcs: "dc1:3",
      ipPrefix: "127.0.28.",
      tokensPerNode: 8,
      timeScale: 0.001,
      schema: testSchemaSpec(),
      cql: false,
      scyllaVersion: "2026.1.0",
      objectStorageEndpoints: {
        [endpointName]: JSON.stringify({
          port: Number(url.port),
          use_https: false,
          aws_region: "us-east-1",
          type: "s3",
        }),
      },
    });
  });

  afterAll(async () => {
    await cluster?.close();
    if (s3 !== undefined) {
      const keys = [...(await listObjects("backup").catch(() => new Map<string, number>())).keys()];
      if (keys.length > 0) {
        await s3.send(
          new DeleteObjectsCommand({ Bucket: bucket, Delete: { Objects: keys.map((k) => ({ Key: `backup/${k}` })) } }),
        );
      }
      await s3.send(new DeleteBucketCommand({ Bucket: bucket })).catch(() => {});
      s3.destroy();
    }
    if (savedEnv.id === undefined) delete env.AWS_ACCESS_KEY_ID;
    else env.AWS_ACCESS_KEY_ID = savedEnv.id;
    if (savedEnv.secret === undefined) delete env.AWS_SECRET_ACCESS_KEY;
    else env.AWS_SECRET_ACCESS_KEY = savedEnv.secret;
    if (scratch !== "") rmSync(scratch, { recursive: true, force: true });
  });

  test("backup uploads the snapshot's SSTables (sizes and CRC32 as snapshotted), restore on another node loads them", async () => {
    await snapshot(A, "sm_native", "ks1");
    const captured = snapshotFiles(cluster.ledger, "sm_native", "ks1", "users").filter((f) => f.host === A);
    expect(captured.length).toBeGreaterThan(8);
    const id = await startBackup(A, "ks1", "users", "sm_native", PREFIX);
    const done = await awaitTask(A, id);
    expect(done).toMatchObject({ id, type: "backup", state: "done", error: "" });
    const totalBytes = captured.reduce((s, f) => s + f.size, 0);
    expect(done.progress_total).toBe(totalBytes);
    expect(done.progress_completed).toBe(totalBytes);

    const objects = await listObjects(PREFIX);
    expect(new Map([...objects].sort())).toEqual(new Map(captured.map((f) => [f.name, f.size] as const).sort()));
    for (const f of captured) expect(await objectCrc(`${PREFIX}/${f.name}`)).toBe(f.digest);
    const entry = ledgerEntry(id);
    expect(entry).toMatchObject({ kind: "native_backup", host: A, outcome: "successful", bucket, prefix: PREFIX });
    expect(entry?.params).toEqual({ snapshot: "sm_native", move_files: "true" });
    expect(entry?.files.map((f) => `${f.name}|${f.size}|${f.digest}`).sort()).toEqual(
      captured.map((f) => `${f.name}|${f.size}|${f.digest}`).sort(),
    );
    // move_files=true: the uploaded snapshot files are gone locally (manifest.json and schema.cql are SM's to upload).
    const snapDir = join(tableDir(A, "ks1", "users"), "snapshots", "sm_native");
    expect(readdirSync(snapDir).filter((n) => n.startsWith("me-"))).toEqual([]);

    const tocs = [...objects.keys()].filter((k) => k.endsWith("TOC.txt"));
    expect(tocs.length).toBeGreaterThan(0);
    const liveBefore = readdirSync(tableDir(B, "ks1", "users")).filter((n) => n.endsWith("-Data.db")).length;
    const rid = await startRestore(B, "ks1", "users", PREFIX, tocs);
    const restored = await awaitTask(B, rid);
    expect(restored).toMatchObject({ type: "download_sstables", state: "done", error: "" });
    expect(restored.progress_completed).toBe(totalBytes);
    const comparison = compareLoadsWithSnapshot(cluster.ledger, "sm_native", "ks1", "users");
    expect(comparison.missing).toEqual([]);
    expect(comparison.unexpected).toEqual([]);
    expect(comparison.loadedFiles).toBe(captured.length);
    const load = cluster.ledger.loads("ks1", "users").find((l) => l.host === B);
    expect(load).toMatchObject({ outcome: "successful", loadAndStream: true, primaryReplicaOnly: true });
    expect(ledgerEntry(rid)).toMatchObject({
      kind: "native_restore",
      host: B,
      outcome: "successful",
      tocs,
      params: { scope: "all", primary_replica_only: "true" },
    });
    expect(readdirSync(join(tableDir(B, "ks1", "users"), "upload"))).toEqual([]);
    const liveAfter = readdirSync(tableDir(B, "ks1", "users")).filter((n) => n.endsWith("-Data.db")).length;
    expect(liveAfter).toBe(liveBefore + tocs.length);
  });

  test("wait_task answers 408 while the upload runs, task_status shows byte progress, then done", async () => {
    // Time scale 0.001: 32 MiB at 22 KiB per modelled second take about 1.5 s.
    setNativeBandwidth(cluster.state, 22_000);
    await snapshot(C, "sm_slow", "ks3");
    const prefix = "backup/sst/slow";
    const id = await startBackup(C, "ks3", "blobs", "sm_slow", prefix);
    const timed = await callNode(C, "GET", `/task_manager/wait_task/${id}`, { timeout: "0.2" });
    expect(timed).toEqual({ status: 408, body: { message: "timedout", code: 408 } });
    const mid = await pollStatus(C, id, (s) => s.progress_completed > 0);
    expect(mid.state).toBe("running");
    expect(mid.progress_completed).toBeLessThan(mid.progress_total);
    const listed = (await callNode(C, "GET", "/task_manager/list_module_tasks/snapshot", { keyspace: "ks3" }))
      .body as Array<{ task_id: string; state: string }>;
    expect(listed).toContainEqual(expect.objectContaining({ task_id: id, state: "running" }));
    let waited = timed;
    while (waited.status === 408) waited = await callNode(C, "GET", `/task_manager/wait_task/${id}`, { timeout: "1" });
    expect(waited.status).toBe(200);
    const final = await status(C, id);
    expect(final.state).toBe("done");
    expect(final.progress_completed).toBe(final.progress_total);
    const objects = await listObjects(prefix);
    expect([...objects.values()].reduce((s, n) => s + n, 0)).toBe(final.progress_total);
    setNativeBandwidth(cluster.state, 128 * 1024 * 1024);
  });

  test("abort_task mid-run fails the backup with part of the files uploaded, and a restore without leftovers", async () => {
    // About 100 ms for the first small component, then minutes for Data.db: abort lands in Data.db.
    setNativeBandwidth(cluster.state, 170);
    await snapshot(A, "sm_abort", "ks2");
    const prefix = "backup/sst/abort";
    const id = await startBackup(A, "ks2", "events", "sm_abort", prefix);
    const mid = await pollStatus(A, id, (s) => s.progress_completed > 0);
    expect(mid.state).toBe("running");
    expect((await callNode(A, "POST", `/task_manager/abort_task/${id}`)).status).toBe(200);
    const aborted = await awaitTask(A, id);
    expect(aborted).toMatchObject({ state: "failed", error: "abort requested" });
    const uploaded = await listObjects(prefix);
    const entry = ledgerEntry(id);
    expect(entry).toMatchObject({ outcome: "failed", error: "abort requested" });
    expect([...uploaded.keys()].sort()).toEqual((entry?.files ?? []).map((f) => f.name).sort());
    const total = snapshotFiles(cluster.ledger, "sm_abort", "ks2", "events").filter((f) => f.host === A).length;
    expect(uploaded.size).toBeGreaterThan(0);
    expect(uploaded.size).toBeLessThan(total);
    // Files not uploaded stay in the snapshot.
    const left = readdirSync(join(tableDir(A, "ks2", "events"), "snapshots", "sm_abort")).filter((n) =>
      n.startsWith("me-"),
    );
    expect(left.length).toBe(total - uploaded.size);

    // A restore aborted mid-download leaves nothing in upload/ and loads nothing.
    const tocs = [...(await listObjects("backup/sst/slow")).keys()].filter((k) => k.endsWith("TOC.txt"));
    // Components come in TOC order (Data.db first): at 16 KB per modelled second each 16 MiB Data.db takes about
    // 1 s, so the abort lands after the first file is written and long before the second SSTable is done.
    setNativeBandwidth(cluster.state, 16_000);
    const rid = await startRestore(B, "ks3", "blobs", "backup/sst/slow", tocs);
    const downloading = await pollStatus(B, rid, (s) => s.progress_completed > 0);
    expect(downloading.state).toBe("running");
    expect((await callNode(B, "POST", `/task_manager/abort_task/${rid}`)).status).toBe(200);
    expect(await awaitTask(B, rid)).toMatchObject({ state: "failed", error: "abort requested" });
    expect(ledgerEntry(rid)?.files.length).toBeGreaterThan(0);
    const upload = join(tableDir(B, "ks3", "blobs"), "upload");
    expect(existsSync(upload) ? readdirSync(upload) : []).toEqual([]);
    expect(cluster.ledger.loads("ks3", "blobs").filter((l) => l.host === B)).toEqual([]);
    setNativeBandwidth(cluster.state, 128 * 1024 * 1024);
  }, 15_000);
});
