/**
 * RETENTION_LOCK planning and stage over an in-memory bucket that keeps each object's retention and answers the
 * agent calls the stage makes (list with retention info, cat, retention-lock jobs, job progress): what gets locked,
 * in which order (schema first, each node's manifest after everything it names), batch sizes, resume, agent
 * restarts and failures.
 */
import { describe, expect, test } from "bun:test";
import type { JobProgress, ListItem, ListOptions } from "../clients/agent/rclone.ts";
import {
  encodeManifest,
  type FilesMeta,
  type Manifest,
  manifestPath,
  parseLocation,
  schemaPath,
  scyllaManifestName,
  snapshotTagTime,
  sstVersionDir,
} from "./layout/index.ts";
import { lockCovers, MAX_LOCK_PATHS, planNodeLocks, retainUntilOf } from "./retention-lock.ts";
import { type LockHost, lockSnapshot, type RetentionLockIo } from "./stage-retention-lock.ts";

const C = "3e99d4a8-67d2-45fe-87fb-87b1b90ea2dc";
const T = "f70117d8-c10e-4e90-9606-2587936b3757";
const TAG = "sm_20260110120000UTC";
const DAYS = 7;
const UNTIL = new Date(snapshotTagTime(TAG).getTime() + DAYS * 86_400_000).toISOString();
const location = parseLocation("gcs:bkt");
const HOSTS: LockHost[] = [
  { ip: "10.0.0.1", hostId: "n1", dc: "dc1", location },
  { ip: "10.0.0.2", hostId: "n2", dc: "dc1", location },
];

interface Obj {
  mode?: string;
  until?: string;
}

interface LockCall {
  host: string;
  dir: string;
  paths: readonly string[];
  mode: string;
  overrideUnlocked: boolean;
}

/** A bucket (bucket-relative paths) and the agent calls over it. */
class FakeBucket implements RetentionLockIo {
  readonly objects = new Map<string, Obj>();
  readonly content = new Map<string, Uint8Array>();
  readonly calls: LockCall[] = [];
  readonly #jobs = new Map<number, JobProgress>();
  #nextJob = 1;
  /** Jobs answered `not_found` once (an agent restart). */
  loseNextJobs = 0;
  /** A path whose lock fails. */
  failOn: string | undefined;

  #rel(path: string): string {
    const prefix = "gcs:bkt/";
    if (!path.startsWith(prefix)) throw new Error(`unexpected path ${path}`);
    return path.slice(prefix.length);
  }

  async list(_host: string, path: string, options: ListOptions = {}): Promise<ListItem[]> {
    const dir = this.#rel(path);
    const out: ListItem[] = [];
    for (const [key, obj] of this.objects) {
      if (!key.startsWith(`${dir}/`) || key.slice(dir.length + 1).includes("/")) continue;
      const name = key.slice(dir.length + 1);
      const item: ListItem = { Path: name, Name: name, Size: 1, IsDir: false, ModTime: "" };
      if (options.showRetentionInfo) {
        item.RetentionMode = obj.mode ?? "";
        if (obj.until) item.RetainUntil = obj.until;
      }
      out.push(item);
    }
    return out;
  }

  async cat(_host: string, path: string): Promise<Uint8Array> {
    const bytes = this.content.get(this.#rel(path));
    if (!bytes) throw new Error(`404 ${path}`);
    return bytes;
  }

  async retentionLockAsync(
    host: string,
    dir: string,
    params: { paths: readonly string[]; mode: string; retainUntil: Date; overrideUnlocked: boolean },
  ): Promise<number> {
    this.calls.push({
      host,
      dir: this.#rel(dir),
      paths: params.paths,
      mode: params.mode,
      overrideUnlocked: params.overrideUnlocked,
    });
    const id = this.#nextJob++;
    if (this.loseNextJobs > 0) {
      this.loseNextJobs--;
      this.#jobs.set(id, {
        status: "not_found",
        started_at: "",
        completed_at: "",
        error: "",
        uploaded: 0,
        skipped: 0,
        failed: 0,
      });
      return id;
    }
    let done = 0;
    let error = "";
    for (const p of params.paths) {
      const key = `${this.#rel(dir)}/${p}`;
      const obj = this.objects.get(key);
      if (!obj || key === this.failOn) {
        error ||= `${key}: not found`;
        continue;
      }
      obj.mode = params.mode;
      obj.until = params.retainUntil.toISOString();
      done++;
    }
    this.#jobs.set(id, {
      status: error ? "error" : "success",
      started_at: "",
      completed_at: "",
      error,
      uploaded: done,
      skipped: 0,
      failed: params.paths.length - done,
    });
    return id;
  }

  async jobProgress(_host: string, jobId: number): Promise<JobProgress> {
    return (
      this.#jobs.get(jobId) ?? {
        status: "not_found",
        started_at: "",
        completed_at: "",
        error: "",
        uploaded: 0,
        skipped: 0,
        failed: 0,
      }
    );
  }

  async jobStop(): Promise<void> {}
}

