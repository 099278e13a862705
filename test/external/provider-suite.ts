/**
 * One behavioural suite for every storage backend. `agent/providers/*.test.ts` run it against `data` and
 * `localstorage` in the default `bun test`; `test/external/*.test.ts` run it against real S3, Azure and GCS
 * servers started by `test/external/run.sh`. A target that cannot run prints why and is skipped.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { createHash } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Readable } from "node:stream";
import { createDataBackend } from "../../agent/providers/data.ts";
import type { Backend, ObjectEntry } from "../../agent/providers/provider.ts";
import { BandwidthLimiter, createThrottleStream } from "../../agent/transfer/bwlimit.ts";
import { TransferPool } from "../../agent/transfer/pool.ts";
import { type FileOutcome, syncDir } from "../../agent/transfer/sync.ts";

export interface SuiteTarget {
  backend: Backend;
  /** A fresh writable directory for this run, e.g. `bucket/run-1234`. */
  root: string;
  /** A path inside a bucket that does not exist. */
  missingBucketPath: string;
  /** Writes create missing top-level directories (`data`: keyspace dirs), so only listing is checked there. */
  writesCreateBuckets?: boolean;
  /** A backend with wrong credentials and a path it must be refused, or why that case cannot run here. */
  badCredentials: { backend: Backend; path: string } | { skip: string };
  /** Incomplete multipart uploads left under `root` (object stores that have them). */
  countIncompleteUploads?: () => Promise<number>;
  close(): Promise<void>;
}

const MiB = 1024 * 1024;

