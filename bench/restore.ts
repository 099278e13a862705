/**
 * Restore benchmark: `bun bench/restore.ts [--size-mib 256] [--agent-processes]`.
 *
 * Six emulated nodes (127.3.7.1-6, one DC, RF 3) with our agents in this process; a backup in SM's layout is written
 * to a local directory from the nodes' snapshots (`--size-mib` per table replica, three tables), then restored with
 * the `Restore` class (load&stream modelled by the emulator). Prints the DATA stage's download and load&stream
 * throughput per node and for the cluster beside `cp -r` of the same SSTable files, and this process's peak RSS
 * (VmHWM; agents, emulator and manager share it, so it bounds the agents' RSS from above). `--agent-processes` runs one
 * agent process per node instead (as in production): the emulator's work (it CRCs every loaded file) no longer stalls
 * the agents, and each agent's own peak RSS is printed.
 * Not run from S3 here (see test/external for the S3-compatible server).
 * @module
 */
import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Cluster } from "../src/cluster/cluster.ts";
import { Restore } from "../src/restore/restore.ts";
import { startAgents } from "../test/emulator/agents.ts";
import { startCluster } from "../test/emulator/index.ts";
import { writeTestBackup } from "../test/restore/bucket.ts";
import { type AgentProcesses, startAgentProcesses } from "./agent-processes.ts";

const args = process.argv.slice(2);
const sizeMiB = Number(args[args.indexOf("--size-mib") + 1] ?? 256) || 256;
const agentProcesses = args.includes("--agent-processes");
const TOKEN = "bench";
const TAG = "sm_20250101000000UTC";
const mib = (b: number) => `${(b / 1048576).toFixed(1)} MiB`;
const rate = (b: number, ms: number) =>
  ms > 0 ? `${((b / 1048576) * 1000) / ms >= 0 ? (((b / 1048576) * 1000) / ms).toFixed(1) : "?"} MiB/s` : "-";

const root = mkdtempSync(join(tmpdir(), "restore-bench-"));
mkdirSync(join(root, "bucket"));
const emu = await startCluster({
  dcs: [6],
  ipPrefix: "127.3.7.",
  schema: {
    keyspaces: [
      {
        name: "bench",
        replication: { class: "NetworkTopologyStrategy", replication_factor: 3 },
        tables: ["a", "b", "c"].map((name) => ({ name, size: `${sizeMiB}MiB` })),
      },
    ],
  },
});
const storage = { localstorage: { path: root } };
const agents: { close(): Promise<void> } & Partial<AgentProcesses> = agentProcesses
  ? await startAgentProcesses(emu.nodes, TOKEN, storage, root)
  : await startAgents(emu, { authToken: TOKEN, config: storage });
try {
  const sizes = await writeTestBackup(emu, {
    root,
    bucket: "bucket",
    clusterId: "11111111-2222-3333-4444-555555555555",
    taskId: "aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee",
    tag: TAG,
    keyspaces: ["bench"],
  });
  const total = [...sizes.values()].reduce((a, b) => a + b, 0);
  const cpDst = join(root, "cp");
  const cpStart = performance.now();
  execFileSync("cp", ["-r", join(root, "bucket", "backup", "sst"), cpDst]);
  const cpMs = performance.now() - cpStart;
  const cluster = await Cluster.connect({ host: emu.nodes[0]?.ip as string, authToken: TOKEN });
  try {
    const restore = await Restore.plan(cluster, {
      location: ["localstorage:bucket"],
      snapshotTag: TAG,
      keyspace: ["bench"],
      repair: null,
      batchSize: 0,
      timings: { jobPollSeconds: 1, loadRetryMs: 100 },
    });
    const start = performance.now();
    const result = await restore.run();
    const wallMs = performance.now() - start;
    const p = result.progress;
    console.log(`restore of ${mib(total)} from a local directory, 6 nodes (batch size 0)`);
    console.log(`cp -r of the same files: ${rate(total, cpMs)} (${cpMs.toFixed(0)} ms)`);
    console.log("host        downloaded   download rate   load&stream rate");
    let dBytes = 0;
    let dMs = 0;
    for (const h of p.hosts ?? []) {
      dBytes += h.downloaded_bytes;
      dMs = Math.max(dMs, h.download_duration);
      console.log(
        `${h.host.padEnd(11)} ${mib(h.downloaded_bytes).padStart(11)}   ${rate(h.downloaded_bytes, h.download_duration).padStart(13)}   ${rate(h.streamed_bytes, h.stream_duration).padStart(16)}`,
      );
    }
    console.log(
      `cluster download (bytes / longest host download time): ${rate(dBytes, dMs)}; ratio to cp -r ${(dBytes / dMs / (total / cpMs)).toFixed(2)}x`,
    );
    console.log(`whole run (all stages, wall): ${(wallMs / 1000).toFixed(1)} s, ${rate(p.restored, wallMs)}`);
    const hwm = /VmHWM:\s+(\d+) kB/.exec(readFileSync("/proc/self/status", "utf8"))?.[1];
    const who = agentProcesses ? "emulator + manager" : "agents + emulator + manager";
    console.log(`peak RSS of this process (${who}): ${hwm ? mib(Number(hwm) * 1024) : "?"}`);
    const agentRss = agents.peakRssMiB?.();
    if (agentRss)
      console.log(`peak RSS of each agent process: ${agentRss.map((m) => `${m.toFixed(0)} MiB`).join(", ")}`);
  } finally {
    await cluster.close();
  }
} finally {
  await agents.close();
  await emu.close();
  rmSync(root, { recursive: true, force: true });
}
