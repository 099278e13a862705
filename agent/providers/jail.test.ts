import { afterEach, beforeEach, describe, expect, test } from "bun:test";
import { existsSync } from "node:fs";
import { mkdir, mkdtemp, readdir, rm, symlink, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Readable } from "node:stream";
import { createDataBackend, createLocalstorageBackend } from "./data.ts";

let dir: string;
let root: string;
let outside: string;

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), "sm-jail-"));
  root = join(dir, "data");
  outside = join(dir, "outside");
  await mkdir(join(root, "ks", "tbl"), { recursive: true });
  await mkdir(outside);
  await writeFile(join(outside, "secret"), "top secret");
  await symlink(outside, join(root, "ks", "escape"));
  await symlink(join(outside, "secret"), join(root, "ks", "secret-link"));
  await symlink(join(outside, "nowhere"), join(root, "ks", "dangling"));
});

afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

const body = () => Readable.from([Buffer.from("x")]);

describe("data backend jail", () => {
  const bad = [
    "../outside/secret",
    "ks/../../outside/secret",
    "/etc/passwd",
    "ks/tbl/\0x",
    "ks/escape/secret",
    "ks/secret-link",
  ];

  for (const path of bad) {
    test(`refuses ${JSON.stringify(path)} for read, write, stat, list and delete`, async () => {
      const backend = createDataBackend(root);
      await expect(backend.read(path)).rejects.toMatchObject({ name: "PermissionBackendError" });
      await expect(backend.write(path, body(), { size: 1 })).rejects.toMatchObject({ name: "PermissionBackendError" });
      await expect(backend.stat(path)).rejects.toMatchObject({ name: "PermissionBackendError" });
      await expect(backend.delete(path)).rejects.toMatchObject({ name: "PermissionBackendError" });
      const list = async () => {
        for await (const _ of backend.list(path)) {
        }
      };
      await expect(list()).rejects.toMatchObject({ name: "PermissionBackendError" });
    });
  }

  test("writing through a symlinked directory or a dangling link leaves the outside untouched", async () => {
    const backend = createDataBackend(root);
    await expect(backend.write("ks/escape/new.txt", body(), { size: 1 })).rejects.toThrow(/escapes/);
    await expect(backend.write("ks/dangling/new.txt", body(), { size: 1 })).rejects.toThrow(/dangling symlink/);
    expect((await readdir(outside)).sort()).toEqual(["secret"]);
    expect(existsSync(join(outside, "nowhere"))).toBe(false);
  });

  test("copy and move refuse destinations outside the jail", async () => {
    const backend = createDataBackend(root);
    await backend.write("ks/tbl/f.txt", body(), { size: 1 });
    await expect(backend.copy("ks/tbl/f.txt", "../outside/copied")).rejects.toMatchObject({
      name: "PermissionBackendError",
    });
    await expect(backend.move("ks/tbl/f.txt", "ks/escape/moved")).rejects.toMatchObject({
      name: "PermissionBackendError",
    });
    expect((await readdir(outside)).sort()).toEqual(["secret"]);
  });

  test("listings skip symlinks and in-progress temp files", async () => {
    const backend = createDataBackend(root);
    await writeFile(join(root, "ks", "tbl", ".f.txt.sm-partial-abc"), "partial");
    await writeFile(join(root, "ks", "tbl", "done.txt"), "done");
    const names: string[] = [];
    for await (const entry of backend.list("ks", { recurse: true })) names.push(entry.path);
    expect(names.sort()).toEqual(["tbl", "tbl/done.txt"]);
  });

  test("a missing data dir is not found, not a crash", async () => {
    const backend = createDataBackend(join(dir, "nope"));
    await expect(backend.stat("ks/x")).rejects.toMatchObject({ name: "NotFoundBackendError" });
  });

  test("about reports disk space of the data dir", async () => {
    const info = await createDataBackend(root).about();
    expect(info.total).toBeGreaterThan(0);
    expect(info.free).toBeLessThanOrEqual(info.total);
  });
});

describe("localstorage buckets", () => {
  test("a bucket is a subdirectory: reading a missing one is not found, writing creates it (as SM's agent)", async () => {
    const backend = createLocalstorageBackend(root);
    expect(await backend.stat("nobucket/f.txt")).toBeUndefined();
    await backend.write("nobucket/f.txt", body(), { size: 1 });
    expect(existsSync(join(root, "nobucket", "f.txt"))).toBe(true);
    await backend.write("ks/new/f.txt", body(), { size: 1 });
    expect(existsSync(join(root, "ks", "new", "f.txt"))).toBe(true);
  });
});

describe("local file errors", () => {
  test("reading a directory or writing over one is a 400-style invalid argument", async () => {
    const backend = createDataBackend(root);
    await expect(backend.read("ks/tbl")).rejects.toMatchObject({ name: "InvalidArgumentBackendError" });
    await expect(backend.write("ks/tbl", body(), { size: 1 })).rejects.toMatchObject({
      name: "InvalidArgumentBackendError",
    });
    expect((await readdir(join(root, "ks", "tbl"))).filter((n) => n.includes("partial"))).toEqual([]);
  });
});
