import { afterAll, describe, expect, test } from "bun:test";
import { closeSync, linkSync, mkdtempSync, openSync, rmSync, statSync, utimesSync, writeSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { digestFile, planSeededFile, writePlan, writePlanSync } from "./content.ts";

const dir = mkdtempSync(join(tmpdir(), "emu-content-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Overwrites bytes in place and puts the mtime back, so only the content tells the change. */
function patchKeepingMtime(path: string, offset: number, bytes: Buffer): void {
  const before = statSync(path);
  const fd = openSync(path, "r+");
  writeSync(fd, bytes, 0, bytes.length, offset);
  closeSync(fd);
  utimesSync(path, before.atime, before.mtime);
}

describe("digestFile", () => {
  test("a written file and its hard link digest as planned, sync and async writes alike", async () => {
    const plan = planSeededFile("seed-a", 3 * 1024 * 1024 + 17);
    writePlanSync(join(dir, "a"), plan);
    await writePlan(join(dir, "b"), planSeededFile("seed-b", 100));
    linkSync(join(dir, "a"), join(dir, "a-link"));
    expect(digestFile(join(dir, "a-link"))).toEqual(plan.digest);
    expect(digestFile(join(dir, "b"))).toEqual(planSeededFile("seed-b", 100).digest);
  });

  test("a file changed in place after it was written is read again, not taken from the record", () => {
    const plan = planSeededFile("seed-c", 200 * 1024);
    const path = join(dir, "c");
    writePlanSync(path, plan);
    patchKeepingMtime(path, 10, Buffer.from("changed"));
    const digest = digestFile(path);
    expect(digest.size).toBe(plan.size);
    expect(digest.crc32).not.toBe(plan.digest.crc32);
  });

  test("a file the emulator did not write is read in full", () => {
    const path = join(dir, "d");
    const fd = openSync(path, "w");
    writeSync(fd, Buffer.from("hello"));
    closeSync(fd);
    expect(digestFile(path)).toEqual({ size: 5, crc32: "3610a686" });
  });
});
