/**
 * sctool task commands against a real server (our REST app on Bun.serve, port 0) with the internal mock runner.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { Registry } from "prom-client";
import * as v from "valibot";
import { ServerConfigSchema } from "../../config/server.ts";
import { Manager } from "../../manager/manager.ts";
import { makeCluster, makeTask } from "../../manager/testing.ts";
import { createApp } from "../../server/app.ts";
import { createMemoryStore } from "../../store/memory.ts";
import { createSilentLogger } from "../../util/log.ts";
import { runCli } from "../main.ts";

const CID = "33333333-3333-4333-8333-333333333333";
const store = createMemoryStore();
let manager: Manager;
let server: ReturnType<typeof Bun.serve>;
let env: Record<string, string>;

beforeAll(async () => {
  await store.putCluster(makeCluster(CID, "prod"));
  const config = v.parse(ServerConfigSchema, {});
  manager = new Manager({ store, config, enableTestRunners: true });
  await manager.start();
  const app = createApp({ store, config, logger: createSilentLogger(), metrics: new Registry(), manager });
  server = Bun.serve({ hostname: "127.0.40.1", port: 0, fetch: app.fetch });
  env = { SCYLLA_MANAGER_API_URL: `http://127.0.40.1:${server.port}/api/v1`, SCTOOL_ASCII_TABLES: "1", TZ: "UTC" };
});
afterAll(async () => {
  await manager.close();
  server.stop(true);
});

async function sctool(...argv: string[]) {
  let stdout = "";
  let stderr = "";
  const code = await runCli(argv, {
    io: {
      stdout: (t) => {
        stdout += t;
      },
      stderr: (t) => {
        stderr += t;
      },
      env,
    },
  });
  return { code, stdout, stderr };
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe("task resolution", () => {
  test("no tasks of type; ambiguity; did you mean", async () => {
    expect((await sctool("start", "-c", "prod", "mock")).stderr).toContain("Error: no tasks of type mock");
    await manager.createTask(
      makeTask("mock", { clusterId: CID, name: "nightly", schedule: { ...makeTask("x").schedule, cron: "@daily" } }),
    );
    await manager.createTask(
      makeTask("mock", { clusterId: CID, name: "weekly", schedule: { ...makeTask("x").schedule, cron: "@weekly" } }),
    );
    const ambiguous = await sctool("info", "-c", "prod", "mock");
    expect(ambiguous.code).toBe(1);
    expect(ambiguous.stderr).toContain("task ambiguity, use one of:\n- mock/");
    expect(ambiguous.stderr).toContain("- mock/nightly");
    expect(ambiguous.stderr).toContain("- mock/weekly");
    const typo = await sctool("info", "-c", "prod", "mock/nigthly");
    expect(typo.stderr).toContain("did you mean mock/nightly");
    expect((await sctool("info", "-c", "prod", "repiar")).stderr).toBe("Error: unknown task type repiar\n\n");
  });
});

describe("commands", () => {
  test("tasks lists per cluster; -c limits; --type filters", async () => {
    const all = await sctool("tasks");
    expect(all.code).toBe(0);
    expect(all.stdout).toContain(`Cluster: prod (${CID})`);
    expect(all.stdout).toContain("| mock/nightly");
    const one = await sctool("tasks", "-c", "prod", "--type", "mock", "--show-ids");
    expect(one.stdout).not.toContain("Cluster:");
    expect(one.stdout).toMatch(/\| mock\/[0-9a-f-]{36}/);
    expect((await sctool("tasks", "-c", "prod", "--status", "BOGUS")).stderr).toContain('invalid status "BOGUS"');
  });

  test("start, progress, info, stop --delete", async () => {
    await manager.createTask(
      makeTask("mock", {
        clusterId: CID,
        name: "long",
        properties: { duration: "30s" },
        schedule: { ...makeTask("x").schedule, cron: "@yearly" },
      }),
    );
    expect((await sctool("start", "-c", "prod", "mock/long")).code).toBe(0);
    await sleep(50);
    const progress = await sctool("progress", "-c", "prod", "mock/long");
    expect(progress.stdout).toMatch(/^Run:\t\t[0-9a-f-]{36}\nStatus:\t\tRUNNING\nStart time:\t/);
    const stop = await sctool("stop", "-c", "prod", "mock/long", "--delete");
    expect(stop.code).toBe(0);
    await sleep(50);
    const info = await sctool("info", "-c", "prod", "mock/nightly");
    expect(info.stdout).toContain("Name:\tmock/nightly\nCron:   ");
    expect(info.stdout).toContain("No runs yet.");
    expect((await sctool("tasks", "-c", "prod", "-a")).stdout).not.toContain("mock/long");
  });

  test("suspend, suspend with duration creates a task, resume; deprecated task list", async () => {
    expect((await sctool("suspend", "-c", "prod")).code).toBe(0);
    expect(manager.suspend.isSuspended(CID)).toBe(true);
    const listed = await sctool("tasks", "-c", "prod");
    expect(listed.stdout).toContain("[SUSPENDED]");
    expect((await sctool("resume", "-c", "prod")).code).toBe(0);
    expect(manager.suspend.isSuspended(CID)).toBe(false);
    const planned = await sctool(
      "suspend",
      "-c",
      "prod",
      "--duration",
      "1h",
      "--start-date",
      "now+1d",
      "--name",
      "maint",
    );
    expect(planned.code).toBe(0);
    expect(planned.stdout).toMatch(/^suspend\/[0-9a-f-]{36}\n$/);
    expect(manager.suspend.isSuspended(CID)).toBe(false);
    const updated = await sctool("suspend", "update", "-c", "prod", "--duration", "2h", "--on-resume-start-tasks");
    expect(updated.code).toBe(0);
    const [suspendTask] = await store.listTasks(CID, { type: "suspend" });
    expect(suspendTask?.properties).toEqual({ duration: "2h", start_tasks: true });
    expect((await sctool("suspend", "update", "-c", "prod")).stderr).toContain("Error: nothing to do");
    const bad = await sctool("suspend", "-c", "prod", "--on-resume-start-tasks");
    expect(bad.stderr).toContain("without --duration");
    const deprecated = await sctool("task", "list", "-c", "prod");
    expect(deprecated.code).toBe(0);
    expect(deprecated.stderr).toContain('Command "task" is deprecated');
    expect(deprecated.stdout).toContain("mock/nightly");
  });
});

describe("deprecated task update", () => {
  test("applies only the given schedule flags via GET → PUT; nothing to do without a flag; hidden from help", async () => {
    const created = makeTask("mock", {
      clusterId: CID,
      name: "to-update",
      labels: { keep: "1", drop: "2" },
      properties: { duration: "1s" },
      schedule: { ...makeTask("x").schedule, cron: "@weekly", numRetries: 3, timezone: "UTC" },
    });
    await manager.createTask(created);
    const none = await sctool("task", "update", "-c", "prod", "mock/to-update");
    expect(none.code).toBe(1);
    expect(none.stderr).toContain("Error: nothing to do");
    const updated = await sctool(
      "task",
      "update",
      "-c",
      "prod",
      "mock/to-update",
      "--cron",
      "0 23 * * SAT",
      "--label",
      "team=db,drop-",
      "--num-retries",
      "5",
      "--enabled=false",
    );
    expect(updated.code).toBe(0);
    expect(updated.stderr).toBe('Command "task" is deprecated\n');
    expect(updated.stdout).toBe("mock/to-update\n");
    const [stored] = (await store.listTasks(CID, { type: "mock" })).filter((t) => t.id === created.id);
    expect(stored?.schedule.cron).toBe("0 23 * * SAT");
    expect(stored?.schedule.numRetries).toBe(5);
    expect(stored?.schedule.timezone).toBe("UTC");
    expect(stored?.labels).toEqual({ keep: "1", team: "db" });
    expect(stored?.enabled).toBe(false);
    expect(stored?.properties).toEqual({ duration: "1s" });
    expect(stored?.name).toBe("to-update");
    const help = await sctool("--help");
    expect(help.stdout).toContain("  tasks ");
    expect(help.stdout).not.toMatch(/^ {2}task /m);
    expect((await sctool("task", "--help")).stdout).toContain("  update ");
  });
});

describe("suspend 409 (SM's pkg/command/suspend)", () => {
  test("fail_if_running_tasks: SM's client wraps the server message: '<message>: can't complete operation because tasks are running'", async () => {
    const busy = makeTask("mock", {
      clusterId: CID,
      name: "busy",
      properties: { duration: "30s" },
      schedule: { ...makeTask("x").schedule, cron: "@yearly" },
    });
    await manager.createTask(busy);
    expect((await sctool("start", "-c", "prod", "mock/busy")).code).toBe(0);
    await sleep(50);
    const refused = await sctool("suspend", "-c", "prod", "--suspend-policy", "fail_if_running_tasks");
    expect(refused.code).toBe(1);
    // The server's message (naming the running task) comes first, then SM's ErrRunningTasks text.
    expect(refused.stderr).toMatch(
      new RegExp(`Error: .*mock/${busy.id}.*: can't complete operation because tasks are running\\n`),
    );
    expect(manager.suspend.isSuspended(CID)).toBe(false);
    expect((await sctool("stop", "-c", "prod", "mock/busy", "--delete")).code).toBe(0);
  });
});

describe("tasks over every cluster (as `status`, SM's pkg/command/tasks)", () => {
  test("a cluster whose listing fails gets its error under its 'Cluster:' line and the command goes on", async () => {
    const all = await sctool("tasks", "--type", "bogus");
    expect(all.code).toBe(0);
    expect(all.stdout).toMatch(new RegExp(`Cluster: prod \\(${CID}\\)\\nError: .*unrecognized TaskType "bogus"\\n`));
    const one = await sctool("tasks", "-c", "prod", "--type", "bogus");
    expect(one.code).toBe(1);
    expect(one.stderr).toContain('unrecognized TaskType "bogus"');
  });
});

describe("suspend --duration 0 (SM's pkg/command/suspend)", () => {
  test("a zero duration is SM's plain suspend: no task, the cluster is suspended at once", async () => {
    const before = (await store.listTasks(CID, { type: "suspend" })).length;
    const zero = await sctool("suspend", "-c", "prod", "--duration", "0s");
    expect(zero.code).toBe(0);
    expect(zero.stdout).toBe("");
    expect(manager.suspend.isSuspended(CID)).toBe(true);
    expect((await store.listTasks(CID, { type: "suspend" })).length).toBe(before);
    expect((await sctool("resume", "-c", "prod")).code).toBe(0);
    expect(manager.suspend.isSuspended(CID)).toBe(false);
    const startsWithoutTime = await sctool("suspend", "-c", "prod", "--duration", "0s", "--on-resume-start-tasks");
    expect(startsWithoutTime.code).toBe(1);
    expect(startsWithoutTime.stderr).toContain("without --duration");
    expect(manager.suspend.isSuspended(CID)).toBe(false);
  });

  test("suspend update takes --on-resume-start-tasks alone (SM checks the duration on create only)", async () => {
    const planned = await sctool(
      "suspend",
      "-c",
      "prod",
      "--duration",
      "1h",
      "--start-date",
      "now+2d",
      "--name",
      "later",
    );
    expect(planned.code).toBe(0);
    const updated = await sctool("suspend", "update", "-c", "prod", "suspend/later", "--on-resume-start-tasks");
    expect(updated.stderr).toBe("");
    expect(updated.code).toBe(0);
    const later = (await store.listTasks(CID, { type: "suspend" })).find((t) => t.name === "later");
    expect(later?.properties).toEqual({ duration: "1h", start_tasks: true });
  });
});
