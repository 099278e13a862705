import { describe, expect, test } from "bun:test";
import { isManagerError } from "../errors.ts";
import { createTrigger, validateCronSpec } from "./trigger.ts";

const at = (iso: string) => Date.parse(iso);
const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());

describe("cron triggers", () => {
  test("five-field spec in UTC", () => {
    const t = createTrigger({ cron: "0 23 * * SAT", startDateMs: null, intervalMs: 0, timezone: "" });
    expect(iso(t.next(at("2026-11-25T00:00:00Z")))).toBe("2026-11-28T23:00:00.000Z");
  });

  test("optional seconds field", () => {
    const t = createTrigger({ cron: "*/10 * * * * *", startDateMs: null, intervalMs: 0, timezone: "UTC" });
    expect(iso(t.next(at("2026-11-25T00:00:03Z")))).toBe("2026-11-25T00:00:10.000Z");
  });

  test("descriptors", () => {
    const next = (spec: string) =>
      iso(
        createTrigger({ cron: spec, startDateMs: null, intervalMs: 0, timezone: "" }).next(at("2026-11-25T10:20:00Z")),
      );
    expect(next("@hourly")).toBe("2026-11-25T11:00:00.000Z");
    expect(next("@daily")).toBe("2026-11-26T00:00:00.000Z");
    expect(next("@midnight")).toBe("2026-11-26T00:00:00.000Z");
    expect(next("@weekly")).toBe("2026-11-29T00:00:00.000Z");
    expect(next("@monthly")).toBe("2026-12-01T00:00:00.000Z");
    expect(next("@yearly")).toBe("2027-01-01T00:00:00.000Z");
    expect(next("@annually")).toBe("2027-01-01T00:00:00.000Z");
  });

  test("@every counts from the given time, truncated to seconds", () => {
    const t = createTrigger({ cron: "@every 15s", startDateMs: null, intervalMs: 0, timezone: "" });
    expect(iso(t.next(at("2026-11-25T10:00:00.700Z")))).toBe("2026-11-25T10:00:15.000Z");
    const t2 = createTrigger({ cron: "@every 1h30m", startDateMs: null, intervalMs: 0, timezone: "" });
    expect(iso(t2.next(at("2026-11-25T10:00:00Z")))).toBe("2026-11-25T11:30:00.000Z");
  });

  test("no activation before start_date", () => {
    const t = createTrigger({
      cron: "0 * * * *",
      startDateMs: at("2026-12-01T05:30:00Z"),
      intervalMs: 0,
      timezone: "",
    });
    expect(iso(t.next(at("2026-11-25T00:00:00Z")))).toBe("2026-12-01T06:00:00.000Z");
    expect(iso(t.next(at("2026-12-02T00:10:00Z")))).toBe("2026-12-02T01:00:00.000Z");
  });

  test("evaluated in the timezone, across a DST change (Europe/Warsaw, 29 Mar 2026)", () => {
    const t = createTrigger({ cron: "0 1 * * *", startDateMs: null, intervalMs: 0, timezone: "Europe/Warsaw" });
    const first = t.next(at("2026-03-28T12:00:00Z"));
    expect(iso(first)).toBe("2026-03-29T00:00:00.000Z"); // 01:00 CET (UTC+1), before the 02:00 switch
    expect(iso(t.next(first ?? 0))).toBe("2026-03-29T23:00:00.000Z"); // 01:00 CEST (UTC+2)
  });

  test("invalid specs and timezones are validation errors", () => {
    for (const spec of ["bad", "* * *", "61 * * * *", "@every", "@every 10x", "@every 0s"]) {
      let caught: unknown;
      try {
        validateCronSpec(spec);
      } catch (error) {
        caught = error;
      }
      expect(isManagerError(caught) && caught.status === 400).toBe(true);
    }
    expect(() =>
      createTrigger({ cron: "* * * * *", startDateMs: null, intervalMs: 0, timezone: "Mars/Olympus" }),
    ).toThrow("unknown time zone Mars/Olympus");
  });
});

describe("legacy interval and one-shot", () => {
  test("start_date + k·interval", () => {
    const start = at("2026-11-25T10:00:00Z");
    const t = createTrigger({ cron: "", startDateMs: start, intervalMs: 3_600_000, timezone: "" });
    expect(iso(t.next(start - 1))).toBe("2026-11-25T10:00:00.000Z");
    expect(iso(t.next(start))).toBe("2026-11-25T11:00:00.000Z");
    expect(iso(t.next(at("2026-11-25T13:30:00Z")))).toBe("2026-11-25T14:00:00.000Z");
  });

  test("interval 0 is a one-shot at start_date", () => {
    const start = at("2026-11-25T10:00:00Z");
    const t = createTrigger({ cron: "", startDateMs: start, intervalMs: 0, timezone: "" });
    expect(t.next(start - 1000)).toBe(start);
    expect(t.next(start)).toBeNull();
  });
});
