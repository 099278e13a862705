import { describe, expect, test } from "bun:test";
import { makeTask } from "../manager/testing.ts";
import { planAfterRun, planTriggerActivation } from "./plan.ts";
import { computeRetryDelay } from "./retry.ts";

const MIN = 60_000;
const at = (iso: string) => Date.parse(iso);

describe("retry backoff", () => {
  test("doubles from retry_wait and is capped at 3h; 0 means the 10m default", () => {
    expect([1, 2, 3, 4, 5, 6].map((n) => computeRetryDelay(n, 10 * MIN) / MIN)).toEqual([10, 20, 40, 80, 160, 180]);
    expect(computeRetryDelay(1, 0)).toBe(10 * MIN);
  });
});

describe("planAfterRun", () => {
  const task = makeTask("repair", { schedule: { ...makeTask("x").schedule, numRetries: 2, retryWaitSeconds: 60 } });
  const activation = { at: 0, initial: 0, retry: 0 };
  const now = at("2026-11-25T10:00:00Z");

  test("ERROR retries while retries are left, then falls back to the trigger", () => {
    expect(planAfterRun(task, activation, { p: 1 }, "ERROR", true, now)).toEqual({
      at: now + MIN,
      initial: 0,
      retry: 1,
      properties: { p: 1 },
    });
    expect(planAfterRun(task, { ...activation, retry: 2 }, {}, "ERROR", true, now)).toBe("trigger");
    expect(planAfterRun(task, activation, {}, "ERROR", false, now)).toBe("trigger");
  });

  test("DONE and STOPPED go back to the trigger", () => {
    expect(planAfterRun(task, activation, {}, "DONE", true, now)).toBe("trigger");
    expect(planAfterRun(task, activation, {}, "STOPPED", true, now)).toBe("trigger");
  });

  test("WAITING continues at the next window begin with the same retry", () => {
    const windowed = { ...task, schedule: { ...task.schedule, window: ["9:00", "10:00"] } };
    expect(planAfterRun(windowed, { ...activation, retry: 1 }, { p: 2 }, "WAITING", true, now)).toEqual({
      at: at("2026-11-26T09:00:00Z"),
      initial: 0,
      retry: 1,
      properties: { p: 2 },
    });
  });
});

describe("planTriggerActivation", () => {
  const now = at("2026-11-25T10:00:00Z");
  test("a missed activation becomes an immediate catch-up", () => {
    const task = makeTask("repair", { cron: "0 * * * *" });
    expect(planTriggerActivation(task, at("2026-11-25T07:30:00Z"), now, false)).toEqual({
      at: now,
      initial: now,
      retry: 0,
    });
  });
  test("a never-run one-shot with a past start date runs now; after a run it has no activation", () => {
    const task = makeTask("repair", { schedule: { ...makeTask("x").schedule, startDate: "2026-11-25T09:00:00.000Z" } });
    expect(planTriggerActivation(task, now, now, true)?.at).toBe(now);
    expect(planTriggerActivation({ ...task, status: "DONE", successCount: 1 }, now, now, true)).toBeNull();
  });
});

test("a trigger activation outside the window is moved to the next slot begin", () => {
  const now = Date.parse("2026-11-25T10:00:00Z");
  const task = makeTask("repair", {
    schedule: { ...makeTask("x").schedule, cron: "0 12 * * *", window: ["Sat-1:00", "Sat-5:00"] },
  });
  const next = planTriggerActivation(task, now, now, false);
  expect(next).toEqual({
    at: Date.parse("2026-11-28T01:00:00Z"),
    initial: Date.parse("2026-11-25T12:00:00Z"),
    retry: 0,
  });
});
