import { describe, expect, test } from "bun:test";
import { isKnownTimeZone, padTwo, readWallTime } from "./wall-time.ts";

describe("wall time", () => {
  test("reads the wall-clock fields of an instant in a named zone", () => {
    const instant = Date.parse("2024-03-31T00:30:00Z"); // a Sunday; Warsaw moves to CEST at 01:00 UTC
    expect(readWallTime(instant, "UTC")).toEqual({
      year: 2024,
      month: 3,
      day: 31,
      hour: 0,
      minute: 30,
      second: 0,
      weekday: 0,
    });
    expect(readWallTime(new Date(instant), "Europe/Warsaw").hour).toBe(1);
    expect(readWallTime(instant + 3_600_000, "Europe/Warsaw").hour).toBe(3);
    expect(readWallTime(instant, "America/New_York")).toMatchObject({ day: 30, hour: 20, weekday: 6 });
  });

  test("tells known zones from unknown ones", () => {
    expect(isKnownTimeZone("Europe/Warsaw")).toBe(true);
    expect(isKnownTimeZone("Mars/Olympus_Mons")).toBe(false);
  });

  test("pads to two digits", () => {
    expect(padTwo(7)).toBe("07");
    expect(padTwo(12)).toBe("12");
  });
});
