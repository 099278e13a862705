import { describe, expect, test } from "bun:test";
import { ScyllaApiError } from "../errors.ts";
import { createSilentLogger } from "../util/log.ts";
import { settleUnnamedTasks, unnamedBackupTasks } from "./leftovers.ts";
import { newProgressRow, type RunEnv } from "./worker.ts";

const stats = (task_id: string, over: Partial<{ type: string; state: string; keyspace: string }> = {}) => ({
  task_id,
  type: "backup",
  state: "running",
  keyspace: "ks1",
  table: "",
  ...over,
});

describe("unnamed native upload tasks", () => {
  test("live backup tasks of a backed-up keyspace that no row names; nothing else", () => {
    const tasks = [
      stats("mine"),
      stats("created", { state: "created" }),
      stats("named"),
      stats("done", { state: "done" }),
      stats("failed", { state: "failed" }),
      stats("other-ks", { keyspace: "ks9" }),
      stats("not-backup", { type: "download_sstables" }),
    ];
    const got = unnamedBackupTasks(tasks, new Set(["named"]), new Set(["ks1"]));
    expect(got.map((t) => t.task_id)).toEqual(["mine", "created"]);
  });

  /** An env whose Scylla answers `answer` for every call, recording the paths asked. */
  function fakeEnv(answer: (path: string) => unknown): { env: RunEnv; paths: string[]; logs: string[] } {
    const paths: string[] = [];
    const logs: string[] = [];
    const logger = createSilentLogger();
    logger.info = ((msg: string) => void logs.push(msg)) as typeof logger.info;
    const scylla = {
      requestJson: async (_method: string, path: string) => {
        paths.push(path);
        return answer(path);
      },
    };
    const env = {
      cluster: { scylla },
      hosts: [{ ip: "10.0.0.1" }],
      units: [{ keyspace: "ks1", tables: ["t"], allTables: true }],
      config: { longPollingTimeoutSeconds: 1 },
      signal: new AbortController().signal,
      logger,
    } as unknown as RunEnv;
    return { env, paths, logs };
  }

  test("listing unavailable (older Scylla: no snapshot module): the run goes on without waiting", async () => {
    const { env, paths, logs } = fakeEnv(() => {
      throw new ScyllaApiError("module snapshot not found", 400, "10.0.0.1");
    });
    await settleUnnamedTasks(env, []);
    expect(paths).toEqual(["/task_manager/list_module_tasks/snapshot"]);
    expect(logs.join("\n")).toContain("cannot list Scylla's backup tasks");
  });

  test("an unnamed running task is waited for until it ends; a named one is left to UPLOAD", async () => {
    let waits = 0;
    const { env, paths } = fakeEnv((path) => {
      if (path.startsWith("/task_manager/list_module_tasks/")) return [stats("orphan"), stats("named")];
      waits++;
      return { id: "orphan", state: waits < 3 ? "running" : "done", error: "" };
    });
    const row = newProgressRow("10.0.0.1", 0, "t");
    row.scylla_task_id = "named";
    await settleUnnamedTasks(env, [row]);
    expect(paths.slice(1)).toEqual(Array(3).fill("/task_manager/wait_task/orphan"));
  });
});
