import { afterEach, beforeEach, describe, expect, test } from "bun:test";
import { mkdtempSync, rmSync, truncateSync, utimesSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Readable } from "node:stream";
import { createDataBackend } from "../providers/data.ts";
import { rangeSource } from "./range-source.ts";

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "range-source-"));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

async function text(stream: Readable): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString();
}

describe("rangeSource over a local file", () => {
  test("ranges read concurrently from one handle, also after the path is replaced", async () => {
    writeFileSync(join(dir, "f"), "0123456789");
    const reader = await createDataBackend(dir).openRanges("f");
    try {
      const source = rangeSource(reader, { label: "data:f" });
      writeFileSync(join(dir, "other"), "xxxxxxxxxx");
      rmSync(join(dir, "f"));
      expect(await Promise.all([text(source.peek(0, 4)), text(source.open(4, 10)), text(source.open(3, 3))])).toEqual([
        "0123",
        "456789",
        "",
      ]);
      expect(source.size).toBe(10);
      await source.checkUnchanged();
    } finally {
      await reader.close();
    }
  });

  test("a file that shrank fails the range; a changed file fails checkUnchanged", async () => {
    writeFileSync(join(dir, "f"), "0123456789");
    const reader = await createDataBackend(dir).openRanges("f");
    try {
      const source = rangeSource(reader, { label: "data:f" });
      truncateSync(join(dir, "f"), 6);
      await expect(text(source.open(0, 10))).rejects.toThrow(/data:f gave 6 bytes where 10 were expected/);
      await expect(source.checkUnchanged()).rejects.toThrow(/data:f changed/);
      writeFileSync(join(dir, "f"), "abcdefghij");
      utimesSync(join(dir, "f"), new Date(), new Date(Date.now() + 5000));
      await expect(source.checkUnchanged()).rejects.toMatchObject({ name: "CorruptedTransferError" });
    } finally {
      await reader.close();
    }
  });

  test("directories and missing files are refused", async () => {
    const data = createDataBackend(dir);
    await expect(data.openRanges("missing")).rejects.toMatchObject({ name: "NotFoundBackendError" });
    await expect(data.openRanges("")).rejects.toThrow(/directory, not a file/);
  });
});
