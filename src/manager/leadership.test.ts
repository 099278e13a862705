import { expect, test } from "bun:test";
import { FakeClock } from "../scheduler/fake-clock.ts";
import { createMemoryStore } from "../store/memory.ts";
import type { Store } from "../store/store.ts";
import {
  LEADER_REQUEST_KIND,
  LEADER_REQUEST_SCOPE,
  LEADER_SCHEDULE_KIND,
  type LeaderCallbacks,
  type LeaderElector,
  type LeaderInfo,
} from "./leadership.ts";
import { Manager } from "./manager.ts";
import { ScheduleBoardReader, SchedulePublisher } from "./schedule-board.ts";
import { CLUSTER_ID, ControlledRunner, makeCluster, makeTask } from "./testing.ts";

/** An elector the test drives: `elect()` and `demote()` call the Manager's callbacks as a lease would. */
class HandElector implements LeaderElector {
  #callbacks: LeaderCallbacks | undefined;
  #leader = false;
  start(callbacks: LeaderCallbacks): void {
    this.#callbacks = callbacks;
  }
  isLeader(): boolean {
    return this.#leader;
  }
  info(): LeaderInfo {
    const self = "me";
    return { self, leader: this.#leader ? self : "", leaderAddress: "", isLeader: this.#leader, leaseExpiresAt: null };
  }
  async stop(): Promise<void> {
    this.#leader = false;
  }
  async elect(): Promise<void> {
    this.#leader = true;
    await this.#callbacks?.onElected();
  }
  async demote(): Promise<void> {
    this.#leader = false;
    await this.#callbacks?.onDemoted("test");
  }
}

async function setup(store: Store = createMemoryStore()) {
  const clock = new FakeClock(Date.parse("2026-11-25T10:00:00Z"));
  await store.putCluster(makeCluster());
  const elector = new HandElector();
  const manager = new Manager({ store, clock, leader: elector, leaderSyncMs: 5 });
  const runner = new ControlledRunner();
  manager.registerRunner("repair", runner);
  await manager.start();
  await elector.elect();
  return { clock, store, elector, manager, runner };
}

/** Real time for the Manager's leader sync (a real timer) to act. */
async function until(condition: () => boolean | Promise<boolean>, clock: FakeClock): Promise<void> {
  const deadline = Date.now() + 20_000;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error("condition not met within 20 s");
    await clock.advance(0);
    await new Promise((r) => setTimeout(r, 5));
  }
}

test("a start the leader accepted survives the leader losing its lease before the run began", async () => {
  const { clock, store, elector, manager, runner } = await setup();
  const task = await manager.createTask(makeTask("repair", { cron: "0 0 1 1 *" }));
  await manager.tasks.start(CLUSTER_ID, "repair", task.id);
  // The lease is lost before the activation fired: the start goes to the next leader instead of vanishing.
  await elector.demote();
  await clock.advance(0);
  expect(runner.runs).toHaveLength(0);
  await elector.elect();
  await until(() => runner.runs.length === 1, clock);
  runner.last.succeed();
  await until(async () => (await store.listRuns(CLUSTER_ID, "repair", task.id, 0))[0]?.status === "DONE", clock);
  expect((await store.listRuns(CLUSTER_ID, "repair", task.id, 0)).map((r) => r.status)).toEqual(["DONE"]);
  await manager.close();
}, 30_000);

test("a run the lost lease stopped is ABORTED and runs again under the next leadership", async () => {
  const { clock, store, elector, manager, runner } = await setup();
  const task = await manager.createTask(makeTask("repair", { cron: "0 0 1 1 *" }));
  await manager.tasks.start(CLUSTER_ID, "repair", task.id);
  await clock.advance(0);
  expect(runner.runs).toHaveLength(1);
  await elector.demote();
  expect((await store.listRuns(CLUSTER_ID, "repair", task.id, 0)).map((r) => r.status)).toEqual(["ABORTED"]);
  await elector.elect();
  await until(() => runner.runs.length === 2, clock);
  runner.last.succeed();
  await until(async () => (await store.listRuns(CLUSTER_ID, "repair", task.id, 0))[0]?.status === "DONE", clock);
  expect((await store.listRuns(CLUSTER_ID, "repair", task.id, 0)).map((r) => r.status)).toEqual(["DONE", "ABORTED"]);
  await manager.close();
}, 30_000);

