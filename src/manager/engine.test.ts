import { describe, expect, test } from "bun:test";
import { HEALTHCHECK_SUCCESS_RUN_ID, RESUME_TASK_ID } from "../scheduler/model.ts";
import { PermanentRunError } from "../scheduler/runner.ts";
import { CLUSTER_ID, ControlledRunner, createTestManager, makeTask } from "./testing.ts";

const MIN = 60_000;
const HOUR = 60 * MIN;
const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());

async function setup(types: string[] = ["repair"]) {
  const env = await createTestManager();
  const runners: Record<string, ControlledRunner> = {};
  for (const type of types) {
    runners[type] = new ControlledRunner();
    env.manager.registerRunner(type, runners[type]);
  }
  await env.manager.start();
  const runner = (type = types[0] ?? "repair") => runners[type] as ControlledRunner;
  const runsOf = (task: { type: string; id: string }) => env.store.listRuns(CLUSTER_ID, task.type, task.id, 0);
  const taskOf = (task: { type: string; id: string }) => env.store.getTask(CLUSTER_ID, task.type, task.id);
  return { ...env, runner, runsOf, taskOf };
}

describe("activations", () => {
  test("a task with no cron and no start date runs at once, once (ad-hoc)", async () => {
    const { manager, clock, runner, runsOf, taskOf } = await setup();
    const task = await manager.createTask(makeTask("repair"));
    await clock.advance(0);
    expect(runner().runs).toHaveLength(1);
    expect((await taskOf(task))?.status).toBe("RUNNING");
    runner().last.succeed();
    await clock.advance(0);
    const stored = await taskOf(task);
    expect(stored).toMatchObject({ status: "DONE", successCount: 1, errorCount: 0 });
    expect((await runsOf(task)).map((r) => r.status)).toEqual(["DONE"]);
    expect(manager.tasks.list(CLUSTER_ID).then((l) => l[0]?.schedule.nextActivation)).resolves.toBeNull();
    await clock.advance(24 * HOUR);
    expect(runner().runs).toHaveLength(1);
  });

  test("cron with a start date: nothing before it, then every tick", async () => {
    const { manager, clock, runner } = await setup();
    const start = Date.parse("2026-11-26T00:00:00Z");
    await manager.createTask(
      makeTask("repair", {
        cron: "0 * * * *",
        schedule: { ...makeTask("x").schedule, cron: "0 * * * *", startDate: iso(start) },
      }),
    );
    await clock.advanceTo(start);
    expect(runner().runs).toHaveLength(0);
    await clock.advanceTo(start + HOUR);
    expect(runner().runs).toHaveLength(1);
    runner().last.succeed();
    await clock.advanceTo(start + 2 * HOUR);
    expect(runner().runs).toHaveLength(2);
  });

  test("missed activations collapse into one catch-up run", async () => {
    const { manager, clock, runner } = await setup();
    const base = clock.now();
    await manager.createTask(
      makeTask("repair", { schedule: { ...makeTask("x").schedule, cron: "*/10 * * * *", startDate: iso(base) } }),
    );
    await clock.advanceTo(base + 10 * MIN);
    expect(runner().runs).toHaveLength(1);
    await clock.advanceTo(base + 35 * MIN); // overran the 10:20 and 10:30 activations
    runner().last.succeed();
    await clock.advance(0);
    expect(runner().runs).toHaveLength(2); // one immediate catch-up
    runner().last.succeed();
    await clock.advance(1000);
    expect(runner().runs).toHaveLength(2);
    await clock.advanceTo(base + 40 * MIN);
    expect(runner().runs).toHaveLength(3); // back on the cron grid
  });

  test("legacy interval", async () => {
    const { manager, clock, runner } = await setup();
    const start = clock.now() + HOUR;
    await manager.createTask(
      makeTask("repair", { schedule: { ...makeTask("x").schedule, startDate: iso(start), intervalSeconds: 1800 } }),
    );
    await clock.advanceTo(start - 1);
    expect(runner().runs).toHaveLength(0);
    await clock.advanceTo(start);
    runner().last.succeed();
    await clock.advanceTo(start + 30 * MIN);
    expect(runner().runs).toHaveLength(2);
  });
});