function index(nodeId: string, files: number): FilesMeta[] {
  return [
    {
      keyspace: "ks",
      table: "big",
      version: "a".repeat(32),
      files: Array.from({ length: files }, (_, i) => `me-${i}-big-Data.db`),
      size: files,
      replication_type: "vnodes",
      scylla_manifests: [scyllaManifestName(TAG, nodeId)],
    },
    {
      keyspace: "ks",
      table: "small",
      version: "b".repeat(32),
      files: ["me-1-big-Data.db", "me-1-big-TOC.txt"],
      size: 2,
      replication_type: "vnodes",
      scylla_manifests: null,
    },
  ];
}

/** A bucket with an uploaded snapshot of both hosts (and an older, unrelated schema file). */
async function bucketWithSnapshot(filesOnN1 = 3): Promise<FakeBucket> {
  const b = new FakeBucket();
  b.objects.set(schemaPath(C, T, TAG), {});
  b.objects.set(schemaPath(C, T, "sm_20260101000000UTC"), {});
  for (const h of HOSTS) {
    const idx = index(h.hostId, h.hostId === "n1" ? filesOnN1 : 2);
    for (const meta of idx) {
      const dir = sstVersionDir(C, h.dc, h.hostId, meta.keyspace, meta.table, meta.version);
      for (const f of [...(meta.files ?? []), ...(meta.scylla_manifests ?? [])]) b.objects.set(`${dir}/${f}`, {});
    }
    const path = manifestPath(C, h.dc, h.hostId, T, TAG);
    b.objects.set(path, {});
    const manifest: Manifest = {
      version: "v2",
      scylla_version: "",
      cluster_name: "c",
      ip: h.ip,
      size: 0,
      tokens: [],
      schema: "",
      rack: "",
      shard_count: 1,
      cpu_count: 1,
      storage_size: 0,
      instance_details: {},
      cluster_id: C,
      node_id: h.hostId,
      dc: h.dc,
      task_id: T,
      snapshot_tag: TAG,
      index: idx,
    };
    b.content.set(path, await encodeManifest(manifest));
  }
  return b;
}

const run = (b: FakeBucket, extra: Partial<Parameters<typeof lockSnapshot>[0]> = {}) =>
  lockSnapshot({
    io: b,
    hosts: HOSTS,
    clusterId: C,
    taskId: T,
    tag: TAG,
    mode: "unlocked",
    retentionDays: DAYS,
    overrideUnlocked: false,
    waitSeconds: 0,
    signal: new AbortController().signal,
    ...extra,
  });

describe("retention lock planning (pure)", () => {
  test("retain-until is the tag time + days x 24 h", () => {
    expect(retainUntilOf(TAG, DAYS).toISOString()).toBe("2026-01-17T12:00:00.000Z");
  });

  test("a lock covers when it lasts as long, in the same mode or locked", () => {
    const until = new Date("2026-02-01T00:00:00Z");
    const lock = (retentionMode: string, retainUntil: string) => ({
      retentionMode,
      retainUntil,
      eventBasedHold: false,
    });
    expect(lockCovers(undefined, "unlocked", until)).toBe(false);
    expect(lockCovers(lock("unlocked", "2026-02-01T00:00:00Z"), "unlocked", until)).toBe(true);
    expect(lockCovers(lock("unlocked", "2026-01-31T00:00:00Z"), "unlocked", until)).toBe(false);
    expect(lockCovers(lock("locked", "2026-03-01T00:00:00Z"), "unlocked", until)).toBe(true);
    expect(lockCovers(lock("unlocked", "2026-03-01T00:00:00Z"), "locked", until)).toBe(false);
    expect(lockCovers(lock("", ""), "unlocked", until)).toBe(false);
  });

  test("SSTables by directory in batches of at most 10,000 paths, the manifest last", () => {
    const idx = index("n1", MAX_LOCK_PATHS + 5);
    const path = manifestPath(C, "dc1", "n1", T, TAG);
    const batches = planNodeLocks(
      { clusterId: C, dc: "dc1", nodeId: "n1" },
      idx,
      path,
      () => undefined,
      "locked",
      new Date(),
    );
    const big = sstVersionDir(C, "dc1", "n1", "ks", "big", "a".repeat(32));
    expect(batches.map((b) => [b.dir, b.paths.length])).toEqual([
      [big, MAX_LOCK_PATHS],
      [big, 6],
      [sstVersionDir(C, "dc1", "n1", "ks", "small", "b".repeat(32)), 2],
      [path.slice(0, path.lastIndexOf("/")), 1],
    ]);
    expect(batches.at(-1)?.paths).toEqual([path.slice(path.lastIndexOf("/") + 1)]);
    expect(new Set(batches.flatMap((b) => b.paths.map((p) => `${b.dir}/${p}`))).size).toBe(
      MAX_LOCK_PATHS + 5 + 1 + 2 + 1,
    );
  });
});

