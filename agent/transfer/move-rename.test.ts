import { afterEach, describe, expect, test } from "bun:test";
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createDataBackend, createLocalstorageBackend } from "../providers/data.ts";
import { BandwidthLimiter } from "./bwlimit.ts";
import { TransferPool } from "./pool.ts";
import { copyPaths, syncDir } from "./sync.ts";

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

function tempDir(parent = tmpdir()): string {
  const dir = mkdtempSync(join(parent, "sm-move-rename-"));
  dirs.push(dir);
  return dir;
}

function tree(dir: string, files: Record<string, string>): void {
  for (const [name, content] of Object.entries(files)) {
    mkdirSync(join(dir, name, ".."), { recursive: true });
    writeFileSync(join(dir, name), content);
  }
}

/** data: and localstorage: roots; `dataParent` lets a test put the data dir on another filesystem. */
function backends(dataParent?: string) {
  const data = tempDir(dataParent);
  const storage = tempDir();
  mkdirSync(join(storage, "bucket"));
  return { data, storage, src: createDataBackend(data), dst: createLocalstorageBackend(storage) };
}

const SNAP = "ks/t-1/snapshots/sm_1";

describe("movedir between local backends", () => {
  test("on one filesystem each file is renamed: same inode, source gone, nothing partial left", async () => {
    const b = backends();
    tree(join(b.data, SNAP), { "me-1-big-Data.db": "data-1", "me-1-big-TOC.txt": "toc", "sub/x.db": "x" });
    const inodes = new Map(
      ["me-1-big-Data.db", "me-1-big-TOC.txt", "sub/x.db"].map((f) => [f, statSync(join(b.data, SNAP, f)).ino]),
    );
    const outcomes: string[] = [];
    await syncDir({
      src: b.src,
      srcDir: SNAP,
      dst: b.dst,
      dstDir: "bucket/sst",
      move: true,
      pool: new TransferPool(2),
      onFile: (o) => outcomes.push(`${o.path}:${o.outcome}:${o.size}`),
    });
    for (const [file, ino] of inodes) {
      expect(statSync(join(b.storage, "bucket/sst", file)).ino).toBe(ino);
      expect(existsSync(join(b.data, SNAP, file))).toBe(false);
    }
    expect(readFileSync(join(b.storage, "bucket/sst/me-1-big-Data.db"), "utf8")).toBe("data-1");
    expect(outcomes.sort()).toEqual([
      "me-1-big-Data.db:uploaded:6",
      "me-1-big-TOC.txt:uploaded:3",
      "sub/x.db:uploaded:1",
    ]);
    expect(readdirSync(join(b.storage, "bucket/sst")).sort()).toEqual(["me-1-big-Data.db", "me-1-big-TOC.txt", "sub"]);
  });

  test("the versioning suffix keeps a different old file; an identical one is kept and the source dropped", async () => {
    const b = backends();
    tree(join(b.data, SNAP), { "a-Data.db": "new content", "b-Data.db": "same" });
    tree(join(b.storage, "bucket/sst"), { "a-Data.db": "old", "b-Data.db": "same" });
    const sameIno = statSync(join(b.storage, "bucket/sst/b-Data.db")).ino;
    await syncDir({
      src: b.src,
      srcDir: SNAP,
      dst: b.dst,
      dstDir: "bucket/sst",
      move: true,
      suffix: ".sm_20250101000000UTC",
      pool: new TransferPool(2),
    });
    const dst = join(b.storage, "bucket/sst");
    expect(readFileSync(join(dst, "a-Data.db"), "utf8")).toBe("new content");
    expect(readFileSync(join(dst, "a-Data.db.sm_20250101000000UTC"), "utf8")).toBe("old");
    expect(statSync(join(dst, "b-Data.db")).ino).toBe(sameIno);
    expect(existsSync(join(dst, "b-Data.db.sm_20250101000000UTC"))).toBe(false);
    expect(readdirSync(join(b.data, SNAP))).toEqual([]);
  });

  test("copydir and copypaths still copy (the source keeps its files, new inodes)", async () => {
    const b = backends();
    tree(join(b.data, SNAP), { "a-Data.db": "a" });
    await syncDir({ src: b.src, srcDir: SNAP, dst: b.dst, dstDir: "bucket/sst", pool: new TransferPool(2) });
    await copyPaths({
      src: b.dst,
      srcDir: "bucket/sst",
      dst: b.src,
      dstDir: "ks/t-1/upload",
      paths: ["a-Data.db"],
      pool: new TransferPool(2),
    });
    const original = statSync(join(b.data, SNAP, "a-Data.db")).ino;
    expect(statSync(join(b.storage, "bucket/sst/a-Data.db")).ino).not.toBe(original);
    expect(readFileSync(join(b.data, "ks/t-1/upload/a-Data.db"), "utf8")).toBe("a");
    expect(readFileSync(join(b.data, SNAP, "a-Data.db"), "utf8")).toBe("a");
  });

  // A real second filesystem: /dev/shm is a tmpfs on Linux. Without one the EXDEV path cannot be exercised.
  const shm = "/dev/shm";
  const crossDevice = existsSync(shm) && statSync(shm).dev !== statSync(tmpdir()).dev;
  if (!crossDevice) console.log(`skipping the EXDEV test: ${shm} is missing or on the same filesystem as ${tmpdir()}`);
  test.skipIf(!crossDevice)("across filesystems (EXDEV) the kernel copies, then the source is deleted", async () => {
    const b = backends(shm);
    tree(join(b.data, SNAP), { "a-Data.db": "across", "b-Index.db": "index" });
    tree(join(b.storage, "bucket/sst"), { "a-Data.db": "older" });
    const outcomes: string[] = [];
    await syncDir({
      src: b.src,
      srcDir: SNAP,
      dst: b.dst,
      dstDir: "bucket/sst",
      move: true,
      suffix: ".sm_tag",
      pool: new TransferPool(2),
      onFile: (o) => outcomes.push(`${o.path}:${o.outcome}:${o.streamed ? "streamed" : "kernel"}`),
    });
    expect(outcomes.sort()).toEqual(["a-Data.db:uploaded:kernel", "b-Index.db:uploaded:kernel"]);
    const dst = join(b.storage, "bucket/sst");
    expect(readFileSync(join(dst, "a-Data.db"), "utf8")).toBe("across");
    expect(readFileSync(join(dst, "a-Data.db.sm_tag"), "utf8")).toBe("older");
    expect(readFileSync(join(dst, "b-Index.db"), "utf8")).toBe("index");
    expect(readdirSync(join(b.data, SNAP))).toEqual([]);
    expect(readdirSync(dst).some((name) => name.includes("sm-partial"))).toBe(false);
    expect(await b.dst.moveFrom(b.src, `${SNAP}/missing`, "bucket/x").catch((e: Error) => e.name)).toBe(
      "NotFoundBackendError",
    );
  });

  test.skipIf(!crossDevice)("across filesystems with a rate limit the bytes stream through the limiter", async () => {
    const b = backends(shm);
    tree(join(b.data, SNAP), { "a-Data.db": "limited" });
    const outcomes: string[] = [];
    await syncDir({
      src: b.src,
      srcDir: SNAP,
      dst: b.dst,
      dstDir: "bucket/sst",
      move: true,
      pool: new TransferPool(2),
      limiter: new BandwidthLimiter(100 * 1024 * 1024),
      onFile: (o) => outcomes.push(`${o.path}:${o.outcome}:${o.streamed ? "streamed" : "kernel"}`),
    });
    expect(outcomes).toEqual(["a-Data.db:uploaded:streamed"]);
    expect(readFileSync(join(b.storage, "bucket/sst/a-Data.db"), "utf8")).toBe("limited");
    expect(readdirSync(join(b.data, SNAP))).toEqual([]);
  });
});