describe("state machine", () => {
  test("runner error → ERROR, retries with backoff ×2 capped at 3h, then back to the trigger", async () => {
    const { manager, clock, runner, runsOf, taskOf } = await setup();
    const schedule = { ...makeTask("x").schedule, numRetries: 4, retryWaitSeconds: 3600 };
    const task = await manager.createTask(makeTask("repair", { schedule }));
    await clock.advance(0);
    const starts: number[] = [];
    for (let i = 0; i < 5; i++) {
      expect(runner().runs).toHaveLength(i + 1);
      expect(runner().last.ctx.retry).toBe(i);
      starts.push(clock.now());
      runner().last.fail(`boom ${i}`);
      await clock.advance(0);
      const next = (await manager.tasks.list(CLUSTER_ID))[0]?.schedule.nextActivation ?? null;
      if (i < 4) await clock.advanceTo(next ?? 0);
    }
    const gaps = starts.slice(1).map((t, i) => (t - (starts[i] ?? 0)) / HOUR);
    expect(gaps).toEqual([1, 2, 3, 3]);
    expect(await taskOf(task)).toMatchObject({ status: "ERROR", errorCount: 5 });
    const runs = await runsOf(task);
    expect(runs[0]).toMatchObject({ status: "ERROR", cause: "boom 4" });
    expect((await manager.tasks.list(CLUSTER_ID))[0]?.schedule.nextActivation).toBeNull(); // one-shot, retries spent
  });

  test("retries reuse the properties snapshot", async () => {
    const { manager, clock, runner } = await setup();
    const schedule = { ...makeTask("x").schedule, numRetries: 1, retryWaitSeconds: 60 };
    const task = await manager.createTask(makeTask("repair", { schedule, properties: { v: 1 } }));
    await clock.advance(0);
    await manager.tasks.update({ ...task, properties: { v: 2 } });
    runner().last.fail("x");
    await clock.advance(MIN);
    expect(runner().last.ctx.properties).toEqual({ v: 1 });
  });

  test("user stop: STOPPING then STOPPED 'task was stopped', no retry", async () => {
    const { manager, clock, runner, runsOf, taskOf } = await setup();
    const schedule = { ...makeTask("x").schedule, numRetries: 3, retryWaitSeconds: 60 };
    const task = await manager.createTask(makeTask("repair", { schedule }));
    await clock.advance(0);
    const stopping = manager.tasks.stop(CLUSTER_ID, "repair", task.id);
    expect((await runsOf(task))[0]?.status).toBe("RUNNING");
    await stopping;
    await clock.advance(0);
    expect((await runsOf(task))[0]).toMatchObject({ status: "STOPPED", cause: "task was stopped" });
    expect((await taskOf(task))?.status).toBe("STOPPED");
    await clock.advance(HOUR);
    expect(runner().runs).toHaveLength(1);
  });

  test("stop persists STOPPING before the run ends", async () => {
    const { manager, clock, runsOf } = await setup();
    const slow = {
      run: (ctx: { signal: AbortSignal }) =>
        new Promise<void>((r) => ctx.signal.addEventListener("abort", () => setTimeout(r, 50))),
    };
    manager.registerRunner("backup", slow);
    const task = await manager.createTask(makeTask("backup"));
    await clock.advance(0);
    await manager.tasks.stop(CLUSTER_ID, "backup", task.id);
    expect((await runsOf(task))[0]?.status).toBe("STOPPING");
    await new Promise((r) => setTimeout(r, 80));
    expect((await runsOf(task))[0]?.status).toBe("DONE"); // the runner swallowed the abort and finished
  });

  test("window end → WAITING, continued at the next slot with the same retry number and properties", async () => {
    const { manager, clock, runner, runsOf } = await setup();
    // now = Wed 10:00 UTC; window 10:00-11:00 daily
    const schedule = { ...makeTask("x").schedule, window: ["10:00", "11:00"], numRetries: 2, retryWaitSeconds: 60 };
    const task = await manager.createTask(makeTask("repair", { schedule, properties: { p: 1 } }));
    await clock.advance(0);
    runner().last.fail("x");
    await clock.advance(MIN); // retry 1 at 10:01
    expect(runner().last.ctx.retry).toBe(1);
    await clock.advanceTo(Date.parse("2026-11-25T11:00:00Z"));
    expect((await runsOf(task))[0]).toMatchObject({ status: "WAITING", cause: "task got out of --window" });
    expect(runner().runs).toHaveLength(2);
    await clock.advanceTo(Date.parse("2026-11-26T10:00:00Z"));
    expect(runner().runs).toHaveLength(3);
    expect(runner().last.ctx.retry).toBe(1);
    expect(runner().last.ctx.properties).toEqual({ p: 1 });
  });

  test("activation outside the window waits for the slot", async () => {
    const { manager, clock, runner } = await setup();
    const schedule = { ...makeTask("x").schedule, window: ["Fri-2:00", "Fri-4:00"] };
    await manager.createTask(makeTask("repair", { schedule }));
    await clock.advance(HOUR);
    expect(runner().runs).toHaveLength(0);
    await clock.advanceTo(Date.parse("2026-11-27T02:00:00Z"));
    expect(runner().runs).toHaveLength(1);
  });

  test("start while running is a no-op; continue=false injects continue:false", async () => {
    const { manager, clock, runner } = await setup();
    const task = await manager.createTask(makeTask("repair", { cron: "0 0 1 1 *", properties: { a: 1 } }));
    await manager.tasks.start(CLUSTER_ID, "repair", task.id, { continue: false });
    await clock.advance(0);
    expect(runner().last.ctx.properties).toEqual({ a: 1, continue: false });
    await manager.tasks.start(CLUSTER_ID, "repair", task.id);
    await clock.advance(0);
    expect(runner().runs).toHaveLength(1);
    runner().last.succeed();
    await clock.advance(0);
    await manager.tasks.start(CLUSTER_ID, "repair", task.id);
    await clock.advance(0);
    expect(runner().runs).toHaveLength(2);
    expect(runner().last.ctx.properties).toEqual({ a: 1 });
  });

  test("close → ABORTED; start() after a crash → ABORTED and started again", async () => {
    const { manager, clock, runner, runsOf, store } = await setup();
    const task = await manager.createTask(makeTask("repair", { cron: "0 0 1 1 *" }));
    await manager.tasks.start(CLUSTER_ID, "repair", task.id);
    await clock.advance(0);
    // crash: a second manager on the same store, the first never closed
    const { Manager } = await import("./manager.ts");
    const second = new Manager({ store, clock });
    const again = new ControlledRunner();
    second.registerRunner("repair", again);
    await second.start();
    await clock.advance(0);
    const runs = await runsOf(task);
    expect(runs.map((r) => r.status)).toEqual(["RUNNING", "ABORTED"]);
    expect(runs[1]?.cause).toBe("scheduler and all tasks were stopped");
    expect(again.runs).toHaveLength(1);
    await second.close();
    expect((await runsOf(task))[0]).toMatchObject({ status: "ABORTED", cause: "scheduler and all tasks were stopped" });
    runner().last.succeed();
  });
});

