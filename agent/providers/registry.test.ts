import { describe, expect, test } from "bun:test";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseSize } from "./config.ts";
import { backendPath, createBackends, parseRemote, resolveBackend } from "./registry.ts";

describe("parseRemote", () => {
  test.each([
    ["s3:bucket/path/x", { provider: "s3", bucket: "bucket", path: "path/x" }],
    ["s3:my-bucket.v2", { provider: "s3", bucket: "my-bucket.v2", path: "" }],
    ["gcs:b//a/./c/", { provider: "gcs", bucket: "b", path: "a/c" }],
    ["data:", { provider: "data", bucket: "", path: "" }],
    ["data:Ks_1/tbl-abc/snapshots", { provider: "data", bucket: "", path: "Ks_1/tbl-abc/snapshots" }],
  ])("%s", (remote, expected) => {
    expect(parseRemote(remote)).toEqual(expected);
  });

  test.each([
    ["bucket", /expected <provider>:<bucket>/],
    ["S3:bucket", /provider must match/],
    ["s3:Bucket/x", /DNS compliant/],
    ["s3:my_bucket", /DNS compliant/],
    ["s3:b/../x", /".." is not allowed/],
    ["data:/etc", /absolute/],
    ["data:a\0b", /NUL/],
  ])("rejects %s", (remote, message) => {
    expect(() => parseRemote(remote)).toThrow(message);
  });

  test("backendPath joins the rc remote param and refuses traversal", () => {
    expect(backendPath(parseRemote("s3:b/backup"), "meta/x")).toBe("b/backup/meta/x");
    expect(() => backendPath(parseRemote("s3:b"), "../c")).toThrow(/invalid remote path/);
  });
});

describe("createBackends", () => {
  test("registers data, s3, gcs, azure always and localstorage only with a path", async () => {
    const dir = await mkdtemp(join(tmpdir(), "sm-registry-"));
    try {
      const without = createBackends({}, { dataDir: dir });
      expect([...without.keys()].sort()).toEqual(["azure", "data", "gcs", "s3"]);
      const withLocal = createBackends({ localstorage: { path: dir } }, { dataDir: dir });
      expect(withLocal.get("localstorage")?.isLocal).toBe(true);
      expect(withLocal.get("data")?.isLocal).toBe(true);
      expect(withLocal.get("s3")?.isLocal).toBe(false);
      expect(() => resolveBackend(without, parseRemote("ftp:bucket"))).toThrow(/unknown provider "ftp"/);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  test("an s3 endpoint without a provider is refused with a hint", async () => {
    const backends = createBackends({ s3: { endpoint: "http://127.0.0.1:1" } }, { dataDir: "/nonexistent" });
    await expect(backends.get("s3")!.stat("b/k")).rejects.toThrow(/endpoint requires a provider/);
  });
});

test("azure without an account explains that managed identity is not supported", async () => {
  const backends = createBackends({ azure: {} }, { dataDir: "/nonexistent" });
  await expect(backends.get("azure")!.stat("c/k")).rejects.toMatchObject({
    name: "InvalidArgumentBackendError",
    message: expect.stringMatching(/set azure.account/),
  });
});

test("parseSize reads rclone sizes", () => {
  expect(parseSize("50M")).toBe(50 * 1024 * 1024);
  expect(parseSize("5Mi")).toBe(5 * 1024 * 1024);
  expect(parseSize("10")).toBe(10 * 1024);
  expect(parseSize(123)).toBe(123);
  expect(() => parseSize("fifty")).toThrow(/invalid size/);
});