test("a run whose start could not be recorded is tried again later with the same run id", async () => {
  const inner = createMemoryStore();
  let failures = 1;
  const store: Store = {
    ...inner,
    batch: async (writes) => {
      if (failures > 0 && writes.some((w) => w.op === "putRun" && w.run.status === "RUNNING")) {
        failures--;
        throw new Error("store unavailable");
      }
      return inner.batch(writes);
    },
  };
  const { clock, elector, manager, runner } = await setup(store);
  const task = await manager.createTask(makeTask("repair", { cron: "0 0 1 1 *" }));
  await manager.tasks.start(CLUSTER_ID, "repair", task.id);
  await clock.advance(0);
  expect(runner.runs).toHaveLength(0);
  expect(await inner.listRuns(CLUSTER_ID, "repair", task.id, 0)).toEqual([]);
  await clock.advance(5_000);
  expect(runner.runs).toHaveLength(1);
  const runId = runner.last.ctx.runId;
  runner.last.succeed();
  await clock.advance(0);
  expect((await inner.listRuns(CLUSTER_ID, "repair", task.id, 0)).map((r) => [r.id, r.status])).toEqual([
    [runId, "DONE"],
  ]);
  await elector.demote();
  await manager.close();
}, 30_000);

/** Two servers on one store: `one` leads, `two` follows. */
async function pair() {
  const store = createMemoryStore();
  const clock = new FakeClock(Date.parse("2026-11-25T10:00:00Z"));
  await store.putCluster(makeCluster());
  const make = () => {
    const elector = new HandElector();
    const manager = new Manager({ store, clock, leader: elector, leaderSyncMs: 5 });
    const runner = new ControlledRunner();
    manager.registerRunner("repair", runner);
    return { elector, manager, runner };
  };
  const one = make();
  const two = make();
  await one.manager.start();
  await two.manager.start();
  await one.elector.elect();
  const close = async () => {
    await two.manager.close();
    await one.elector.demote();
    await one.manager.close();
  };
  return { store, clock, one, two, close };
}

test("suspend through a follower stops the runs on the leader; resume through it starts them again", async () => {
  const { store, clock, one, two, close } = await pair();
  const task = await one.manager.createTask(makeTask("repair", { cron: "0 0 1 1 *" }));
  await one.manager.tasks.start(CLUSTER_ID, "repair", task.id);
  await clock.advance(0);
  expect(one.runner.runs).toHaveLength(1);
  const info = await two.manager.suspend.suspend(CLUSTER_ID, {});
  expect(info?.running_tasks).toEqual([task.id]);
  expect(two.manager.suspend.isSuspended(CLUSTER_ID)).toBe(true);
  expect(one.manager.suspend.isSuspended(CLUSTER_ID)).toBe(true);
  await until(async () => (await store.listRuns(CLUSTER_ID, "repair", task.id, 0))[0]?.status === "STOPPED", clock);
  await two.manager.suspend.resume(CLUSTER_ID, { startTasks: true });
  expect(two.manager.suspend.isSuspended(CLUSTER_ID)).toBe(false);
  await until(() => one.runner.runs.length === 2, clock);
  expect(two.runner.runs).toHaveLength(0);
  one.runner.last.succeed();
  await until(async () => (await store.listRuns(CLUSTER_ID, "repair", task.id, 0))[0]?.status === "DONE", clock);
  await close();
}, 30_000);

test("a follower refuses suspend with fail_if_running_tasks while the leader runs a task", async () => {
  const { clock, one, two, close } = await pair();
  const task = await one.manager.createTask(makeTask("repair", { cron: "0 0 1 1 *" }));
  await one.manager.tasks.start(CLUSTER_ID, "repair", task.id);
  await clock.advance(0);
  await expect(two.manager.suspend.suspend(CLUSTER_ID, { policy: "fail_if_running_tasks" })).rejects.toThrow(
    `tasks are running: repair/${task.id}`,
  );
  expect(one.manager.suspend.isSuspended(CLUSTER_ID)).toBe(false);
  one.runner.last.succeed();
  await close();
}, 30_000);

test("task listings through a follower show the leader's next activation and running state", async () => {
  const { clock, one, two, close } = await pair();
  const hourly = await one.manager.createTask(makeTask("repair", { cron: "0 * * * *" }));
  // Created through the follower: the leader picks it up and schedules it.
  const daily = await two.manager.createTask(makeTask("repair", { cron: "0 3 * * *" }));
  const shown = async () => {
    const list = await two.manager.tasks.list(CLUSTER_ID);
    return new Map(list.map((e) => [e.task.id, e.schedule]));
  };
  await until(async () => (await shown()).get(daily.id)?.nextActivation === Date.parse("2026-11-26T03:00:00Z"), clock);
  expect((await shown()).get(hourly.id)).toEqual({
    nextActivation: Date.parse("2026-11-25T11:00:00Z"),
    retry: 0,
    running: false,
  });
  await one.manager.tasks.start(CLUSTER_ID, "repair", hourly.id);
  await clock.advance(0);
  await until(async () => (await shown()).get(hourly.id)?.running === true, clock);
  one.runner.last.succeed();
  await close();
}, 30_000);

