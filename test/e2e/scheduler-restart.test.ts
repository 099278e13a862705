/**
 * A daemon killed mid-run: on restart the run is ABORTED ("scheduler and all tasks were stopped") and the task runs
 * again at once; a graceful stop aborts the new run too.
 */
import { afterAll, expect, test } from "bun:test";
import { makeCluster } from "../../src/manager/testing.ts";
import { createDaemonEnv, type RunningDaemon } from "./scheduler-daemon.ts";

const CID = "44444444-4444-4444-8444-444444444444";
const env = createDaemonEnv("127.0.40.2");
let daemon: RunningDaemon | undefined;
afterAll(async () => {
  await daemon?.stop("SIGKILL");
  env.cleanup();
});

async function api(method: string, path: string, body?: unknown) {
  const response = await fetch(`${daemon?.api}${path}`, {
    method,
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  return { status: response.status, headers: response.headers, json: text ? JSON.parse(text) : undefined };
}

async function waitFor<T>(probe: () => Promise<T | undefined>, ms = 5000): Promise<T> {
  const until = Date.now() + ms;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > until) throw new Error("timed out");
    await new Promise((r) => setTimeout(r, 25));
  }
}

test("SIGKILL mid-run, restart: ABORTED, then the task runs again", async () => {
  const store = await env.openStore();
  await store.putCluster(makeCluster(CID, "e2e"));
  await store.close();

  daemon = await env.start();
  const created = await api("POST", `/cluster/e2e/tasks`, {
    type: "mock",
    name: "long",
    schedule: { cron: "@yearly" },
    properties: { duration: "1h" },
  });
  expect(created.status).toBe(201);
  const taskPath = (created.headers.get("Location") ?? "").replace("/api/v1", "");
  expect((await api("PUT", `${taskPath}/start`)).status).toBe(200);
  const firstRun = await waitFor(async () => {
    const history = (await api("GET", `${taskPath}/history`)).json;
    return history[0]?.status === "RUNNING" ? history[0] : undefined;
  });

  expect(await daemon.stop("SIGKILL")).toBeNull();
  daemon = await env.start();
  const history = await waitFor(async () => {
    const runs = (await api("GET", `${taskPath}/history`)).json;
    return runs.length === 2 && runs[0].status === "RUNNING" ? runs : undefined;
  });
  expect(history[1]).toMatchObject({
    id: firstRun.id,
    status: "ABORTED",
    cause: "scheduler and all tasks were stopped",
  });
  // toBeDefined would also accept null: the aborted run must carry a real end time, not before its start.
  expect(Date.parse(history[1].end_time)).toBeGreaterThanOrEqual(Date.parse(history[1].start_time));

  expect(await daemon.stop("SIGTERM")).toBe(0);
  daemon = undefined;
  const after = await env.openStore();
  const runs = await after.listRuns(CID, "mock", taskPath.split("/").pop() ?? "", 0);
  await after.close();
  expect(runs.map((run) => run.status)).toEqual(["ABORTED", "ABORTED"]);
}, 20_000);
