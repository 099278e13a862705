import { afterAll, describe, expect, test } from "bun:test";
import { chmodSync, mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { canWriteOrCreate, resolveDataDir, SYSTEM_DATA_DIR } from "./data-dir.ts";

const dir = mkdtempSync(join(tmpdir(), "data-dir-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("resolveDataDir", () => {
  const never = () => false;
  test("env overrides the config", () => {
    expect(resolveDataDir("/from/config", { env: { SCYLLA_MANAGER_DATA_DIR: "/from/env" } })).toBe("/from/env");
  });
  test("config value when no env", () => {
    expect(resolveDataDir("/from/config", { env: {} })).toBe("/from/config");
  });
  test("system dir when writable", () => {
    expect(resolveDataDir("", { env: {}, isWritable: () => true })).toBe(SYSTEM_DATA_DIR);
  });
  test("XDG data home, then ~/.local/share", () => {
    expect(resolveDataDir("", { env: { XDG_DATA_HOME: "/x" }, isWritable: never })).toBe("/x/scylla-manager");
    expect(resolveDataDir("", { env: {}, homeDir: "/home/u", isWritable: never })).toBe(
      "/home/u/.local/share/scylla-manager",
    );
  });
  test("canWriteOrCreate looks at the nearest existing ancestor", () => {
    expect(canWriteOrCreate(join(dir, "a", "b"))).toBe(true);
    if (process.getuid?.() !== 0) {
      const locked = join(dir, "locked");
      mkdirSync(locked);
      chmodSync(locked, 0o500);
      expect(canWriteOrCreate(join(locked, "x"))).toBe(false);
      chmodSync(locked, 0o700);
    }
  });
});
