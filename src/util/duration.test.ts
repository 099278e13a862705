import { describe, expect, test } from "bun:test";
import { formatDuration, formatGoDuration, parseDuration } from "./duration.ts";

describe("SM durations", () => {
  test.each([
    ["10m", 600_000],
    ["1d2h", 93_600_000],
    ["7d", 604_800_000],
    ["30s", 30_000],
    ["", 0],
    ["0", 0],
  ])("parses %p", (text, ms) => {
    expect(parseDuration(text)).toBe(ms);
  });

  test.each(["10ms", "1.5h", "h", "-1m", "10 m", "1w"])("rejects %p with a hint", (text) => {
    expect(() => parseDuration(text)).toThrow(/invalid duration/);
  });

  test("formats back to the shortest SM form", () => {
    expect(formatDuration(93_600_000)).toBe("1d2h");
    expect(formatDuration(600_000)).toBe("10m");
    expect(formatDuration(0)).toBe("");
    expect(formatDuration(90_061_000)).toBe("1d1h1m1s");
  });

  test("formats like Go's time.Duration", () => {
    expect(formatGoDuration(3_600_000)).toBe("1h0m0s");
    expect(formatGoDuration(121_500)).toBe("2m1s");
    expect(formatGoDuration(0)).toBe("0s");
  });
});