describe("LocalBackend.moveFrom", () => {
  test("keeps the jail: a target escaping the root is refused and the source stays", async () => {
    const b = backends();
    tree(b.data, { "f.db": "f" });
    const refused = await b.dst.moveFrom(b.src, "f.db", "bucket/../../escape.db").catch((e: Error) => e.name);
    expect(refused).toBe("PermissionBackendError");
    expect(readFileSync(join(b.data, "f.db"), "utf8")).toBe("f");
  });

  test("a directory is not renamed (undefined: the caller copies file by file)", async () => {
    const b = backends();
    tree(b.data, { "dir/f.db": "f" });
    expect(await b.dst.moveFrom(b.src, "dir", "bucket/dir")).toBeUndefined();
    expect(existsSync(join(b.data, "dir/f.db"))).toBe(true);
  });
});

describe("copypaths between local backends", () => {
  test("kernel copy without a rate limit; a wrapped source is read through its wrapper instead", async () => {
    const b = backends();
    tree(join(b.storage, "bucket/sst"), { "me-1-big-Data.db": "data-1", "me-1-big-TOC.txt": "toc" });
    const copy = (src: typeof b.dst, dstDir: string) =>
      copyPaths({
        src,
        srcDir: "bucket/sst",
        dst: b.src,
        dstDir,
        paths: ["me-1-big-Data.db", "me-1-big-TOC.txt"],
        pool: new TransferPool(2),
      });
    await copy(b.dst, "ks/t-1/upload");
    expect(readFileSync(join(b.data, "ks/t-1/upload/me-1-big-Data.db"), "utf8")).toBe("data-1");
    expect(readFileSync(join(b.data, "ks/t-1/upload/me-1-big-TOC.txt"), "utf8")).toBe("toc");
    // A Proxy (as a test's storage spy wraps backends: calls forwarded to the target) has no private members: its
    // reads must go through it.
    const reads: string[] = [];
    const wrapped = new Proxy(b.dst, {
      get(target, prop, receiver) {
        const value = Reflect.get(target, prop, receiver);
        if (typeof value !== "function" || prop === "copyFrom" || prop === "moveFrom") return value;
        if (prop !== "read") return value.bind(target);
        return (path: string, signal?: AbortSignal) => {
          reads.push(path);
          return value.call(target, path, signal);
        };
      },
    });
    await copy(wrapped, "ks/t-2/upload");
    expect(reads.sort()).toEqual(["bucket/sst/me-1-big-Data.db", "bucket/sst/me-1-big-TOC.txt"]);
    expect(readFileSync(join(b.data, "ks/t-2/upload/me-1-big-Data.db"), "utf8")).toBe("data-1");
  });
});
