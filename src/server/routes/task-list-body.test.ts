import { expect, test } from "bun:test";
import type { TaskListEntry } from "../../manager/task-service.ts";
import { deepFreeze } from "../../store/cql/task-cache.ts";
import type { TaskRecord } from "../../store/store.ts";
import { taskListBody } from "./task-list-body.ts";
import { toTaskListItemJson } from "./tasks-common.ts";

const base: TaskRecord = {
  clusterId: "00000000-0000-4000-8000-000000000001",
  type: "repair",
  id: "00000000-0000-4000-9000-000000000001",
  name: "nightly",
  labels: {},
  enabled: true,
  deleted: false,
  schedule: {
    cron: "0 23 * * SAT",
    startDate: null,
    intervalSeconds: 0,
    numRetries: 3,
    retryWaitSeconds: 600,
    window: [],
    timezone: "UTC",
  },
  properties: { keyspace: ["ks.*"], intensity: 0.5 },
  status: "DONE",
  successCount: 2,
  errorCount: 0,
  lastSuccess: "2026-11-25T10:00:00.120Z",
  lastError: null,
};

function entries(): TaskListEntry[] {
  const variants: TaskRecord[] = [
    base,
    {
      ...base,
      id: "00000000-0000-4000-9000-000000000002",
      type: "backup",
      name: "",
      labels: { team: "ops", ünï: 'cödé "quoted"' },
      enabled: false,
      deleted: true,
      schedule: {
        ...base.schedule,
        cron: "",
        startDate: "2026-12-01T00:00:00Z",
        cronStartDate: null,
        intervalSeconds: 86_400,
        window: ["Mon-0:00", "Mon-6:00"],
        timezone: "Europe/Warsaw",
      },
      properties: { location: ["s3:bucket"], retention: 3, nested: { a: [1, null, "x\n"] } },
      status: "ERROR",
      lastSuccess: null,
      lastError: "2026-11-20T01:02:03Z",
    },
  ];
  return variants.flatMap((task, i) => [
    { task, schedule: { nextActivation: null, retry: 0, running: false }, suspended: i === 0 },
    {
      task,
      schedule: { nextActivation: Date.parse("2026-11-28T23:00:00.500Z"), retry: 2, running: true },
      suspended: false,
    },
  ]);
}

const expected = (list: TaskListEntry[]) => JSON.stringify(list.map(toTaskListItemJson));

test("the body is what JSON.stringify of the list items gives, for plain records", () => {
  const list = entries();
  expect(taskListBody(list)).toBe(expected(list));
  expect(taskListBody([])).toBe("[]");
});

test("frozen (shared) records render the same, again and again, with each request's schedule", () => {
  const list = entries().map((e) => ({ ...e, task: deepFreeze(structuredClone(e.task)) }));
  expect(taskListBody(list)).toBe(expected(list));
  const later = list.map((e) => ({ ...e, schedule: { ...e.schedule, retry: e.schedule.retry + 1 }, suspended: true }));
  expect(taskListBody(later)).toBe(expected(later));
});

test("a changed task (a new record) is rendered anew, not from the old record's text", () => {
  const first = entries().map((e) => ({ ...e, task: deepFreeze(structuredClone(e.task)) }));
  taskListBody(first);
  const renamed = first.map((e) => ({ ...e, task: deepFreeze({ ...structuredClone(e.task), name: "renamed" }) }));
  expect(taskListBody(renamed)).toBe(expected(renamed));
  expect(taskListBody(renamed)).toContain('"name":"renamed"');
});
