import { describe, expect, test } from "bun:test";
import { EtaTracker, estimateEta, formatEta } from "./eta.ts";

describe("estimateEta", () => {
  test("extrapolates the mean rate since the start", () => {
    expect(estimateEta({ startedAtMs: 0, nowMs: 10_000, done: 25, total: 100 })).toBe(30);
  });
  test("is undefined before any work is done and 0 when all is done", () => {
    expect(estimateEta({ startedAtMs: 0, nowMs: 10_000, done: 0, total: 100 })).toBeUndefined();
    expect(estimateEta({ startedAtMs: 0, nowMs: 10_000, done: 100, total: 100 })).toBe(0);
    expect(estimateEta({ startedAtMs: 0, nowMs: 10_000, done: 0, total: 0 })).toBe(0);
  });
});

describe("EtaTracker", () => {
  test("smooths the rate between samples", () => {
    const eta = new EtaTracker({ smoothing: 0.5 });
    expect(eta.update(0, 1000, 0)).toBeUndefined();
    expect(eta.update(100, 1000, 1000)).toBe(9); // 100/s, 900 left
    // a burst of 300/s only half-counts: rate 200/s, 600 left
    expect(eta.update(400, 1000, 2000)).toBe(3);
    expect(eta.update(1000, 1000, 2500)).toBe(0);
  });
});

describe("formatEta", () => {
  test("renders SM durations", () => {
    expect(formatEta(undefined)).toBe("unknown");
    expect(formatEta(0)).toBe("0s");
    expect(formatEta(3725)).toBe("1h2m5s");
  });
});
