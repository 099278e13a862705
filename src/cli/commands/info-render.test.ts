import { describe, expect, test } from "bun:test";
import type { ApiTask } from "../../clients/manager-api/tasks.ts";
import { describeCron } from "../output/cron.ts";
import { renderProgressHeader, renderTaskInfo } from "./info-render.ts";

const NOW = Date.parse("2026-11-25T10:00:00Z");

function task(cron: string, nextActivation: string | null): ApiTask {
  return {
    cluster_id: "c",
    type: "repair",
    id: "7a6c2f3e-1111-4111-8111-111111111111",
    name: "nightly",
    labels: null,
    enabled: true,
    schedule: {
      cron: JSON.stringify({ spec: cron, start_date: "0001-01-01T00:00:00Z" }),
      window: null,
      timezone: "",
      start_date: null,
      interval: "",
      num_retries: 0,
      retry_wait: "",
    },
    properties: null,
    status: "NEW",
    success_count: 0,
    error_count: 0,
    last_success: null,
    last_error: null,
    suspended: false,
    next_activation: nextActivation,
    retry: 0,
  };
}

const render = (cron: string, next: string | null = "2026-11-26T00:00:00Z") =>
  renderTaskInfo(task(cron, next), { now: NOW, timeZone: "UTC" });

describe("sctool info: the Cron line", () => {
  test("5-field spec gets SM's English description", () => {
    expect(render("0 23 * * SAT")).toMatchInlineSnapshot(`
"Name:	repair/nightly
Cron:	0 23 * * SAT (At 11:00 PM, only on Saturday)
"
`);
  });

  test("SM's optional seconds field is read as seconds, not minutes", () => {
    expect(render("30 0 23 * * SAT")).toMatchInlineSnapshot(`
"Name:	repair/nightly
Cron:	30 0 23 * * SAT (At 11:00:30 PM, only on Saturday)
"
`);
    expect(describeCron("0 0 23 * * SAT")).toBe(describeCron("0 23 * * SAT"));
  });

  test("@daily-style descriptors are described through their expansion", () => {
    expect(render("@daily")).toMatchInlineSnapshot(`
"Name:	repair/nightly
Cron:	@daily (At 12:00 AM)
"
`);
    expect(describeCron("@weekly")).toBe("At 12:00 AM, only on Sunday");
    expect(describeCron("@HOURLY")).toBe("Every hour");
  });

  test("no description: the next activation, or that there is none", () => {
    expect(render("@every 1h")).toMatchInlineSnapshot(`
"Name:	repair/nightly
Cron:	@every 1h (next activation date: 26 Nov 26 00:00:00 UTC)
"
`);
    expect(render("@every 1h", null)).toMatchInlineSnapshot(`
"Name:	repair/nightly
Cron:	@every 1h (no activations scheduled)
"
`);
    expect(describeCron("not a cron")).toBeUndefined();
    expect(describeCron("0 0 0 1 1 * 2030")).toBeUndefined();
  });
});

test("progress header: the run's cause gets its host errors moved to new lines", () => {
  const run = {
    cluster_id: "c",
    type: "repair",
    task_id: "t",
    id: "5e2b7c80-ca9c-11f0-8000-000000000000",
    status: "ERROR",
    cause: "repair: 10.0.0.1: connection refused; 10.0.0.2: timeout",
    start_time: null,
    end_time: null,
  };
  expect(renderProgressHeader(run, { now: NOW })).toMatchInlineSnapshot(`
"Run:		5e2b7c80-ca9c-11f0-8000-000000000000
Status:		ERROR
Cause:		repair
 10.0.0.1: connection refused
 10.0.0.2: timeout
Duration:	0s
"
`);
});