describe("RETENTION_LOCK stage", () => {
  test("locks the schema once, then every file each manifest names, each manifest after its files", async () => {
    const b = await bucketWithSnapshot(MAX_LOCK_PATHS + 1);
    await run(b);
    const old = schemaPath(C, T, "sm_20260101000000UTC");
    for (const [path, obj] of b.objects) {
      if (path === old) expect(obj).toEqual({});
      else expect({ path, ...obj }).toEqual({ path, mode: "unlocked", until: UNTIL });
    }
    expect(b.calls[0]).toMatchObject({
      host: "10.0.0.1",
      dir: `backup/schema/cluster/${C}`,
      paths: [schemaPath(C, T, TAG).split("/").at(-1)],
    });
    expect(b.calls.filter((c) => c.dir.startsWith("backup/schema")).length).toBe(1);
    for (const h of HOSTS) {
      const mine = b.calls.filter((c) => c.host === h.ip && !c.dir.startsWith("backup/schema"));
      expect(mine.at(-1)?.dir).toBe(manifestPath(C, h.dc, h.hostId, T, TAG).replace(/\/[^/]+$/, ""));
      expect(mine.slice(0, -1).every((c) => c.dir.startsWith("backup/sst/"))).toBe(true);
    }
    expect(Math.max(...b.calls.map((c) => c.paths.length))).toBe(MAX_LOCK_PATHS);
    expect(b.calls.every((c) => c.mode === "unlocked" && !c.overrideUnlocked)).toBe(true);
  });

  test("resume: a second run sends nothing; after a partial run only what is left is locked", async () => {
    const b = await bucketWithSnapshot();
    await run(b);
    const first = b.calls.length;
    await run(b);
    expect(b.calls.length).toBe(first);
    const n2Manifest = manifestPath(C, "dc1", "n2", T, TAG);
    const n2File = `${sstVersionDir(C, "dc1", "n2", "ks", "small", "b".repeat(32))}/me-1-big-TOC.txt`;
    b.objects.set(n2Manifest, {});
    b.objects.set(n2File, { mode: "unlocked", until: "2026-01-12T00:00:00.000Z" }); // an older snapshot's shorter lock
    await run(b, { overrideUnlocked: true });
    expect(b.calls.slice(first).map((c) => [c.host, `${c.dir}/${c.paths.join(",")}`, c.overrideUnlocked])).toEqual([
      ["10.0.0.2", n2File, true],
      ["10.0.0.2", n2Manifest, true],
    ]);
    expect(b.objects.get(n2File)).toEqual({ mode: "unlocked", until: UNTIL });
  });

  test("a lost job is sent again; a failed one fails the stage naming host and dir, its manifest stays unlocked", async () => {
    const b = await bucketWithSnapshot();
    b.loseNextJobs = 1;
    await run(b, { hosts: HOSTS.slice(0, 1), mode: "locked" });
    expect(b.calls[0]?.dir).toBe(b.calls[1]?.dir);
    expect(b.objects.get(manifestPath(C, "dc1", "n1", T, TAG))).toEqual({ mode: "locked", until: UNTIL });

    const c = await bucketWithSnapshot();
    const small = sstVersionDir(C, "dc1", "n2", "ks", "small", "b".repeat(32));
    c.failOn = `${small}/me-1-big-Data.db`;
    const locked: number[] = [];
    await expect(run(c, { onLocked: (_h, n) => locked.push(n) })).rejects.toThrow(
      `10.0.0.2: retention lock of gcs:bkt/${small}: ${small}/me-1-big-Data.db: not found`,
    );
    expect(c.objects.get(manifestPath(C, "dc1", "n2", T, TAG))).toEqual({});
    expect(c.objects.get(manifestPath(C, "dc1", "n1", T, TAG))).toEqual({ mode: "unlocked", until: UNTIL });
    expect(locked.reduce((a, n) => a + n, 0)).toBe([...c.objects.values()].filter((o) => o.mode).length);
  });
});
