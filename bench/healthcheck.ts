/**
 * `bun bench/healthcheck.ts`: latency (p50/p99) of a full health-check round — `GET /cluster/{id}/status`, which
 * reads the topology and pings CQL, REST and Alternator of every node and decorates it with node info — for 6 and
 * 60 emulated nodes with our agents, and the daemon's CPU time per round (from /proc of the daemon process).
 * Also the `GET /status` budgets of issue 5: 6 healthy nodes (≤ 100 ms) and one node's REST blackholed
 * (≤ 1 s timeout + 100 ms). Prints figures; asserts nothing.
 */
import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type EmulatedCluster, startCluster } from "../test/emulator/index.ts";

const TOKEN = "bench-token";
const API = "127.0.34.200:5080";
const API_URL = `http://${API}/api/v1`;
const TICKS_PER_SECOND = 100;

function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? 0;
}

function cpuMs(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  // Fields after "(comm) ": index 11 = utime, 12 = stime (clock ticks).
  return ((Number(fields[11]) + Number(fields[12])) * 1000) / TICKS_PER_SECOND;
}

async function startDaemon(dir: string): Promise<{ pid: number; stop(): void }> {
  const config = join(dir, "scylla-manager.yaml");
  writeFileSync(
    config,
    `http: ${API}\nprometheus: ""\ndebug: ""\nstore: memory\ndata_dir: ${dir}\nlogger:\n  level: error\n`,
  );
  const child = spawn(process.execPath, ["bin/scylla-manager.ts", "--daemon", "-c", config], { stdio: "inherit" });
  for (let i = 0; i < 100; i++) {
    const up = await fetch(`http://${API}/ping`).then(
      (r) => r.ok,
      () => false,
    );
    if (up) return { pid: child.pid ?? 0, stop: () => child.kill("SIGTERM") };
    await Bun.sleep(100);
  }
  child.kill("SIGKILL");
  throw new Error("the daemon did not start");
}

async function timeStatus(cluster: string): Promise<number> {
  const started = performance.now();
  const response = await fetch(`${API_URL}/cluster/${cluster}/status`);
  if (!response.ok) throw new Error(`status: HTTP ${response.status} ${await response.text()}`);
  await response.json();
  return performance.now() - started;
}

async function rounds(
  name: string,
  pid: number,
  count: number,
): Promise<{ p50: number; p99: number; max: number; cpuPerRound: number }> {
  for (let i = 0; i < 3; i++) await timeStatus(name);
  const cpuBefore = cpuMs(pid);
  const times: number[] = [];
  for (let i = 0; i < count; i++) times.push(await timeStatus(name));
  const cpuPerRound = (cpuMs(pid) - cpuBefore) / count;
  return { p50: percentile(times, 50), p99: percentile(times, 99), max: Math.max(...times), cpuPerRound };
}

const fmt = (ms: number) => `${ms.toFixed(1)} ms`;

async function benchCluster(nodesPerDc: number, count: number, withBlackhole: boolean): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), "bench-healthcheck-"));
  let cluster: EmulatedCluster | undefined;
  let daemon: { pid: number; stop(): void } | undefined;
  try {
    cluster = await startCluster({
      dcs: [nodesPerDc, nodesPerDc],
      ipPrefix: "127.0.34.",
      agents: { authToken: TOKEN },
      alternator: true,
    });
    daemon = await startDaemon(dir);
    const name = `bench${nodesPerDc * 2}`;
    const host = cluster.nodes[0]?.ip;
    // Discovery has SM's 5 s per-call timeout; on a loaded machine the first try may miss it.
    for (let attempt = 1; ; attempt++) {
      const created = await fetch(`${API_URL}/clusters`, {
        method: "POST",
        body: JSON.stringify({ host, name, auth_token: TOKEN }),
      });
      if (created.status === 201) break;
      const text = await created.text();
      if (attempt === 3) throw new Error(`cluster add: ${created.status} ${text}`);
      console.log(`cluster add failed (attempt ${attempt}), retrying: ${text}`);
    }
    const healthy = await rounds(name, daemon.pid, count);
    const n = nodesPerDc * 2;
    console.log(
      `${String(n).padStart(2)} nodes, full round (GET /status: topology + CQL/REST/Alternator pings + node info): ` +
        `p50 ${fmt(healthy.p50)}, p99 ${fmt(healthy.p99)}, max ${fmt(healthy.max)}; ` +
        `daemon CPU ${fmt(healthy.cpuPerRound)} per round (${count} rounds)`,
    );
    if (withBlackhole) {
      const victim = cluster.nodes[1]?.ip as string;
      await cluster.faults.blackhole(victim, "rest");
      const black = await rounds(name, daemon.pid, Math.min(count, 10));
      console.log(
        `${String(n).padStart(2)} nodes, ${victim} REST blackholed: p50 ${fmt(black.p50)}, p99 ${fmt(black.p99)}, ` +
          `max ${fmt(black.max)} (budget: 1 s timeout + 100 ms = 1100 ms)`,
      );
      console.log(
        `budget check: 6 healthy nodes p99 ${fmt(healthy.p99)} ${healthy.p99 <= 100 ? "≤" : ">"} 100 ms; ` +
          `blackholed max ${fmt(black.max)} ${black.max <= 1_100 ? "≤" : ">"} 1100 ms`,
      );
    }
  } finally {
    daemon?.stop();
    await cluster?.close();
    await Bun.sleep(200);
    rmSync(dir, { recursive: true, force: true });
  }
}

await benchCluster(3, 50, true);
await benchCluster(30, 20, false);
process.exit(0);
