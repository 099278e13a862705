import { afterEach, describe, expect, test } from "bun:test";
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Readable } from "node:stream";
import { createDataBackend } from "../providers/data.ts";
import { toEntries } from "../providers/object-list.ts";
import { type Backend, type ListOptions, NotFoundBackendError, type ObjectEntry } from "../providers/provider.ts";
import { TransferPool } from "./pool.ts";
import { type FileOutcome, syncDir } from "./sync.ts";

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

const md5 = (text: string) => createHash("md5").update(text).digest("hex");

interface Stored {
  body: Buffer;
  /** What the store answers as MD5 (undefined: a multipart upload's ETag, not an MD5). */
  md5: string | undefined;
}

/**
 * An in-memory object store that counts its calls. `complete` says whether its listing carries what `stat` answers
 * (S3: the ETag); `failList` makes every listing fail.
 */
function objectStore(options: { complete: boolean; failList?: boolean }) {
  const objects = new Map<string, Stored>();
  const calls = { list: 0, stat: [] as string[], write: [] as string[], copy: [] as string[] };
  const entry = (path: string, o: Stored): ObjectEntry => ({
    path: path.slice(path.lastIndexOf("/") + 1),
    name: path.slice(path.lastIndexOf("/") + 1),
    size: o.body.length,
    modTime: new Date(0),
    isDir: false,
    md5: o.md5,
  });
  const backend: Backend = {
    provider: "s3",
    isLocal: false,
    async *list(dir: string, opts: ListOptions = {}) {
      calls.list++;
      if (options.failList) throw new Error("listing refused");
      const prefix = `${dir}/`;
      async function* items() {
        for (const [key, o] of objects) {
          if (!key.startsWith(prefix)) continue;
          const rel = key.slice(prefix.length);
          yield {
            kind: "object" as const,
            rel,
            size: o.body.length,
            modTime: new Date(0),
            md5: o.md5,
            complete: options.complete,
          };
        }
      }
      yield* toEntries(items(), opts, `s3:${dir}`);
    },
    async stat(path: string) {
      calls.stat.push(path);
      const o = objects.get(path);
      return o === undefined ? undefined : entry(path, o);
    },
    async read(path: string) {
      const o = objects.get(path);
      if (o === undefined) throw new NotFoundBackendError(path);
      return Readable.from([o.body]);
    },
    async write(path: string, body: Readable) {
      calls.write.push(path);
      const chunks: Buffer[] = [];
      for await (const chunk of body) chunks.push(chunk as Buffer);
      const all = Buffer.concat(chunks);
      objects.set(path, { body: all, md5: createHash("md5").update(all).digest("hex") });
    },
    async delete(path: string) {
      objects.delete(path);
    },
    async copy(src: string, dst: string) {
      calls.copy.push(`${src} -> ${dst}`);
      const o = objects.get(src);
      if (o !== undefined) objects.set(dst, o);
    },
    async purge() {},
  };
  /** `multipart`: stored with an ETag that is not an MD5, so neither a listing nor a HEAD knows the MD5. */
  const put = (path: string, text: string, multipart = false) =>
    objects.set(path, { body: Buffer.from(text), md5: multipart ? undefined : md5(text) });
  return { backend, objects, calls, put };
}

function snapshotDir(files: Record<string, string>) {
  const root = mkdtempSync(join(tmpdir(), "sm-sync-listing-"));
  dirs.push(root);
  mkdirSync(join(root, "ks", "snap"), { recursive: true });
  for (const [name, content] of Object.entries(files)) writeFileSync(join(root, "ks", "snap", name), content);
  return { root, data: createDataBackend(root) };
}

async function move(src: Backend, dst: Backend) {
  const outcomes: FileOutcome[] = [];
  await syncDir({
    src,
    srcDir: "ks/snap",
    dst,
    dstDir: "bucket/sst",
    move: true,
    suffix: ".sm_20260101000000UTC",
    pool: new TransferPool(2),
    onFile: (o) => outcomes.push(o),
  });
  return Object.fromEntries(outcomes.map((o) => [o.path, o.outcome]));
}

describe("movedir to an object store lists the destination once", () => {
  test("an empty destination: every file uploaded, no per-file stat", async () => {
    const { root, data } = snapshotDir({ "a-Data.db": "aaaa", "a-Index.db": "ii", "b-Data.db": "bbbbbb" });
    const store = objectStore({ complete: true });
    expect(await move(data, store.backend)).toEqual({
      "a-Data.db": "uploaded",
      "a-Index.db": "uploaded",
      "b-Data.db": "uploaded",
    });
    expect(store.calls.list).toBe(1);
    expect(store.calls.stat).toEqual([]);
    expect(store.objects.get("bucket/sst/b-Data.db")?.body.toString()).toBe("bbbbbb");
    expect(existsSync(join(root, "ks", "snap", "a-Data.db"))).toBe(false);
  });

  test("skip decisions from the listing are those a stat would make", async () => {
    const { data } = snapshotDir({ same: "1234", changed: "abcd", multipart: "5678", resized: "xy", fresh: "new" });
    const store = objectStore({ complete: true });
    store.put("bucket/sst/same", "1234");
    store.put("bucket/sst/changed", "ABCD"); // same size, other MD5: versioned, then uploaded
    store.put("bucket/sst/multipart", "zzzz", true); // no MD5 known: the size decides, as for a HEAD
    store.put("bucket/sst/resized", "xyz");
    expect(await move(data, store.backend)).toEqual({
      same: "skipped",
      changed: "uploaded",
      multipart: "skipped",
      resized: "uploaded",
      fresh: "uploaded",
    });
    expect(store.calls.stat).toEqual([]);
    expect(store.calls.copy.sort()).toEqual([
      "bucket/sst/changed -> bucket/sst/changed.sm_20260101000000UTC",
      "bucket/sst/resized -> bucket/sst/resized.sm_20260101000000UTC",
    ]);
    expect(store.objects.get("bucket/sst/changed")?.body.toString()).toBe("abcd");
    expect(store.objects.get("bucket/sst/changed.sm_20260101000000UTC")?.body.toString()).toBe("ABCD");
  });

  test("a listing without what stat answers: only the files it names are stat'ed", async () => {
    const { data } = snapshotDir({ same: "1234", changed: "abcd", fresh: "new" });
    const store = objectStore({ complete: false });
    store.put("bucket/sst/same", "1234");
    store.put("bucket/sst/changed", "ABCD");
    expect(await move(data, store.backend)).toEqual({ same: "skipped", changed: "uploaded", fresh: "uploaded" });
    expect(store.calls.stat.sort()).toEqual(["bucket/sst/changed", "bucket/sst/same"]);
  });

  test("a failing listing falls back to a stat per file", async () => {
    const { data } = snapshotDir({ same: "1234", fresh: "new" });
    const store = objectStore({ complete: true, failList: true });
    store.put("bucket/sst/same", "1234");
    expect(await move(data, store.backend)).toEqual({ same: "skipped", fresh: "uploaded" });
    expect(store.calls.stat.sort()).toEqual(["bucket/sst/fresh", "bucket/sst/same"]);
  });
});
