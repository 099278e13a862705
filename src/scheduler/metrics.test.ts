import { expect, test } from "bun:test";
import { Registry } from "prom-client";
import { Manager } from "../manager/manager.ts";
import { CLUSTER_ID, ControlledRunner, makeCluster, makeTask } from "../manager/testing.ts";
import { createMemoryStore } from "../store/memory.ts";
import { FakeClock } from "./fake-clock.ts";

async function metric(registry: Registry, name: string): Promise<{ labels: Record<string, unknown>; value: number }[]> {
  const found = (await registry.getMetricsAsJSON()).find((m) => m.name === name);
  return (found?.values ?? []) as { labels: Record<string, unknown>; value: number }[];
}

test("scheduler gauges: run indicator, run total by status, last success, suspended", async () => {
  const registry = new Registry();
  const store = createMemoryStore();
  await store.putCluster(makeCluster());
  const clock = new FakeClock(Date.parse("2026-11-25T10:00:00Z"));
  const manager = new Manager({ store, clock, metrics: registry });
  const runner = new ControlledRunner();
  manager.registerRunner("repair", runner);
  await manager.start();
  const task = await manager.createTask(makeTask("repair"));
  await clock.advance(0);
  const labels = { cluster: CLUSTER_ID, type: "repair", task: task.id };
  expect(await metric(registry, "scylla_manager_scheduler_run_indicator")).toEqual([{ labels, value: 1 }]);
  runner.last.succeed();
  await clock.advance(0);
  expect(await metric(registry, "scylla_manager_scheduler_run_indicator")).toEqual([{ labels, value: 0 }]);
  expect(await metric(registry, "scylla_manager_scheduler_run_total")).toEqual([
    { labels: { ...labels, status: "DONE" }, value: 1 },
  ]);
  expect(await metric(registry, "scylla_manager_scheduler_last_success")).toEqual([
    { labels, value: Date.parse("2026-11-25T10:00:00Z") / 1000 },
  ]);
  await manager.suspend.suspend(CLUSTER_ID);
  expect(await metric(registry, "scylla_manager_scheduler_suspended")).toEqual([
    { labels: { cluster: CLUSTER_ID }, value: 1 },
  ]);
  await manager.suspend.resume(CLUSTER_ID);
  expect(await metric(registry, "scylla_manager_scheduler_suspended")).toEqual([
    { labels: { cluster: CLUSTER_ID }, value: 0 },
  ]);
});
