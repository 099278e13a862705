import { describe, expect, test } from "bun:test";
import type { ApiTask, ApiTaskRun } from "../../clients/manager-api/tasks.ts";
import { renderProgressHeader, renderRunHistory, renderTaskInfo } from "./info-render.ts";
import { renderTasksTable } from "./tasks-render.ts";

const NOW = Date.parse("2026-11-25T10:00:00Z");

function task(overrides: Partial<ApiTask>): ApiTask {
  return {
    cluster_id: "c",
    type: "repair",
    id: "7a6c2f3e-1111-4111-8111-111111111111",
    name: "",
    labels: null,
    enabled: true,
    schedule: {
      cron: "",
      window: null,
      timezone: "UTC",
      start_date: null,
      interval: "",
      num_retries: 3,
      retry_wait: "10m",
    },
    properties: null,
    status: "NEW",
    success_count: 0,
    error_count: 0,
    last_success: null,
    last_error: null,
    suspended: false,
    next_activation: null,
    retry: 0,
    ...overrides,
  };
}

const cron = (spec: string, start = "0001-01-01T00:00:00Z") => JSON.stringify({ spec, start_date: start });

describe("sctool tasks", () => {
  test("table with names, SM's cron JSON, retries, suspended and disabled tasks", () => {
    const tasks = [
      task({
        type: "healthcheck",
        name: "cql",
        schedule: { ...task({}).schedule, cron: cron("* * * * *") },
        success_count: 4,
        status: "DONE",
        last_success: "2026-11-25T09:59:00Z",
        next_activation: "2026-11-25T10:01:00Z",
      }),
      task({
        name: "all-weekly",
        labels: { team: "db" },
        schedule: {
          ...task({}).schedule,
          cron: cron("0 23 * * SAT", "2026-12-01T00:00:00Z"),
          window: ["Sat-22:00", "Sun-6:00"],
        },
        status: "ERROR",
        error_count: 2,
        retry: 2,
        last_error: "2026-11-25T09:00:00Z",
        next_activation: "2026-11-25T10:20:00Z",
      }),
      task({
        type: "backup",
        enabled: false,
        suspended: true,
        properties: { location: ["s3:a", "s3:b"], retention: 3 },
      }),
    ];
    expect(
      renderTasksTable(tasks, { now: NOW, all: true, timeZone: "UTC", ascii: true, showProperties: true }),
    ).toMatchInlineSnapshot(`
        "+----------------------------------------------+---------+--------------------------------------------------------------+--------------------+----------+---------+-------+------------------------+------------------------+-------------+------------------------+-------------------------------------+
        | Task                                         | Labels  | Schedule                                                     | Window             | Timezone | Success | Error | Last Success           | Last Error             | Status      | Next                   | Properties                          |
        +----------------------------------------------+---------+--------------------------------------------------------------+--------------------+----------+---------+-------+------------------------+------------------------+-------------+------------------------+-------------------------------------+
        | healthcheck/cql                              |         | * * * * *                                                    |                    | UTC      | 4       | 0     | 25 Nov 26 09:59:00 UTC |                        | DONE        | 25 Nov 26 10:01:00 UTC |                                     |
        | repair/all-weekly                            | team=db | 0 23 * * SAT with first activation after 2026-12-01 00:00:00 | Sat-22:00,Sun-6:00 | UTC      | 0       | 2     |                        | 25 Nov 26 09:00:00 UTC | ERROR (1/3) | 25 Nov 26 10:20:00 UTC |                                     |
        | *backup/7a6c2f3e-1111-4111-8111-111111111111 |         |                                                              |                    | UTC      | 0       | 0     |                        |                        | NEW         | [SUSPENDED]            | location: 's3:a,s3:b', retention: 3 |
        +----------------------------------------------+---------+--------------------------------------------------------------+--------------------+----------+---------+-------+------------------------+------------------------+-------------+------------------------+-------------------------------------+
        "
      `);
  });

  test("--show-ids and --sort status", () => {
    const tasks = [
      task({ name: "b", status: "DONE" }),
      task({ name: "a", status: "NEW", id: "00000000-0000-4000-8000-000000000001" }),
    ];
    const out = renderTasksTable(tasks, { now: NOW, showIds: true, sort: "status", timeZone: "UTC", ascii: true });
    const names = out
      .split("\n")
      .filter((l) => l.startsWith("| repair/"))
      .map((l) => l.split("|")[1]?.trim());
    expect(names).toEqual([
      "repair/00000000-0000-4000-8000-000000000001",
      "repair/7a6c2f3e-1111-4111-8111-111111111111",
    ]);
  });
});

describe("sctool info and progress", () => {
  const runs: ApiTaskRun[] = [
    {
      cluster_id: "c",
      type: "repair",
      task_id: "t",
      id: "5e2b7c80-ca9c-11f0-8000-000000000000",
      status: "ERROR",
      cause: "another task is running",
      start_time: "2026-11-25T09:00:00Z",
      end_time: "2026-11-25T09:01:05Z",
    },
    {
      cluster_id: "c",
      type: "repair",
      task_id: "t",
      id: "4d1a6b70-ca9c-11f0-8000-000000000000",
      status: "RUNNING",
      cause: "",
      start_time: "2026-11-25T08:00:00Z",
      end_time: null,
    },
  ];

  test("parameters block", () => {
    const t = task({
      name: "all-weekly",
      labels: { team: "db" },
      schedule: {
        ...task({}).schedule,
        cron: cron("0 23 * * SAT"),
        window: ["23:00", "6:00"],
        timezone: "Europe/Warsaw",
      },
      properties: { keyspace: ["*", "!system_traces"], small_table_threshold: 1024 },
      next_activation: "2026-11-28T22:00:00Z",
    });
    expect(renderTaskInfo(t, { now: NOW, timeZone: "UTC" })).toMatchInlineSnapshot(`
"Name:	repair/all-weekly
Cron:   {"spec":"0 23 * * SAT","start_date":"0001-01-01T00:00:00Z"} (next activation date: 28 Nov 26 22:00:00 UTC)
Window:	[23:00 6:00] 
Tz:	Europe/Warsaw
Retry:	3 (initial backoff 10m)
Labels:
- team: db

Properties:
- keyspace: '*,!system_traces'
- small-table-threshold: 1024
"
`);
  });

  test("history with --cause; empty history", () => {
    expect(renderRunHistory(runs, { now: NOW, timeZone: "UTC", cause: true, ascii: true })).toMatchInlineSnapshot(`
"+--------------------------------------+------------------------+----------+-------------------------------+
| ID                                   | Start time             | Duration | Status                        |
+--------------------------------------+------------------------+----------+-------------------------------+
| 5e2b7c80-ca9c-11f0-8000-000000000000 | 25 Nov 26 09:00:00 UTC | 1m5s     | ERROR another task is running |
| 4d1a6b70-ca9c-11f0-8000-000000000000 | 25 Nov 26 08:00:00 UTC | 2h0m0s   | RUNNING                       |
+--------------------------------------+------------------------+----------+-------------------------------+
"
`);
    expect(renderRunHistory([], { now: NOW })).toBe("No runs yet.\n");
  });

  test("progress header", () => {
    expect(renderProgressHeader(runs[0] as ApiTaskRun, { now: NOW, timeZone: "UTC" })).toMatchInlineSnapshot(`
"Run:		5e2b7c80-ca9c-11f0-8000-000000000000
Status:		ERROR
Cause:		another task is running
Start time:	25 Nov 26 09:00:00 UTC
End time:	25 Nov 26 09:01:05 UTC
Duration:	1m5s
"
`);
  });
});
