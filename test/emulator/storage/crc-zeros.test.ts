import { expect, test } from "bun:test";
import { crc32 } from "node:zlib";
import { crc32ExtendZeros } from "./crc-zeros.ts";

test("extending a CRC32 by zero bytes equals zlib's CRC32 of the zero-padded data", () => {
  for (const [head, zeros] of [
    ["", 0],
    ["", 1],
    ["abc", 0],
    ["abc", 1],
    ["abc", 7],
    ["hello world", 1000],
    ["x", 65_536 + 3],
    ["seed", 3 * 1024 * 1024 + 17],
  ] as const) {
    const data = Buffer.concat([Buffer.from(head), Buffer.alloc(zeros)]);
    expect(crc32ExtendZeros(crc32(head), zeros)).toBe(crc32(data));
  }
});
