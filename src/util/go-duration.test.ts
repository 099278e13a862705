import { expect, test } from "bun:test";
import { parseGoDuration } from "./go-duration.ts";

test("Go durations: Go's units always, days only when asked (SM's config), garbage rejected", () => {
  expect(parseGoDuration("1h30m")).toBe(5_400_000);
  expect(parseGoDuration("50ms")).toBe(50);
  expect(parseGoDuration("1.5s")).toBe(1500);
  expect(parseGoDuration("1d")).toBeUndefined();
  expect(parseGoDuration("1d", { days: true })).toBe(86_400_000);
  expect(parseGoDuration("10 m")).toBeUndefined();
  expect(parseGoDuration("")).toBeUndefined();
});
