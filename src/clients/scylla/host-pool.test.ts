import { expect, test } from "bun:test";
import { computeBackoffMs, DEFAULT_BACKOFF, INTERACTIVE_BACKOFF } from "./backoff.ts";
import { HostPool } from "./host-pool.ts";

test("SM's backoff: 1 s doubling to a 30 s cap, ±20% jitter; interactive is one 1 s wait", () => {
  const mid = () => 0.5;
  expect([0, 1, 2, 3, 4, 5, 8].map((retry) => computeBackoffMs(DEFAULT_BACKOFF, retry, mid))).toEqual([
    1_000, 2_000, 4_000, 8_000, 16_000, 30_000, 30_000,
  ]);
  expect(computeBackoffMs(DEFAULT_BACKOFF, 0, () => 0)).toBe(800);
  expect(computeBackoffMs(DEFAULT_BACKOFF, 0, () => 0.999999)).toBeCloseTo(1_200, 0);
  expect(computeBackoffMs(INTERACTIVE_BACKOFF, 0)).toBe(1_000);
});

test("the pool tries every host once, failed hosts last until the penalty expires", () => {
  let now = 0;
  const pool = new HostPool(["a", "b", "c"], { failurePenaltyMs: 1_000, now: () => now });
  expect(new Set(pool.order())).toEqual(new Set(["a", "b", "c"]));
  pool.markFailed("a");
  for (let i = 0; i < 3; i++) expect(pool.order().at(-1)).toBe("a");
  now = 2_000;
  const firsts = new Set(Array.from({ length: 3 }, () => pool.order()[0]));
  expect(firsts.has("a")).toBe(true);
});

test("slow hosts go after fast ones", () => {
  const pool = new HostPool(["slow", "fast"]);
  pool.markSuccess("slow", 400);
  pool.markSuccess("fast", 2);
  for (let i = 0; i < 4; i++) expect(pool.order()[0]).toBe("fast");
});
