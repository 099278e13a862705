/**
 * Real answers of an in-process server validate against the served document: every task, run, cluster, suspend and
 * error answer a client sees on a typical day, and the progress answers of the real builders (repair, backup,
 * restore). The e2e tests check more through `callApi` (test/support/in-process-server.ts), which validates every
 * answer it gets (cluster status, backups, files, schema, repair and validate_backup progress against the emulator).
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { Registry } from "prom-client";
import * as v from "valibot";
import { createServedDocValidator } from "../../../test/support/served-doc.ts";
import { aggregateProgress as backupProgress } from "../../backup/progress.ts";
import { ServerConfigSchema } from "../../config/server.ts";
import { Manager } from "../../manager/manager.ts";
import { makeCluster } from "../../manager/testing.ts";
import { aggregateProgress as repairProgress } from "../../repair/progress.ts";
import { aggregateRestoreProgress } from "../../restore/progress.ts";
import { createMemoryStore } from "../../store/memory.ts";
import { createSilentLogger } from "../../util/log.ts";
import { createApp } from "../app.ts";

const CID = "28888888-2222-4222-8222-222222222222";
const check = createServedDocValidator();
let manager: Manager;
let app: ReturnType<typeof createApp>;

beforeAll(async () => {
  const store = createMemoryStore();
  await store.putCluster(makeCluster(CID, "prod"));
  const config = v.parse(ServerConfigSchema, {});
  const metrics = new Registry();
  manager = new Manager({ store, config, metrics, enableTestRunners: true });
  manager.registerRunner("repair", {
    run: async () => undefined,
    getProgress: async () => repairProgress([], undefined, Date.now()),
  });
  manager.registerRunner("backup", {
    run: async () => undefined,
    getProgress: async () =>
      backupProgress(
        {
          snapshot_tag: "sm_20260101000000UTC",
          stage: "DONE",
          dc: ["dc1"],
          retention_lock_mode: "",
          override_retention_lock: false,
          retention_days: 0,
        } as never,
        [],
        Date.now(),
      ),
  });
  manager.registerRunner("restore", {
    run: async () => undefined,
    getProgress: async () =>
      aggregateRestoreProgress({ snapshot_tag: "sm_20260101000000UTC", units: [], views: [], stage: "" }, [], 0),
  });
  await manager.start();
  app = createApp({ store, config, logger: createSilentLogger(), metrics, manager });
});
afterAll(async () => {
  await manager.close();
});

/** Sends the request and answers the validation problem ("" when the answer matches the document). */
async function answer(method: string, path: string, body?: unknown): Promise<{ status: number; problem: string }> {
  const response = await app.request(`/api/v1${path}`, {
    method,
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  const json = text === "" ? undefined : JSON.parse(text);
  return { status: response.status, problem: check(method, path, response.status, json) };
}

describe("answers match the served openapi.json", () => {
  // PUT /cluster dials the nodes: the e2e tests check it (through callApi) against the emulator.
  test("version, leader, clusters, a cluster", async () => {
    for (const path of ["/version", "/leader", "/clusters", "/cluster/prod"]) {
      const { status, problem } = await answer("GET", path);
      expect(`GET ${path} ${status} ${problem}`).toBe(`GET ${path} 200 `);
    }
  });

  test("tasks: none (null), created, listed in full and short, read, updated, run, history, progress", async () => {
    expect(await answer("GET", `/cluster/${CID}/tasks`)).toEqual({ status: 200, problem: "" });
    const created = await answer("POST", `/cluster/${CID}/tasks`, {
      type: "repair",
      name: "nightly",
      labels: { team: "db" },
      schedule: { cron: "0 3 * * *", window: ["1:00", "5:00"], num_retries: 2 },
      properties: { keyspace: ["ks"] },
    });
    expect(created).toEqual({ status: 201, problem: "" });
    const list = await app.request(`/api/v1/cluster/${CID}/tasks?all=true`);
    const items = (await list.json()) as { id: string; type: string }[];
    const repair = items.find((t) => t.type === "repair")?.id ?? "";
    expect(repair).not.toBe("");
    const task = `/cluster/${CID}/task/repair/${repair}`;
    for (const [method, path, body] of [
      ["GET", `/cluster/${CID}/tasks?all=true`],
      ["GET", `/cluster/${CID}/tasks?short=true&all=true`],
      ["GET", task],
      ["PUT", task, { name: "nightly", enabled: true, labels: {}, schedule: { interval: "7d" } }],
      ["GET", `${task}/history`],
      ["GET", `${task}/latest`],
      ["PUT", `${task}/start`],
    ] as const) {
      const { status, problem } = await answer(method, path, body);
      expect(`${method} ${path} ${status} ${problem}`).toBe(`${method} ${path} 200 `);
    }
    // The run ends at once (the runner does nothing): its history row and its progress.
    let runs: { id: string; status: string }[] = [];
    for (let i = 0; i < 200 && !runs.some((r) => r.status === "DONE"); i++) {
      runs = (await (await app.request(`/api/v1${task}/history`)).json()) as typeof runs;
      if (!runs.some((r) => r.status === "DONE")) await new Promise((resolve) => setTimeout(resolve, 50));
    }
    expect(runs.map((r) => r.status)).toContain("DONE");
    expect(await answer("GET", `${task}/history`)).toEqual({ status: 200, problem: "" });
    expect(await answer("GET", `${task}/${runs[0]?.id}`)).toEqual({ status: 200, problem: "" });
  });

  test("backup and restore progress of their builders", async () => {
    for (const type of ["backup", "restore"]) {
      const created = await app.request(`/api/v1/cluster/${CID}/tasks`, {
        method: "POST",
        body: JSON.stringify({ type, name: `${type}-1`, properties: {} }),
      });
      expect(created.status).toBe(201);
      const id = created.headers.get("location")?.split("/").pop() ?? "";
      expect(await answer("GET", `/cluster/${CID}/task/${type}/${id}/latest`)).toEqual({ status: 200, problem: "" });
    }
  });

  test("suspend, its details, resume", async () => {
    for (const [method, path, body] of [
      ["PUT", `/cluster/${CID}/suspended`, true],
      ["GET", `/cluster/${CID}/suspended`],
      ["GET", `/cluster/${CID}/suspended/details`],
      ["PUT", `/cluster/${CID}/suspended`, false],
    ] as const) {
      const { status, problem } = await answer(method, path, body);
      expect(`${method} ${path} ${status} ${problem}`).toBe(`${method} ${path} 200 `);
    }
  });

  test("errors: unknown cluster, bad body, unknown task type", async () => {
    expect(await answer("GET", "/cluster/nope")).toEqual({ status: 404, problem: "" });
    expect(await answer("POST", `/cluster/${CID}/tasks`, { name: 5 })).toEqual({ status: 400, problem: "" });
    expect(await answer("GET", `/cluster/${CID}/tasks?type=nope`)).toEqual({ status: 400, problem: "" });
  });

  test("a wrong answer is caught", () => {
    expect(check("GET", "/version", 200, { version: 5 })).toContain("/version 200");
    expect(check("GET", `/cluster/${CID}/tasks`, 200, [{ cluster_id: CID }])).toContain("required");
  });
});
