/**
 * SM's start dates (pkg/service/scheduler/service.go PutTask, pkg/restapi/task.go parseTask): a task created without
 * a start date starts at its creation time, while the start date inside its cron JSON stays as given (Go's zero time
 * for the default tasks of a new cluster, and for a cron sent without a start date).
 */
import { expect, test } from "bun:test";
import { makeDefaultTasks } from "../cluster/default-tasks.ts";
import { toTaskJson } from "./task-json.ts";
import { CLUSTER_ID, ControlledRunner, createTestManager } from "./testing.ts";

const START = "2026-11-25T10:00:00Z";
const ZERO = "0001-01-01T00:00:00Z";

async function setup() {
  const env = await createTestManager(START);
  for (const type of ["healthcheck", "repair"]) env.manager.registerRunner(type, new ControlledRunner());
  await env.manager.start();
  return env;
}

test("the default tasks of a new cluster start at their creation time; their cron's start date is zero", async () => {
  const { manager } = await setup();
  for (const task of makeDefaultTasks(CLUSTER_ID, { repairAvailable: true, timezone: "Etc/UTC" })) {
    const json = toTaskJson(await manager.createTask(task)) as { schedule: { start_date: string; cron: string } };
    expect(json.schedule.start_date).toBe(START);
    expect(JSON.parse(json.schedule.cron).start_date).toBe(ZERO);
  }
});

test("REST: a cron without start_date gets the creation time and keeps a zero cron start; with one, both carry it", async () => {
  const { manager } = await setup();
  const body = (schedule: Record<string, unknown>) => ({
    type: "repair",
    schedule: { timezone: "Etc/UTC", ...schedule },
  });
  const plain = await manager.tasks.create(await manager.tasks.fromUpdate(CLUSTER_ID, body({ cron: "0 1 * * *" })));
  const plainJson = toTaskJson(plain) as { schedule: { start_date: string; cron: string } };
  expect(plainJson.schedule.start_date).toBe(START);
  expect(JSON.parse(plainJson.schedule.cron)).toEqual({ spec: "0 1 * * *", start_date: ZERO });

  const later = "2026-12-01T08:30:00Z";
  const dated = await manager.tasks.create(
    await manager.tasks.fromUpdate(CLUSTER_ID, body({ cron: "0 1 * * *", start_date: later })),
  );
  const datedJson = toTaskJson(dated) as { schedule: { start_date: string; cron: string } };
  expect(datedJson.schedule.start_date).toBe(later);
  expect(JSON.parse(datedJson.schedule.cron)).toEqual({ spec: "0 1 * * *", start_date: later });
});
