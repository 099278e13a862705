/**
 * `bun bench/api.ts`: the daemon (SQLite store) with 1,000 tasks in one cluster; `GET /cluster/{id}/tasks`
 * latency (p50/p99, sequential) and throughput (requests/s, 16 concurrent clients), plus the daemon's idle RSS.
 * Goal: p99 < 20 ms.
 */
import { readFileSync } from "node:fs";
import { makeCluster, makeTask } from "../src/manager/testing.ts";
import type { StoreWrite } from "../src/store/store.ts";
import { createDaemonEnv } from "../test/e2e/scheduler-daemon.ts";

const CID = "66666666-6666-4666-8666-666666666666";
const env = createDaemonEnv("127.0.40.4");

function rssMiB(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, "utf8");
  const kb = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0);
  return kb / 1024;
}

const percentile = (sorted: number[], p: number) =>
  sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))] ?? 0;

try {
  const store = await env.openStore();
  const writes: StoreWrite[] = [{ op: "putCluster", cluster: makeCluster(CID, "bench") }];
  for (let i = 0; i < 1000; i++) {
    const task = makeTask("mock", { clusterId: CID, name: `task-${i}`, properties: { duration: "0s" } });
    writes.push({ op: "putTask", task: { ...task, schedule: { ...task.schedule, cron: "@yearly", timezone: "UTC" } } });
  }
  await store.batch(writes);
  await store.close();

  const daemon = await env.start();
  const url = `${daemon.api}/cluster/${CID}/tasks`;
  await new Promise((r) => setTimeout(r, 2000));
  const idleRss = rssMiB(daemon.child.pid ?? 0);

  const get = async () => {
    const response = await fetch(url);
    const body = (await response.json()) as unknown[];
    if (response.status !== 200 || body.length !== 1000) throw new Error(`unexpected answer ${response.status}`);
  };
  for (let i = 0; i < 50; i++) await get();

  const latencies: number[] = [];
  for (let i = 0; i < 500; i++) {
    const started = performance.now();
    await get();
    latencies.push(performance.now() - started);
  }
  latencies.sort((a, b) => a - b);

  let done = 0;
  const until = performance.now() + 5000;
  await Promise.all(
    Array.from({ length: 16 }, async () => {
      while (performance.now() < until) {
        await get();
        done++;
      }
    }),
  );
  const loadedRss = rssMiB(daemon.child.pid ?? 0);
  await daemon.stop("SIGTERM");

  console.log("GET /cluster/{id}/tasks with 1,000 tasks (SQLite store, daemon in a child process)");
  console.log(
    `  sequential: p50 ${percentile(latencies, 0.5).toFixed(2)} ms, p99 ${percentile(latencies, 0.99).toFixed(2)} ms`,
  );
  console.log(`  16 concurrent clients: ${(done / 5).toFixed(0)} requests/s`);
  console.log(`  daemon RSS: idle ${idleRss.toFixed(1)} MiB, after load ${loadedRss.toFixed(1)} MiB`);
} finally {
  env.cleanup();
}