/** Registers the suite; `skipReason` (e.g. "minio could not be installed") skips it loudly. */
export function runProviderSuite(name: string, setup: () => Promise<SuiteTarget>, skipReason?: string): void {
  if (skipReason !== undefined) {
    console.warn(`SKIP provider suite ${name}: ${skipReason}`);
    describe.skip(`provider suite: ${name} (skipped: ${skipReason})`, () => {
      test("skipped", () => {});
    });
    return;
  }
  describe(`provider suite: ${name}`, () => {
    let t: SuiteTarget;
    beforeAll(async () => {
      t = await setup();
    });
    afterAll(async () => {
      await t?.backend.purge(t.root).catch(() => {});
      await t?.close();
    });
    const p = (rel: string) => `${t.root}/${rel}`;

    test("upload a tree, list it (recursive, dirs only, files only, one level) and cat it", async () => {
      const files: Record<string, string> = {
        "tree/a.txt": "alpha",
        "tree/sub/b.txt": "bravo!",
        "tree/sub/deeper/c.db": "charlie-charlie",
        "tree/other/d.txt": "",
      };
      for (const [rel, content] of Object.entries(files)) {
        await t.backend.write(p(rel), Readable.from([Buffer.from(content)]), { size: content.length });
      }
      const all = await collect(t.backend.list(p("tree"), { recurse: true }));
      expect(summarize(all)).toEqual([
        "a.txt:5",
        "other/",
        "other/d.txt:0",
        "sub/",
        "sub/b.txt:6",
        "sub/deeper/",
        "sub/deeper/c.db:15",
      ]);
      const dirs = await collect(t.backend.list(p("tree"), { recurse: true, dirsOnly: true }));
      expect(summarize(dirs)).toEqual(["other/", "sub/", "sub/deeper/"]);
      const onlyFiles = await collect(t.backend.list(p("tree"), { recurse: true, filesOnly: true }));
      expect(summarize(onlyFiles)).toEqual(["a.txt:5", "other/d.txt:0", "sub/b.txt:6", "sub/deeper/c.db:15"]);
      const top = await collect(t.backend.list(p("tree")));
      expect(summarize(top)).toEqual(["a.txt:5", "other/", "sub/"]);
      for (const [rel, content] of Object.entries(files)) {
        expect(await readText(t.backend, p(rel))).toBe(content);
      }
      const info = await t.backend.stat(p("tree/sub/b.txt"));
      expect(info?.size).toBe(6);
      expect(info?.isDir).toBe(false);
      expect(await t.backend.stat(p("tree/missing.txt"))).toBeUndefined();
    });

    test("delete paths: deleted files disappear, deleting a missing file is not an error, purge removes a tree", async () => {
      await t.backend.write(p("del/x.txt"), Readable.from([Buffer.from("x")]), { size: 1 });
      await t.backend.write(p("del/y.txt"), Readable.from([Buffer.from("y")]), { size: 1 });
      await t.backend.delete(p("del/x.txt"));
      await t.backend.delete(p("del/never-existed.txt"));
      expect(await t.backend.stat(p("del/x.txt"))).toBeUndefined();
      expect(summarize(await collect(t.backend.list(p("del"), { recurse: true })))).toEqual(["y.txt:1"]);
      await t.backend.purge(p("del"));
      expect(await t.backend.stat(p("del/y.txt"))).toBeUndefined();
      await expect(collect(t.backend.list(p("del")))).rejects.toThrow(/not found/i);
    });

    test("copy keeps the old version under a versioning suffix before an overwrite", async () => {
      await t.backend.write(p("ver/mc-1-big-Data.db"), Readable.from([Buffer.from("old")]), { size: 3 });
      await t.backend.copy(p("ver/mc-1-big-Data.db"), p("ver/mc-1-big-Data.db.sm_20240101000000UTC"));
      await t.backend.write(p("ver/mc-1-big-Data.db"), Readable.from([Buffer.from("newer")]), { size: 5 });
      expect(await readText(t.backend, p("ver/mc-1-big-Data.db"))).toBe("newer");
      expect(await readText(t.backend, p("ver/mc-1-big-Data.db.sm_20240101000000UTC"))).toBe("old");
    });

    test("movedir from a data dir with a versioning suffix keeps the overwritten version", async () => {
      const dataDir = await mkdtemp(join(tmpdir(), "sm-suite-src-"));
      try {
        const src = createDataBackend(dataDir);
        const put = (rel: string, text: string) =>
          src.write(rel, Readable.from([Buffer.from(text)]), { size: text.length });
        const outcomes: FileOutcome[] = [];
        const run = (suffix?: string) =>
          syncDir({
            src,
            srcDir: "snap",
            dst: t.backend,
            dstDir: p("sst"),
            move: true,
            suffix,
            pool: new TransferPool(2),
            onFile: (o) => outcomes.push(o),
          });
        await put("snap/mc-1-big-Data.db", "first data");
        await put("snap/mc-1-big-Index.db", "index");
        await put("snap/sub/mc-2-big-Data.db", "two");
        await run();
        expect(await collect(src.list("snap", { recurse: true, filesOnly: true }))).toEqual([]);
        await put("snap/mc-1-big-Data.db", "second data!");
        await put("snap/mc-1-big-Index.db", "index");
        outcomes.length = 0;
        await run(".sm_20240102000000UTC");
        expect(outcomes.map((o) => `${o.path}:${o.outcome}`).sort()).toEqual([
          "mc-1-big-Data.db:uploaded",
          "mc-1-big-Index.db:skipped",
        ]);
        expect(await readText(t.backend, p("sst/mc-1-big-Data.db"))).toBe("second data!");
        expect(await readText(t.backend, p("sst/mc-1-big-Data.db.sm_20240102000000UTC"))).toBe("first data");
        expect(await t.backend.stat(p("sst/mc-1-big-Index.db.sm_20240102000000UTC"))).toBeUndefined();
        expect(await readText(t.backend, p("sst/sub/mc-2-big-Data.db"))).toBe("two");
        expect(await collect(src.list("snap", { recurse: true, filesOnly: true }))).toEqual([]);
      } finally {
        await rm(dataDir, { recursive: true, force: true });
      }
    });

    test("a file over 100 MiB streamed from a generator round-trips intact (multipart on object stores)", async () => {
      const size = 101 * MiB;
      const source = patternStream(size);
      await t.backend.write(p("big/large.bin"), Readable.from(source.chunks()), { size });
      expect((await t.backend.stat(p("big/large.bin")))?.size).toBe(size);
      const hash = createHash("md5");
      let read = 0;
      for await (const chunk of await t.backend.read(p("big/large.bin"))) {
        hash.update(chunk as Buffer);
        read += (chunk as Buffer).length;
      }
      expect(read).toBe(size);
      expect(hash.digest("hex")).toBe(source.md5());
      await t.backend.delete(p("big/large.bin"));
    }, 120_000);

    test("a source that lies about its size is detected and nothing is visible under the final name", async () => {
      const short = t.backend.write(p("bad/short.bin"), Readable.from([Buffer.alloc(1000, 1)]), { size: 2000 });
      await expect(short).rejects.toThrow(/corrupted transfer/);
      const long = t.backend.write(p("bad/long.bin"), Readable.from([Buffer.alloc(3000, 1)]), { size: 2000 });
      await expect(long).rejects.toThrow(/corrupted transfer/);
      expect(await t.backend.stat(p("bad/short.bin"))).toBeUndefined();
      expect(await t.backend.stat(p("bad/long.bin"))).toBeUndefined();
    });

    test("a source that fails mid-way leaves nothing visible and no incomplete multipart upload", async () => {
      async function* failing(): AsyncGenerator<Buffer> {
        for (let i = 0; i < 60; i++) yield Buffer.alloc(MiB, i);
        throw new Error("disk read error");
      }
      await expect(t.backend.write(p("bad/failing.bin"), Readable.from(failing()))).rejects.toThrow(/disk read error/);
      expect(await t.backend.stat(p("bad/failing.bin"))).toBeUndefined();
      if (t.countIncompleteUploads !== undefined) expect(await t.countIncompleteUploads()).toBe(0);
      // An earlier version stays untouched by a failed overwrite.
      await t.backend.write(p("bad/keep.txt"), Readable.from([Buffer.from("v1")]), { size: 2 });
      await expect(t.backend.write(p("bad/keep.txt"), Readable.from(failing()))).rejects.toThrow(/disk read error/);
      expect(await readText(t.backend, p("bad/keep.txt"))).toBe("v1");
    }, 60_000);

    test("stopping a transfer (job/stop) aborts it and leaves nothing visible", async () => {
      const controller = new AbortController();
      async function* slow(): AsyncGenerator<Buffer> {
        for (let i = 0; i < 200; i++) {
          if (i === 20) controller.abort(new Error("job stopped"));
          yield Buffer.alloc(MiB, i);
          await Bun.sleep(1);
        }
      }
      const write = t.backend.write(p("stop/aborted.bin"), Readable.from(slow()), { signal: controller.signal });
      await expect(write).rejects.toThrow();
      expect(await t.backend.stat(p("stop/aborted.bin"))).toBeUndefined();
      if (t.countIncompleteUploads !== undefined) expect(await t.countIncompleteUploads()).toBe(0);
    }, 60_000);

    test("the shared bandwidth limit holds within 10% across concurrent transfers", async () => {
      const rate = 3 * MiB;
      const limiter = new BandwidthLimiter(rate);
      const each = 4.5 * MiB;
      const started = performance.now();
      await Promise.all(
        [0, 1].map((i) => {
          const body = Readable.from(patternStream(each).chunks()).pipe(createThrottleStream(limiter));
          return t.backend.write(p(`bw/${i}.bin`), body, { size: each });
        }),
      );
      const seconds = (performance.now() - started) / 1000;
      const achieved = (2 * each) / seconds;
      expect(achieved).toBeLessThanOrEqual(rate * 1.1);
      // The lower bound shows the limiter does not over-throttle. A remote test server on this shared machine can be
      // slower than the limit itself (seen with azurite under load), which says nothing about the limiter, so the
      // lower bound is checked where the backend is this process's own disk, and loosely: on a loaded 2-core machine
      // the process itself can be starved of CPU for part of the 3 s (seen in a full run at load 20).
      if (t.backend.isLocal) expect(achieved).toBeGreaterThanOrEqual(rate * 0.75);
    }, 30_000);

    test("a missing bucket is a not-found error", async () => {
      await expect(collect(t.backend.list(t.missingBucketPath))).rejects.toMatchObject({
        name: "NotFoundBackendError",
      });
      expect(await t.backend.stat(`${t.missingBucketPath}/f.txt`)).toBeUndefined();
      if (t.writesCreateBuckets) return;
      const write = t.backend.write(`${t.missingBucketPath}/f.txt`, Readable.from([Buffer.from("x")]), { size: 1 });
      await expect(write).rejects.toMatchObject({ name: "NotFoundBackendError" });
    });

    test("wrong credentials are a permission error", async () => {
      const bad = t.badCredentials;
      if ("skip" in bad) {
        console.warn(`SKIP ${name} wrong-credentials case: ${bad.skip}`);
        return;
      }
      await expect(collect(bad.backend.list(bad.path))).rejects.toMatchObject({ name: "PermissionBackendError" });
      const write = bad.backend.write(`${bad.path}/f.txt`, Readable.from([Buffer.from("x")]), { size: 1 });
      await expect(write).rejects.toMatchObject({ name: "PermissionBackendError" });
    });
  });
}

/** Deterministic bytes with their MD5, generated lazily in 1 MiB chunks (never one big buffer). */
export function patternStream(size: number): { chunks(): AsyncGenerator<Buffer>; md5(): string } {
  const hash = createHash("md5");
  let digest: string | undefined;
  return {
    async *chunks() {
      for (let offset = 0, n = 0; offset < size; offset += MiB, n++) {
        const chunk = Buffer.alloc(Math.min(MiB, size - offset), (n * 7 + 3) % 251);
        hash.update(chunk);
        yield chunk;
      }
      digest = hash.digest("hex");
    },
    md5: () => digest ?? "not generated",
  };
}

export async function collect(entries: AsyncIterable<ObjectEntry>): Promise<ObjectEntry[]> {
  const out: ObjectEntry[] = [];
  for await (const entry of entries) out.push(entry);
  return out;
}

function summarize(entries: ObjectEntry[]): string[] {
  return entries.map((e) => (e.isDir ? `${e.path}/` : `${e.path}:${e.size}`)).sort();
}

export async function readText(backend: Backend, path: string): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of await backend.read(path)) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString();
}