test("the leader deletes each request row once handled (and old rows marked done without acting on them)", async () => {
  const { store, clock, one, two, close } = await pair();
  const { clusterId, taskId, runId } = LEADER_REQUEST_SCOPE;
  const task = await one.manager.createTask(makeTask("repair", { cron: "0 0 1 1 *" }));
  // A row an earlier leader acted on and kept: deleted, not started again.
  await store.putProgress(LEADER_REQUEST_KIND, clusterId, taskId, runId, [
    {
      key: "old",
      value: { op: "start", clusterId: CLUSTER_ID, type: "repair", taskId: task.id, done: true, from: "x" },
    },
  ]);
  await until(
    async () => (await store.listProgress(LEADER_REQUEST_KIND, clusterId, taskId, runId)).length === 0,
    clock,
  );
  expect(one.runner.runs).toHaveLength(0);
  await two.manager.tasks.start(CLUSTER_ID, "repair", task.id);
  await until(() => one.runner.runs.length === 1, clock);
  await until(
    async () => (await store.listProgress(LEADER_REQUEST_KIND, clusterId, taskId, runId)).length === 0,
    clock,
  );
  one.runner.last.succeed();
  await until(async () => (await store.listRuns(CLUSTER_ID, "repair", task.id, 0))[0]?.status === "DONE", clock);
  expect(one.runner.runs).toHaveLength(1);
  await close();
}, 30_000);

test("a follower reads the leader's schedule rows again only when the board's version changed", async () => {
  const inner = createMemoryStore();
  const boardReads: number[] = [];
  const store: Store = {
    ...inner,
    listProgress: async (kind, ...rest) => {
      if (kind === LEADER_SCHEDULE_KIND) boardReads.push(1);
      return inner.listProgress(kind, ...rest);
    },
  };
  const reader = new ScheduleBoardReader(store);
  const publisher = new SchedulePublisher(store);
  const key = { clusterId: CLUSTER_ID, type: "repair", id: "t1" };
  const info = (at: number) => new Map([[`${CLUSTER_ID}/repair/t1`, { nextActivation: at, retry: 0, running: false }]]);
  // Nothing published (no version yet): read every time, never answered from memory.
  expect((await reader.read())(key).nextActivation).toBeNull();
  expect((await reader.read())(key).nextActivation).toBeNull();
  expect(boardReads).toHaveLength(2);
  await publisher.publish(info(1_000));
  expect((await reader.read())(key).nextActivation).toBe(1_000);
  expect((await reader.read())(key).nextActivation).toBe(1_000);
  // publish() read the stored rows once for its first comparison.
  expect(boardReads).toHaveLength(4);
  // The same view again: nothing written, the copy stays good.
  await publisher.publish(info(1_000));
  expect((await reader.read())(key).nextActivation).toBe(1_000);
  expect(boardReads).toHaveLength(4);
  await publisher.publish(info(2_000));
  expect((await reader.read())(key).nextActivation).toBe(2_000);
  expect(boardReads).toHaveLength(5);
});

test("a follower's copy of the board is read again after its maximum age even with the same version", async () => {
  const store = createMemoryStore();
  let now = 1_000;
  const reader = new ScheduleBoardReader(store, { maxAgeMs: 10_000, now: () => now });
  const key = { clusterId: CLUSTER_ID, type: "repair", id: "t1" };
  await new SchedulePublisher(store).publish(
    new Map([[`${CLUSTER_ID}/repair/t1`, { nextActivation: 1_000, retry: 0, running: false }]]),
  );
  expect((await reader.read())(key).nextActivation).toBe(1_000);
  // A row written without a new version (a lost version write): hidden until the copy is too old.
  await store.putProgress(LEADER_SCHEDULE_KIND, "leader", "schedule", "current", [
    { key: `${CLUSTER_ID}/repair/t1`, value: { nextActivation: 5_000, retry: 0, running: false } },
  ]);
  now += 9_999;
  expect((await reader.read())(key).nextActivation).toBe(1_000);
  now += 1;
  expect((await reader.read())(key).nextActivation).toBe(5_000);
});
