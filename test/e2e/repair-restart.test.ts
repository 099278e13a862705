/**
 * SIGKILL the daemon mid-repair (a child process with the SQLite store; the emulator with our agents on 127.1.7.x
 * in this process): after the restart the killed run is ABORTED, the task starts again and its new run resumes —
 * no range successfully repaired before the kill is repaired again, and the table ends fully repaired.
 */
import { afterAll, beforeAll, expect, test } from "bun:test";
import type { EmulatedCluster } from "../emulator/index.ts";
import { uncoveredRanges } from "../emulator/repair/ledger-checks.ts";
import { repairScheduler } from "../emulator/repair/scheduler.ts";
import { startRf2Cluster, waitFor } from "./repair-helpers.ts";
import { createDaemonEnv, type RunningDaemon } from "./scheduler-daemon.ts";

const TOKEN = "repair-restart";
const env = createDaemonEnv("127.1.7.100");
let emu: EmulatedCluster;
let daemon: RunningDaemon | undefined;

beforeAll(async () => {
  emu = await startRf2Cluster("127.1.7.", TOKEN);
}, 60_000);
afterAll(async () => {
  await daemon?.stop("SIGKILL");
  await emu?.close();
  env.cleanup();
});

async function api(method: string, path: string, body?: unknown) {
  const res = await fetch(`${daemon?.api}${path}`, {
    method,
    ...(body === undefined ? {} : { body: JSON.stringify(body), headers: { "content-type": "application/json" } }),
  });
  const text = await res.text();
  return { status: res.status, headers: res.headers, json: text ? JSON.parse(text) : undefined };
}

test("SIGKILL mid-run: ABORTED, the restarted run resumes where the killed one was", async () => {
  const sched = repairScheduler(emu.state);
  const bandwidth = sched.bandwidth;
  sched.bandwidth = bandwidth / 300;
  daemon = await env.start();
  const added = await api("POST", "/clusters", { host: "127.1.7.1", name: "emu", auth_token: TOKEN });
  expect(added.status).toBe(201);
  const created = await api("POST", "/cluster/emu/tasks", {
    type: "repair",
    enabled: true,
    properties: { keyspace: ["rf2"], small_table_threshold: 0, parallel: 1 },
  });
  expect(created.status).toBe(201);
  const taskPath = (created.headers.get("Location") ?? "").replace("/api/v1", "");
  await waitFor(
    () => (emu.ledger.repairs().filter((e) => e.outcome === "successful").length >= 2 ? true : undefined),
    60_000,
  );
  const firstRun = (await api("GET", `${taskPath}/latest`)).json.run;
  expect(firstRun.status).toBe("RUNNING");
  expect(await daemon.stop("SIGKILL")).toBeNull();
  const killedAt = emu.ledger.repairs().length;
  const doneBefore = new Set(
    emu.ledger
      .repairs()
      .filter((e) => e.outcome === "successful")
      .flatMap((e) => e.ranges.map((r) => `${r.start}:${r.end}`)),
  );
  sched.bandwidth = bandwidth;
  daemon = await env.start();
  const history = await waitFor(async () => {
    const runs = (await api("GET", `${taskPath}/history`)).json;
    return runs.length === 2 && runs[0].status === "DONE" ? runs : undefined;
  }, 60_000);
  expect(history[1]).toMatchObject({ id: firstRun.id, status: "ABORTED" });
  const after = emu.ledger
    .repairs()
    .slice(killedAt)
    .filter((e) => e.outcome === "successful");
  expect(after.length).toBeGreaterThan(0);
  for (const e of after) for (const r of e.ranges) expect(doneBefore.has(`${r.start}:${r.end}`)).toBe(false);
  expect(uncoveredRanges(emu.state, "rf2", "a")).toEqual([]);
  const progress = (await api("GET", `${taskPath}/latest`)).json.progress;
  expect(progress.success_percentage).toBe(100);
  expect(await daemon.stop("SIGTERM")).toBe(0);
  daemon = undefined;
}, 120_000);