describe("exclusivity", () => {
  test("same type never overlaps; restore excludes everything; repair ∥ tablet_repair only with vnodes", async () => {
    const { manager, clock, runner, runsOf } = await setup(["repair", "tablet_repair", "backup", "restore"]);
    const r1 = await manager.createTask(makeTask("repair", { properties: { keyspace_replication: "vnodes" } }));
    await clock.advance(0);
    expect((await runsOf(r1))[0]?.status).toBe("RUNNING");
    const r2 = await manager.createTask(makeTask("repair"));
    await clock.advance(0);
    expect((await runsOf(r2))[0]).toMatchObject({ status: "ERROR", cause: "another task is running" });
    const tablet = await manager.createTask(makeTask("tablet_repair"));
    const backup = await manager.createTask(makeTask("backup"));
    const restore = await manager.createTask(makeTask("restore"));
    await clock.advance(0);
    expect((await runsOf(tablet))[0]?.status).toBe("RUNNING");
    expect((await runsOf(backup))[0]?.status).toBe("RUNNING");
    expect((await runsOf(restore))[0]).toMatchObject({ status: "ERROR", cause: "another task is running" });
    runner("repair").last.succeed();
    runner("tablet_repair").last.succeed();
    runner("backup").last.succeed();
    await clock.advance(0);
    const nonVnodes = await manager.createTask(makeTask("repair"));
    await clock.advance(0);
    const tablet2 = await manager.createTask(makeTask("tablet_repair"));
    await clock.advance(0);
    expect((await runsOf(tablet2))[0]).toMatchObject({ status: "ERROR", cause: "another task is running" });
    expect((await runsOf(nonVnodes))[0]?.status).toBe("RUNNING");
    expect((await runsOf(r1))[0]?.status).toBe("DONE");
  });
});

