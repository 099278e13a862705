import { describe, expect, test } from "bun:test";
import { locateInWindow, parseWindow } from "./window.ts";

const at = (iso: string) => Date.parse(iso);
const iso = (ms: number) => new Date(ms).toISOString();

describe("parseWindow", () => {
  test("rejects odd length, begin = end, mixed points, bad weekdays and times", () => {
    expect(() => parseWindow(["Mon-1:00"])).toThrow("even number of points");
    expect(() => parseWindow(["1:00", "1:00"])).toThrow("begin equals end");
    expect(() => parseWindow(["Mon-1:00", "Mon-1:00"])).toThrow("begin equals end");
    expect(() => parseWindow(["Mon-1:00", "2:00"])).toThrow("mixed weekday");
    expect(() => parseWindow(["Monday-1:00", "Monday-2:00"])).toThrow('invalid window point "Monday-1:00"');
    expect(() => parseWindow(["24:00", "2:00"])).toThrow("invalid window point");
    expect(() => parseWindow(["1:60", "2:00"])).toThrow("invalid window point");
  });

  test("weekdays are case-insensitive; empty window is always open", () => {
    expect(parseWindow(["mon-1:00", "MON-2:00"]).slots).toHaveLength(1);
    expect(locateInWindow(parseWindow([]), 0, "")).toEqual({ inside: true, deadline: Number.POSITIVE_INFINITY });
  });
});

describe("locateInWindow", () => {
  // 2026-11-25 is a Wednesday.
  test("daily slot: inside gives the slot end, outside the next begin", () => {
    const w = parseWindow(["1:00", "3:00"]);
    expect(locateInWindow(w, at("2026-11-25T01:30:00Z"), "")).toEqual({
      inside: true,
      deadline: at("2026-11-25T03:00:00Z"),
    });
    const out = locateInWindow(w, at("2026-11-25T04:00:00Z"), "");
    expect(out.inside).toBe(false);
    if (!out.inside) expect(iso(out.nextBegin)).toBe("2026-11-26T01:00:00.000Z");
  });

  test("daily slot wrapping midnight", () => {
    const w = parseWindow(["23:00", "6:00"]);
    const late = locateInWindow(w, at("2026-11-25T23:30:00Z"), "");
    expect(late.inside && iso(late.deadline)).toBe("2026-11-26T06:00:00.000Z");
    const early = locateInWindow(w, at("2026-11-26T02:00:00Z"), "");
    expect(early.inside && iso(early.deadline)).toBe("2026-11-26T06:00:00.000Z");
    const noon = locateInWindow(w, at("2026-11-26T12:00:00Z"), "");
    expect(!noon.inside && iso(noon.nextBegin)).toBe("2026-11-26T23:00:00.000Z");
  });

  test("weekday slots, incl. one wrapping the week end", () => {
    const w = parseWindow(["Sat-22:00", "Mon-2:00", "Wed-10:00", "Wed-11:00"]);
    const wed = locateInWindow(w, at("2026-11-25T10:15:00Z"), "");
    expect(wed.inside && iso(wed.deadline)).toBe("2026-11-25T11:00:00.000Z");
    const thu = locateInWindow(w, at("2026-11-26T10:15:00Z"), "");
    expect(!thu.inside && iso(thu.nextBegin)).toBe("2026-11-28T22:00:00.000Z");
    const sun = locateInWindow(w, at("2026-11-29T12:00:00Z"), "");
    expect(sun.inside && iso(sun.deadline)).toBe("2026-11-30T02:00:00.000Z");
    const sat = locateInWindow(w, at("2026-11-28T23:00:00Z"), "");
    expect(sat.inside && iso(sat.deadline)).toBe("2026-11-30T02:00:00.000Z");
  });

  test("evaluated in the timezone", () => {
    const w = parseWindow(["1:00", "3:00"]);
    // 01:30 in Warsaw (UTC+1 in November) is 00:30Z.
    const pos = locateInWindow(w, at("2026-11-25T00:30:00Z"), "Europe/Warsaw");
    expect(pos.inside && iso(pos.deadline)).toBe("2026-11-25T02:00:00.000Z");
  });
});
