import { describe, expect, test } from "bun:test";
import { compareTimeUuid, isUuid, newTimeUuid, timeUuidToMs } from "./uuid.ts";

describe("time UUIDs", () => {
  test("encode their time and sort by it", () => {
    const t = Date.UTC(2026, 10, 25, 12, 0, 0);
    const a = newTimeUuid(t);
    const b = newTimeUuid(t);
    const c = newTimeUuid(t + 5_000);
    expect(isUuid(a)).toBe(true);
    expect(a[14]).toBe("1");
    expect(timeUuidToMs(a)).toBe(t);
    expect(timeUuidToMs(c)).toBe(t + 5_000);
    expect(a).not.toBe(b);
    expect([c, b, a].sort(compareTimeUuid)).toEqual([a, b, c]);
  });
});