describe("suspend and resume", () => {
  test("suspend stops runs (STOPPED), keeps healthcheck, refuses creation; resume restarts running tasks", async () => {
    const { manager, clock, runner, runsOf, store } = await setup(["repair", "healthcheck"]);
    const repair = await manager.createTask(makeTask("repair", { cron: "0 0 1 1 *" }));
    const hc = await manager.createTask(makeTask("healthcheck", { cron: "* * * * *" }));
    await manager.tasks.start(CLUSTER_ID, "repair", repair.id);
    await clock.advance(0);
    await manager.suspend.suspend(CLUSTER_ID);
    await clock.advance(0);
    expect((await runsOf(repair))[0]).toMatchObject({
      status: "STOPPED",
      cause: "scheduler and all tasks were stopped",
    });
    expect(await store.getDrawer(CLUSTER_ID, "scheduler_suspended")).toMatchObject({ running_tasks: [repair.id] });
    const list = await manager.tasks.list(CLUSTER_ID);
    expect(list.find((e) => e.task.id === repair.id)?.suspended).toBe(true);
    expect(list.find((e) => e.task.id === hc.id)?.schedule.nextActivation).not.toBeNull();
    expect(manager.createTask(makeTask("repair"))).rejects.toThrow("cluster is suspended");
    await manager.suspend.resume(CLUSTER_ID, { startTasks: true });
    await clock.advance(0);
    expect(runner("repair").runs).toHaveLength(2);
    expect(await store.getDrawer(CLUSTER_ID, "scheduler_suspended")).toBeUndefined();
  });

  test("fail_if_running_tasks → 409, nothing stored", async () => {
    const { manager, clock, store } = await setup();
    await manager.createTask(makeTask("repair"));
    await clock.advance(0);
    const error = await manager.suspend.suspend(CLUSTER_ID, { policy: "fail_if_running_tasks" }).catch((e) => e);
    expect(error.status).toBe(409);
    expect(await store.getDrawer(CLUSTER_ID, "scheduler_suspended")).toBeUndefined();
  });

  test("suspend task with a duration creates the resume task, which resumes on time", async () => {
    const { manager, clock } = await setup();
    await manager.createTask(makeTask("suspend", { properties: { duration: "2h" } }));
    await clock.advance(0);
    expect(manager.suspend.isSuspended(CLUSTER_ID)).toBe(true);
    const resumeTask = await manager.store.getTask(CLUSTER_ID, "suspend", RESUME_TASK_ID);
    expect(resumeTask?.schedule.startDate).toBe("2026-11-25T12:00:00.000Z");
    await clock.advance(2 * HOUR);
    expect(manager.suspend.isSuspended(CLUSTER_ID)).toBe(false);
    expect((await manager.store.getTask(CLUSTER_ID, "suspend", RESUME_TASK_ID))?.enabled).toBe(false);
  });

  test("suspend state survives a restart", async () => {
    const { manager, store, clock } = await setup();
    await manager.suspend.suspend(CLUSTER_ID, { allowTaskType: "backup" });
    await manager.close();
    const { Manager } = await import("./manager.ts");
    const second = new Manager({ store, clock });
    await second.start();
    expect(second.suspend.details(CLUSTER_ID)?.allow_task_type).toBe("backup");
    expect(second.suspend.isAllowed(CLUSTER_ID, "backup")).toBe(true);
    expect(second.suspend.isAllowed(CLUSTER_ID, "repair")).toBe(false);
  });
});

