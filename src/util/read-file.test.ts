import { afterAll, describe, expect, test } from "bun:test";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describeReadError, readTextFile } from "./read-file.ts";

const dir = mkdtempSync(join(tmpdir(), "read-file-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function fail(reason: string): never {
  throw new Error(`failed: ${reason}`);
}

describe("readTextFile", () => {
  test("reads an existing file", () => {
    const file = join(dir, "a.txt");
    writeFileSync(file, "hello");
    expect(readTextFile(file, fail)).toBe("hello");
  });

  test("a missing file is undefined only when optional", () => {
    const missing = join(dir, "missing.txt");
    expect(readTextFile(missing, fail, true)).toBeUndefined();
    expect(() => readTextFile(missing, fail)).toThrow("failed: no such file");
  });

  test("a directory is described, even when optional", () => {
    expect(() => readTextFile(dir, fail, true)).toThrow("failed: is a directory, not a file");
  });

  test("describes unknown errors by their message", () => {
    expect(describeReadError(new Error("boom"))).toBe("boom");
    expect(describeReadError("odd")).toBe("odd");
  });
});
