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

describe("sctool info: SM's TaskInfo layout", () => {
  const json = (spec: string) => JSON.stringify({ spec, start_date: "0001-01-01T00:00:00Z" });

  test("the Cron line shows the schedule as the server sent it, then the next activation (SM's template)", () => {
    expect(render("0 23 * * SAT")).toBe(
      `Name:\trepair/nightly\nCron:   ${json("0 23 * * SAT")} (next activation date: 26 Nov 26 00:00:00 UTC)\n`,
    );
    expect(render("@every 1h", null)).toBe(
      `Name:\trepair/nightly\nCron:   ${json("@every 1h")} (no activations scheduled)\n`,
    );
  });

  test("a plain cron string is described in English; a one-off task prints only the activation part", () => {
    const plain = { ...task("x", null), schedule: { ...task("x", null).schedule, cron: "0 23 * * SAT" } };
    expect(renderTaskInfo(plain, { now: NOW, timeZone: "UTC" })).toBe(
      "Name:\trepair/nightly\nCron:   0 23 * * SAT (At 11:00 PM, only on Saturday)\n",
    );
    const oneOff = { ...task("x", "2026-11-26T00:00:00Z"), schedule: { ...task("x", null).schedule, cron: "" } };
    expect(renderTaskInfo(oneOff, { now: NOW, timeZone: "UTC" })).toBe(
      "Name:\trepair/nightly\nCron:   next activation date: 26 Nov 26 00:00:00 UTC\n",
    );
    expect(describeCron("@weekly")).toBe("At 12:00 AM, only on Sunday");
    expect(describeCron("not a cron")).toBeUndefined();
  });

  test("Tz, Retry (backoff only when set, no line break), a blank line before Labels and Properties", () => {
    const t = task("0 23 * * SAT", null);
    t.schedule = { ...t.schedule, cron: "", timezone: "Etc/UTC", num_retries: 3, retry_wait: "" };
    t.properties = { keyspace: ["ks1", "ks2"], small_table_threshold: 1 };
    expect(renderTaskInfo(t, { now: NOW })).toBe(
      "Name:\trepair/nightly\nCron:   no activations scheduled\nTz:\tEtc/UTC\nRetry:\t3 \nProperties:\n- keyspace: 'ks1,ks2'\n- small-table-threshold: 1\n",
    );
    t.schedule = { ...t.schedule, retry_wait: "10m", num_retries: 0 };
    t.labels = { team: "db" };
    expect(renderTaskInfo(t, { now: NOW })).toBe(
      "Name:\trepair/nightly\nCron:   no activations scheduled\nTz:\tEtc/UTC\n\nLabels:\n- team: db\n\nProperties:\n- keyspace: 'ks1,ks2'\n- small-table-threshold: 1\n",
    );
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