describe("resume options", () => {
  test("start_tasks_missed_activation starts tasks whose activation passed while suspended; no_continue injects", async () => {
    const { manager, clock, runner } = await setup();
    await manager.createTask(makeTask("repair", { cron: "0 11 * * *" }));
    await manager.suspend.suspend(CLUSTER_ID);
    await clock.advanceTo(Date.parse("2026-11-25T12:00:00Z"));
    expect(runner().runs).toHaveLength(0);
    await manager.suspend.resume(CLUSTER_ID, { startTasksMissedActivation: true, noContinue: true });
    await clock.advance(0);
    expect(runner().runs).toHaveLength(1);
    expect(runner().last.ctx.properties).toEqual({ continue: false });
  });

  test("without it, the task waits for its next activation", async () => {
    const { manager, clock, runner } = await setup();
    await manager.createTask(makeTask("repair", { cron: "0 11 * * *" }));
    await manager.suspend.suspend(CLUSTER_ID);
    await clock.advanceTo(Date.parse("2026-11-25T12:00:00Z"));
    await manager.suspend.resume(CLUSTER_ID);
    await clock.advance(0);
    expect(runner().runs).toHaveLength(0);
    expect(iso((await manager.tasks.list(CLUSTER_ID))[0]?.schedule.nextActivation ?? null)).toBe(
      "2026-11-26T11:00:00.000Z",
    );
  });
});

describe("late runner registration", () => {
  test("tasks of a type whose runner is registered after start() get scheduled", async () => {
    const env = await createTestManager();
    await env.store.putTask(makeTask("backup", { cron: "0 * * * *" }));
    await env.manager.start();
    const runner = new ControlledRunner();
    env.manager.registerRunner("backup", runner);
    await env.clock.advance(HOUR);
    expect(runner.runs).toHaveLength(1);
  });
});

describe("special runs", () => {
  test("a permanent error is not retried", async () => {
    const { manager, clock, runsOf } = await setup();
    let calls = 0;
    manager.registerRunner("backup", {
      run: async () => {
        calls++;
        throw new PermanentRunError("bad target");
      },
    });
    const schedule = { ...makeTask("x").schedule, numRetries: 3, retryWaitSeconds: 60 };
    const task = await manager.createTask(makeTask("backup", { schedule }));
    await clock.advance(HOUR);
    expect(calls).toBe(1);
    expect((await runsOf(task))[0]).toMatchObject({ status: "ERROR", cause: "bad target" });
  });

  test("healthcheck successes share one fixed run id; failures keep their own", async () => {
    const { manager, clock, runner, runsOf } = await setup(["healthcheck"]);
    const task = await manager.createTask(makeTask("healthcheck", { cron: "* * * * *" }));
    for (const outcome of ["ok", "fail", "ok"]) {
      await clock.advance(MIN);
      if (outcome === "ok") runner().last.succeed();
      else runner().last.fail("ping failed");
      await clock.advance(0);
    }
    const runs = await runsOf(task);
    expect(runs.map((r) => r.status)).toEqual(["ERROR", "DONE"]);
    expect(runs[1]?.id).toBe(HEALTHCHECK_SUCCESS_RUN_ID);
    expect((await manager.store.getTask(CLUSTER_ID, "healthcheck", task.id))?.successCount).toBe(2);
  });
});

test("a task can be updated while its cluster is suspended; it is scheduled on resume", async () => {
  const { manager, clock } = await setup();
  const task = await manager.createTask(makeTask("repair", { cron: "0 12 * * *" }));
  await manager.suspend.suspend(CLUSTER_ID);
  const updated = await manager.tasks.update({ ...task, schedule: { ...task.schedule, cron: "0 13 * * *" } });
  expect(updated.schedule.cron).toBe("0 13 * * *");
  expect((await manager.tasks.list(CLUSTER_ID))[0]?.schedule.nextActivation).toBeNull();
  await manager.suspend.resume(CLUSTER_ID);
  await clock.advance(0);
  expect(iso((await manager.tasks.list(CLUSTER_ID))[0]?.schedule.nextActivation ?? null)).toBe(
    "2026-11-25T13:00:00.000Z",
  );
});
