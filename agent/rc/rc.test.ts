import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import {
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import { join } from "node:path";
import { startTestAgent, type TestAgent } from "../testing/harness.ts";

let t: TestAgent;
const startedAt = Math.floor(Date.now() / 1000);

beforeAll(async () => {
  t = await startTestAgent("127.0.20.3");
});
afterAll(async () => {
  await t.close();
});

type RcBody = { status: number; message: string; input: Record<string, unknown> | null; path: string };

async function expectRcError(res: Response, status: number, pattern?: RegExp): Promise<RcBody> {
  const body = (await res.json()) as RcBody;
  expect(res.status).toBe(status);
  expect(body.status).toBe(status);
  if (pattern) expect(body.message).toMatch(pattern);
  return body;
}

function tree(dir: string, files: Record<string, string>): void {
  for (const [name, content] of Object.entries(files)) {
    mkdirSync(join(dir, name, ".."), { recursive: true });
    writeFileSync(join(dir, name), content);
  }
}

describe("transport rules", () => {
  test("non-POST is 405", async () => {
    const res = await t.request("/agent/rclone/operations/list", { method: "GET" });
    expect(res.status).toBe(405);
  });

  test("an unexposed call is 404 with SM's body and counts in unexposed_access", async () => {
    for (const call of ["core/stats", "job/status", "config/create", "operations/nonsense"]) {
      const res = await t.rc(call, {});
      expect(res.status).toBe(404);
      expect((await res.text()).trim()).toBe('{"message":"Not found","status":404}');
    }
    const metrics = await (await fetch(`${t.agent.prometheusUrl}/metrics`)).text();
    expect(metrics).toMatch(
      /scylla_manager_agent_unexposed_access\{addr="[^"]+",path="\/agent\/rclone\/core\/stats"\} 1/,
    );
  });

  test("a body over 1 MiB is refused with 400", async () => {
    const body = JSON.stringify({ fs: "data:", remote: "", pad: "x".repeat(1024 * 1024) });
    const res = await t.request("/agent/rclone/operations/list", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body,
    });
    await expectRcError(res, 400, /too large/);
  });

  test("the body is merged over the query and echoed in error bodies", async () => {
    const res = await t.rc("operations/fileinfo", { remote: "missing.txt" }, "?fs=data:&remote=other");
    const body = await expectRcError(res, 404, /not found/);
    expect(body.path).toBe("operations/fileinfo");
    expect(body.input).toMatchObject({ fs: "data:", remote: "missing.txt" });
  });

  test("a missing required param is 400", async () => {
    await expectRcError(await t.rc("operations/list", { remote: "" }), 400, /Didn't find key "fs"/);
  });

  test("an unknown provider is 400", async () => {
    await expectRcError(await t.rc("operations/list", { fs: "ftp:bucket", remote: "" }), 400, /unknown provider/);
  });

  test("a missing bucket is 400", async () => {
    await expectRcError(await t.rc("operations/list", { fs: "localstorage:", remote: "" }), 400, /bucket/);
    await expectRcError(await t.rc("operations/list", { fs: "s3:", remote: "" }), 400, /bucket/);
  });

  test("a missing localstorage bucket is 404", async () => {
    await expectRcError(await t.rc("operations/list", { fs: "localstorage:nope", remote: "" }), 404);
  });
});

describe("path traversal is refused in every path parameter and nothing lands outside the jail", () => {
  const bad = ["../escape", "a/../../escape", "/etc/passwd", "..", "a/..\\..\\escape"];
  const cases: Array<[string, (p: string) => Record<string, unknown>]> = [
    ["operations/list fs", (p) => ({ fs: `data:${p}`, remote: "" })],
    ["operations/list remote", (p) => ({ fs: "data:", remote: p })],
    ["operations/cat remote", (p) => ({ fs: "localstorage:bucket", remote: p })],
    ["operations/copyfile srcRemote", (p) => ({ srcFs: "data:", srcRemote: p, dstFs: "data:", dstRemote: "x" })],
    [
      "operations/copyfile dstFs",
      (p) => ({ srcFs: "data:", srcRemote: "src.txt", dstFs: `localstorage:${p}`, dstRemote: "x" }),
    ],
    ["operations/copyfile dstRemote", (p) => ({ srcFs: "data:", srcRemote: "src.txt", dstFs: "data:", dstRemote: p })],
    [
      "operations/movefile dstRemote",
      (p) => ({ srcFs: "data:", srcRemote: "src.txt", dstFs: "localstorage:bucket", dstRemote: p }),
    ],
    ["operations/deletepaths paths", (p) => ({ fs: "data:", remote: "", paths: [p] })],
    ["operations/deletefile remote", (p) => ({ fs: "data:", remote: p })],
    ["operations/purge remote", (p) => ({ fs: "data:", remote: p })],
    ["sync/copydir srcRemote", (p) => ({ srcFs: "data:", srcRemote: p, dstFs: "localstorage:bucket", dstRemote: "d" })],
    [
      "sync/movedir dstRemote",
      (p) => ({ srcFs: "data:", srcRemote: "dir", dstFs: "localstorage:bucket", dstRemote: p }),
    ],
    [
      "sync/copypaths paths",
      (p) => ({ srcFs: "localstorage:bucket", srcRemote: "", dstFs: "data:", dstRemote: "", paths: [p] }),
    ],
    [
      "sync/copypaths dstRemote",
      (p) => ({ srcFs: "localstorage:bucket", srcRemote: "", dstFs: "data:", dstRemote: p, paths: ["f"] }),
    ],
  ];
  for (const [name, make] of cases) {
    test(name, async () => {
      tree(t.dataDir, { "src.txt": "source", "dir/f": "f" });
      tree(join(t.storageDir, "bucket"), { f: "f" });
      const call = name.split(" ")[0] ?? "";
      for (const p of bad) {
        const res = await t.rc(call, make(p));
        await expectRcError(res, 403, /traversal/);
      }
      // Nothing was written next to the jails.
      expect(readdirSync(t.root).sort()).toEqual(["data", "storage"]);
      expect(existsSync(join(t.dataDir, "src.txt"))).toBe(true);
    });
  }

  test("a symlink out of the data dir is not followed for writes", async () => {
    mkdirSync(join(t.root, "outside"), { recursive: true });
    symlinkSync(join(t.root, "outside"), join(t.dataDir, "link"));
    try {
      const res = await t.rc("operations/copyfile", {
        srcFs: "localstorage:bucket",
        srcRemote: "f",
        dstFs: "data:",
        dstRemote: "link/stolen",
      });
      expect(res.status).toBe(403);
      expect(readdirSync(join(t.root, "outside"))).toEqual([]);
    } finally {
      rmSync(join(t.dataDir, "link"));
      rmSync(join(t.root, "outside"), { recursive: true });
    }
  });
});

describe("operations", () => {
  test('list streams {"list":[...]} with every entry, Paths prefixed with remote, in name order (as rclone)', async () => {
    const files: Record<string, string> = {};
    for (let i = 0; i < 450; i++) files[`ks/t-1/f${String(i).padStart(3, "0")}.db`] = `${i}`;
    tree(t.dataDir, files);
    const res = await t.rc("operations/list", { fs: "data:", remote: "ks/t-1", opt: { recurse: true } });
    expect(res.status).toBe(200);
    const text = await res.text();
    expect(text.startsWith('{"list":[')).toBe(true);
    const list = (
      JSON.parse(text) as { list: Array<{ Path: string; Name: string; Size: number; IsDir: boolean; ModTime: string }> }
    ).list;
    expect(list.length).toBe(450);
    expect(list.find((i) => i.Name === "f007.db")).toMatchObject({ Path: "ks/t-1/f007.db", Size: 1, IsDir: false });
    const names = list.map((i) => i.Name);
    expect(names).toEqual([...names].sort());
  });

  test("list of a missing directory is 404", async () => {
    await expectRcError(await t.rc("operations/list", { fs: "data:", remote: "no/such" }), 404);
  });

  test("newestOnly and versionedOnly filter .sm_<tag> files", async () => {
    tree(join(t.storageDir, "bucket"), { "v/a.db": "1", "v/a.db.sm_20240101000000UTC": "0" });
    const names = async (extra: Record<string, unknown>) => {
      const res = await t.rc("operations/list", { fs: "localstorage:bucket", remote: "v", ...extra });
      return ((await res.json()) as { list: Array<{ Name: string }> }).list.map((i) => i.Name).sort();
    };
    expect(await names({})).toEqual(["a.db", "a.db.sm_20240101000000UTC"]);
    expect(await names({ newestOnly: true })).toEqual(["a.db"]);
    expect(await names({ versionedOnly: true })).toEqual(["a.db.sm_20240101000000UTC"]);
  });

  test("cat reads only backup/meta/, backup/schema/ and *.crc32", async () => {
    tree(join(t.storageDir, "bucket"), {
      "backup/meta/m.json": "meta",
      "backup/sst/x-Data.db": "data",
      "backup/sst/x-Digest.crc32": "123",
    });
    const cat = (remote: string) => t.rc("operations/cat", { fs: "localstorage:bucket", remote });
    const ok = await cat("backup/meta/m.json");
    expect(ok.status).toBe(200);
    expect(ok.headers.get("content-type")).toBe("application/octet-stream");
    expect(await ok.text()).toBe("meta");
    expect(await (await cat("backup/sst/x-Digest.crc32")).text()).toBe("123");
    await expectRcError(await cat("backup/sst/x-Data.db"), 403, /not allowed/);
    // The prefix rule applies to the path below the bucket, wherever fs/remote split it.
    const split = await t.rc("operations/cat", { fs: "localstorage:bucket/backup", remote: "meta/m.json" });
    expect(split.status).toBe(200);
  });

  test("put writes the body, skips an equal-size existing object", async () => {
    const put = (body: string) =>
      t.request("/agent/rclone/operations/put?fs=localstorage:bucket&remote=backup/meta/p.json", {
        method: "POST",
        headers: { "content-type": "application/octet-stream" },
        body,
      });
    expect((await put("hello")).status).toBe(200);
    expect(readFileSync(join(t.storageDir, "bucket/backup/meta/p.json"), "utf8")).toBe("hello");
    expect((await put("world")).status).toBe(200);
    expect(readFileSync(join(t.storageDir, "bucket/backup/meta/p.json"), "utf8")).toBe("hello");
    expect((await put("longer!")).status).toBe(200);
    expect(readFileSync(join(t.storageDir, "bucket/backup/meta/p.json"), "utf8")).toBe("longer!");
  });

  test("fileinfo, copyfile, deletefile, deletepaths", async () => {
    tree(t.dataDir, { "ops/a": "aaa", "ops/b": "b" });
    const info = await (await t.rc("operations/fileinfo", { fs: "data:", remote: "ops/a" })).json();
    expect(info).toMatchObject({ size: 3 });
    expect(
      (
        await t.rc("operations/copyfile", {
          srcFs: "data:",
          srcRemote: "ops/a",
          dstFs: "localstorage:bucket",
          dstRemote: "c/a",
        })
      ).status,
    ).toBe(200);
    expect(readFileSync(join(t.storageDir, "bucket/c/a"), "utf8")).toBe("aaa");
    await expectRcError(await t.rc("operations/deletefile", { fs: "data:", remote: "ops/zzz" }), 404);
    expect((await t.rc("operations/deletefile", { fs: "data:", remote: "ops/b" })).status).toBe(200);
    expect(existsSync(join(t.dataDir, "ops/b"))).toBe(false);
    const del = await t.rc("operations/deletepaths", { fs: "data:", remote: "ops", paths: ["a", "missing"] });
    expect(await del.json()).toEqual({ deletes: 1 });
    await expectRcError(await t.rc("operations/deletepaths", { fs: "data:", remote: "ops", paths: [] }), 400);
  });

  test("movefile: same directory or a local source only", async () => {
    tree(join(t.storageDir, "bucket"), { "m/x.tmp": "manifest", "m/y": "y" });
    expect(
      (
        await t.rc("operations/movefile", {
          srcFs: "localstorage:bucket",
          srcRemote: "m/x.tmp",
          dstFs: "localstorage:bucket",
          dstRemote: "m/x",
        })
      ).status,
    ).toBe(200);
    expect(readFileSync(join(t.storageDir, "bucket/m/x"), "utf8")).toBe("manifest");
    expect(existsSync(join(t.storageDir, "bucket/m/x.tmp"))).toBe(false);
    // localstorage is a local fs too, so a cross-directory move from it is allowed; an object store is not.
    await expectRcError(
      await t.rc("operations/movefile", {
        srcFs: "s3:bucket",
        srcRemote: "m/y",
        dstFs: "s3:bucket",
        dstRemote: "other/y",
      }),
      403,
      /not allowed/,
    );
    tree(t.dataDir, { "snap/manifest.json": "{}" });
    const inode = statSync(join(t.dataDir, "snap/manifest.json")).ino;
    expect(
      (
        await t.rc("operations/movefile", {
          srcFs: "data:",
          srcRemote: "snap/manifest.json",
          dstFs: "localstorage:bucket",
          dstRemote: "sst/m.json",
        })
      ).status,
    ).toBe(200);
    expect(existsSync(join(t.dataDir, "snap/manifest.json"))).toBe(false);
    expect(readFileSync(join(t.storageDir, "bucket/sst/m.json"), "utf8")).toBe("{}");
    // data: and localstorage: share a filesystem here, so the move is a rename (rclone's local backend does the same).
    expect(statSync(join(t.storageDir, "bucket/sst/m.json")).ino).toBe(inode);
  });

  test("movedir/copydir need a local source, copypaths a local destination", async () => {
    await expectRcError(
      await t.rc("sync/movedir", { srcFs: "s3:bucket", srcRemote: "a", dstFs: "localstorage:bucket", dstRemote: "b" }),
      403,
    );
    await expectRcError(
      await t.rc("sync/copydir", { srcFs: "gcs:bucket", srcRemote: "a", dstFs: "data:", dstRemote: "b" }),
      403,
    );
    await expectRcError(
      await t.rc("sync/copypaths", {
        srcFs: "data:",
        srcRemote: "a",
        dstFs: "s3:bucket",
        dstRemote: "b",
        paths: ["x"],
      }),
      403,
    );
  });

  test("about and check-permissions", async () => {
    const about = (await (await t.rc("operations/about", { fs: "data:" })).json()) as Record<string, number>;
    expect(about.total).toBeGreaterThan(0);
    expect(about.free).toBeGreaterThan(0);
    const before = readdirSync(join(t.storageDir, "bucket")).sort();
    expect((await t.rc("operations/check-permissions", { fs: "localstorage:bucket", remote: "" })).status).toBe(200);
    expect(readdirSync(join(t.storageDir, "bucket")).sort()).toEqual(before);
    await expectRcError(
      await t.rc("operations/check-permissions", { fs: "localstorage:bucket", remote: "", retentionMode: "locked" }),
      400,
      /not supported by backend/,
    );
    await expectRcError(
      await t.rc("operations/retention-lock", { fs: "localstorage:bucket", remote: "", paths: ["a"] }),
      400,
      /not supported/,
    );
  });

  test("localstorage as SM's agent: about without a bucket; check-permissions and put create the bucket", async () => {
    const about = (await (await t.rc("operations/about", { fs: "localstorage:" })).json()) as Record<string, number>;
    expect(about.total).toBeGreaterThan(0);
    await expectRcError(
      await t.rc("operations/about", { fs: "localstorage:fresh" }),
      404,
      /about call failed: directory not found/,
    );
    expect((await t.rc("operations/check-permissions", { fs: "localstorage:fresh", remote: "" })).status).toBe(200);
    expect(statSync(join(t.storageDir, "fresh")).isDirectory()).toBe(true);
    expect((await t.rc("operations/about", { fs: "localstorage:fresh" })).status).toBe(200);
    const put = await t.request("/agent/rclone/operations/put?fs=localstorage:other&remote=a/b.txt", {
      method: "POST",
      headers: { "content-type": "application/octet-stream" },
      body: "x",
    });
    expect(put.status).toBe(200);
    expect(readdirSync(join(t.storageDir, "other", "a"))).toEqual(["b.txt"]);
  });
});

describe("async jobs", () => {
  test("movedir with suffix: lifecycle, versioning and stats", async () => {
    const src = "ks/tbl-0123456789abcdef0123456789abcdef/snapshots/sm_20250101000000UTC";
    tree(t.dataDir, {
      [`${src}/me-1-big-Data.db`]: "new-content",
      [`${src}/me-2-big-Data.db`]: "same",
      [`${src}/me-3-big-Data.db`]: "fresh",
    });
    tree(join(t.storageDir, "bucket"), { "up/me-1-big-Data.db": "old-content!", "up/me-2-big-Data.db": "same" });
    const res = await t.rc(
      "sync/movedir",
      {
        srcFs: "data:",
        srcRemote: src,
        dstFs: "localstorage:bucket",
        dstRemote: "up",
        suffix: ".sm_20250101000000UTC",
        transfers: 2,
        bandwidth_rate: "0M",
      },
      "?_async=true",
    );
    expect(res.status).toBe(200);
    const { jobid } = (await res.json()) as { jobid: number };
    expect(Number(res.headers.get("x-rclone-jobid"))).toBe(jobid);
    expect(jobid).toBeGreaterThanOrEqual(startedAt);
    expect(jobid).toBeLessThanOrEqual(Math.floor(Date.now() / 1000) + 100);

    const progress = (await (await t.rc("job/progress", { jobid, wait: 10 })).json()) as Record<string, unknown>;
    expect(progress).toMatchObject({
      status: "success",
      error: "",
      uploaded: "new-content".length + "fresh".length,
      skipped: 4,
      failed: 0,
    });
    expect(progress.completed_at).not.toBe("0001-01-01T00:00:00Z");

    const bucket = join(t.storageDir, "bucket/up");
    expect(readdirSync(bucket).sort()).toEqual([
      "me-1-big-Data.db",
      "me-1-big-Data.db.sm_20250101000000UTC",
      "me-2-big-Data.db",
      "me-3-big-Data.db",
    ]);
    expect(readFileSync(join(bucket, "me-1-big-Data.db.sm_20250101000000UTC"), "utf8")).toBe("old-content!");
    expect(readFileSync(join(bucket, "me-1-big-Data.db"), "utf8")).toBe("new-content");
    // Moved: the snapshot files are gone locally.
    expect(readdirSync(join(t.dataDir, src))).toEqual([]);

    const info = (await (await t.rc("job/info", { jobid })).json()) as {
      job: Record<string, unknown>;
      stats: Record<string, unknown>;
      transferred: Array<Record<string, unknown>>;
    };
    // SM's shape: the job names its stats group; transferred names are relative to the destination directory.
    expect(info.job).toMatchObject({ id: jobid, group: `job/${jobid}`, finished: true, success: true });
    expect(info.transferred.map((f) => f.name).sort()).toEqual([
      "me-1-big-Data.db",
      "me-2-big-Data.db",
      "me-3-big-Data.db",
    ]);
    expect(info.transferred.every((f) => f.group === `job/${jobid}`)).toBe(true);
    expect(Object.keys(info.stats).sort()).toEqual([
      "bytes",
      "checks",
      "deletedDirs",
      "deletes",
      "elapsedTime",
      "errors",
      "fatalError",
      "renames",
      "retryError",
      "speed",
      "transferTime",
      "transfers",
    ]);

    const metrics = await (await fetch(`${t.agent.prometheusUrl}/metrics`)).text();
    expect(metrics).toMatch(/scylla_manager_agent_rclone_files_transferred_total [1-9]/);
    expect(metrics).toMatch(/scylla_manager_agent_rclone_checked_files_total [1-9]/);

    expect((await t.rc("core/stats-delete", { group: `job/${jobid}` })).status).toBe(200);
    const after = (await (await t.rc("job/progress", { jobid })).json()) as Record<string, unknown>;
    expect(after).toMatchObject({ status: "success", uploaded: 0 });
  });

  test("an unknown job id is 404 (SM's not_found), with or without wait", async () => {
    await expectRcError(await t.rc("job/progress", { jobid: 1, wait: 1 }), 404, /job not found/);
    await expectRcError(await t.rc("job/progress", { jobid: 1 }), 404);
    await expectRcError(await t.rc("job/stop", { jobid: 1 }), 404);
  });

  test("job/stop ends a throttled job with an error; no partial file is visible under its final name", async () => {
    const big = Buffer.alloc(2 * 1024 * 1024, 7);
    mkdirSync(join(t.dataDir, "slow"), { recursive: true });
    writeFileSync(join(t.dataDir, "slow/big.db"), big);
    mkdirSync(join(t.storageDir, "bucket/slow"), { recursive: true });
    const res = await t.rc(
      "sync/copydir",
      { srcFs: "data:", srcRemote: "slow", dstFs: "localstorage:bucket", dstRemote: "slow", bandwidth_rate: "512K" },
      "?_async=true",
    );
    const { jobid } = (await res.json()) as { jobid: number };
    const running = (await (await t.rc("job/progress", { jobid, wait: 1 })).json()) as Record<string, unknown>;
    expect(running.status).toBe("running");
    const listing = (await (await t.rc("operations/list", { fs: "localstorage:bucket", remote: "slow" })).json()) as {
      list: unknown[];
    };
    expect(listing.list).toEqual([]);
    expect((await t.rc("job/stop", { jobid })).status).toBe(200);
    const stopped = (await (await t.rc("job/progress", { jobid, wait: 5 })).json()) as Record<string, unknown>;
    expect(stopped.status).toBe("error");
    expect(existsSync(join(t.storageDir, "bucket/slow/big.db"))).toBe(false);
    expect((await (await t.rc("core/bwlimit", { rate: "off" })).json()) as Record<string, unknown>).toMatchObject({
      rate: "off",
    });
  });

  test("core/bwlimit and core/transfers set and report the global knobs", async () => {
    expect(await (await t.rc("core/bwlimit", { rate: "10M" })).json()).toMatchObject({
      rate: "10M",
      bytesPerSecond: 10 * 1024 * 1024,
    });
    expect(await (await t.rc("core/bwlimit", {})).json()).toMatchObject({ rate: "10M" });
    await t.rc("core/bwlimit", { rate: "0" });
    expect(await (await t.rc("core/transfers", { transfers: 5 })).json()).toEqual({ transfers: 5 });
    expect(await (await t.rc("core/transfers", { transfers: -1 })).json()).toEqual({ transfers: 2 });
    await expectRcError(await t.rc("core/transfers", { transfers: 0 }), 400);
  });

  test("copypaths downloads the listed files into data:", async () => {
    tree(join(t.storageDir, "bucket"), { "r/a.db": "A", "r/b.db": "B", "r/c.db": "C" });
    mkdirSync(join(t.dataDir, "ks/t/upload"), { recursive: true });
    const res = await t.rc(
      "sync/copypaths",
      {
        srcFs: "localstorage:bucket",
        srcRemote: "r",
        dstFs: "data:",
        dstRemote: "ks/t/upload",
        paths: ["a.db", "c.db"],
      },
      "?_async=true",
    );
    const { jobid } = (await res.json()) as { jobid: number };
    expect(await (await t.rc("job/progress", { jobid, wait: 10 })).json()).toMatchObject({
      status: "success",
      uploaded: 2,
    });
    expect(readdirSync(join(t.dataDir, "ks/t/upload")).sort()).toEqual(["a.db", "c.db"]);
  });
});
