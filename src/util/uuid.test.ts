import { describe, expect, test } from "bun:test";
import { compareTimeUuid, isUuid, newTimeUuid, timeUuidToMs } from "./uuid.ts";

describe("time UUIDs", () => {
  test("encode their time and sort by it", () => {
    // Now, not a fixed date: ids are strictly increasing per process, and other suites in this `bun test` process
    // may already have made ids at the current time, which would push a past time forward.
    const t = Date.now();
    const a = newTimeUuid(t);
    const b = newTimeUuid(t);
    const c = newTimeUuid(t + 5);
    expect(isUuid(a)).toBe(true);
    expect(a[14]).toBe("1");
    expect(timeUuidToMs(a)).toBe(t);
    expect(timeUuidToMs(c)).toBe(t + 5);
    expect(a).not.toBe(b);
    expect([c, b, a].sort(compareTimeUuid)).toEqual([a, b, c]);
  });
});
