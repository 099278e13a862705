/**
 * Restore benchmark: `bun bench/restore.ts [--size-mib 256] [--agent-processes] [--s3] [--transfers 0]
 * [--skip-baselines]`.
 *
 * Six emulated nodes (127.3.7.1-6, one DC, RF 3) with our agents in this process; a backup in SM's layout is written
 * to a local directory from the nodes' snapshots (`--size-mib` per table replica, three tables), then restored with
 * the `Restore` class (load&stream modelled by the emulator). Prints the DATA stage's download and load&stream
 * throughput per node and for the cluster beside a baseline copy of the same SSTable files, and peak RSS.
 * - Local (default): the backup is the agents' `localstorage`; the baseline is `cp -r --sparse=never` (the
 *   emulator's SSTables are sparse after a 64 KiB head; the agents write every byte, so must `cp`).
 * - `--s3`: the backup is uploaded (setup, not measured) to an S3-compatible server (SM_EXT_S3_ENDPOINT/KEY/SECRET,
 *   else MinIO from the external tier's cache on 127.3.7.250; bench/support/s3-server.ts) and restored from there;
 *   the baseline is Debian's `rclone copy` of each source node's SSTables from the bucket to a local dir, six in
 *   parallel (rclone's defaults). Needs rclone (it also does the upload).
 * `--agent-processes` runs one agent process per node (as in production): the emulator's work (it CRCs every loaded
 * file) no longer stalls the agents, and each agent's own peak RSS is printed; otherwise this process's peak RSS
 * (agents, emulator and manager share it) bounds the agents' from above. `--transfers` is the restore task's
 * (0 = 2 x shards, SM's default).
 * @module
 */
import { mkdirSync, mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Cluster } from "../src/cluster/cluster.ts";
import { Restore } from "../src/restore/restore.ts";
import { startAgents } from "../test/emulator/agents.ts";
import { startCluster } from "../test/emulator/index.ts";
import { writeTestBackup } from "../test/restore/bucket.ts";
import { type AgentProcesses, startAgentProcesses } from "./support/agent-processes.ts";
import { arg, MiB, NO_RCLONE, peakRssMiB, rcloneVersion, run, serverCpu, timed } from "./support/baseline.ts";
import { type BenchS3, startBenchS3 } from "./support/s3-server.ts";

const sizeMiB = Number(arg("size-mib", "256")) || 256;
const transfers = Number(arg("transfers", "0"));
const agentProcesses = process.argv.includes("--agent-processes");
const fromS3 = process.argv.includes("--s3");
const skipBaselines = process.argv.includes("--skip-baselines");
const TOKEN = "bench";
const TAG = "sm_20250101000000UTC";
const CLUSTER_ID = "11111111-2222-3333-4444-555555555555";
const mib = (b: number) => `${(b / MiB).toFixed(1)} MiB`;
const rateText = (b: number, ms: number) => (ms > 0 ? `${(((b / MiB) * 1000) / ms).toFixed(1)} MiB/s` : "-");

const root = mkdtempSync(join(tmpdir(), "restore-bench-"));
mkdirSync(join(root, "bucket"));
let s3: BenchS3 | undefined;
if (fromS3) {
  if (!rcloneVersion()) throw new Error(`--s3 needs Debian's rclone for the upload and the baseline: ${NO_RCLONE}`);
  const started = await startBenchS3("127.3.7.250", join(root, "minio"));
  if (typeof started === "string") throw new Error(`--s3: ${started}`);
  s3 = started;
  await s3.createBucket("bucket");
  console.log(`S3: ${s3.endpoint}`);
}
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
// The backup is written by the test helper into `root/bucket`; with --s3 that tree is uploaded and the agents see
// only the S3 server.
const storage = s3
  ? { s3: { provider: "Minio" as const, endpoint: s3.endpoint, access_key_id: s3.key, secret_access_key: s3.secret } }
  : { localstorage: { path: root } };
const agents: { close(): Promise<void> } & Partial<AgentProcesses> = agentProcesses
  ? await startAgentProcesses(emu.nodes, TOKEN, storage, root)
  : await startAgents(emu, { authToken: TOKEN, config: storage });
try {
  const sizes = await writeTestBackup(emu, {
    root,
    bucket: "bucket",
    clusterId: CLUSTER_ID,
    taskId: "aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee",
    tag: TAG,
    keyspaces: ["bench"],
  });
  const total = [...sizes.values()].reduce((a, b) => a + b, 0);
  const sstRoot = join(root, "bucket", "backup", "sst");
  let baseline = "";
  let baselineMs = 0;
  if (s3) {
    const env = s3.rcloneEnv();
    await timed(`upload of the backup to S3 (setup: rclone copy --transfers 8, ${mib(total)})`, () =>
      run("rclone", ["copy", "--transfers", "8", join(root, "bucket"), "benchs3:bucket"], env).then(() => undefined),
    );
    rmSync(join(root, "bucket"), { recursive: true, force: true });
    if (!skipBaselines) {
      // One rclone per source node, as each node's files would be copied; rclone's defaults (4 transfers,
      // multi-thread downloads above 250 MiB).
      const nodeDir = `backup/sst/cluster/${CLUSTER_ID}/dc/dc1/node`;
      const out = join(root, "rclone");
      const cpu0 = s3.cpuSeconds();
      let cpu = 0;
      const secs = await timed(`rclone copy from S3 (${rcloneVersion()}, 6 in parallel)`, () =>
        Promise.all(
          emu.nodes.map((n) => run("rclone", ["copy", `benchs3:bucket/${nodeDir}/${n.hostId}`, join(out, n.ip)], env)),
        ).then((each) => {
          cpu = each.reduce((a, b) => a + b, 0);
        }),
      );
      baseline = `rclone copy from S3; rclone CPU ${cpu.toFixed(1)} s${serverCpu(s3, cpu0)}`;
      baselineMs = secs * 1000;
      rmSync(out, { recursive: true, force: true });
    }
  } else if (!skipBaselines) {
    const cpDst = join(root, "cp");
    mkdirSync(cpDst);
    const secs = await timed("cp -r --sparse=never of the SSTables (6 in parallel)", () =>
      Promise.all(
        readdirSync(join(sstRoot, "cluster", CLUSTER_ID, "dc", "dc1", "node")).map((node) =>
          run("cp", [
            "-r",
            "--sparse=never",
            join(sstRoot, "cluster", CLUSTER_ID, "dc", "dc1", "node", node),
            join(cpDst, node),
          ]),
        ),
      ).then(() => undefined),
    );
    baseline = "cp -r";
    baselineMs = secs * 1000;
    rmSync(cpDst, { recursive: true, force: true });
  }
  if (baseline) console.log(`  ${baseline}: ${rateText(total, baselineMs)} cluster`);
  const cluster = await Cluster.connect({ host: emu.nodes[0]?.ip as string, authToken: TOKEN });
  try {
    const restore = await Restore.plan(cluster, {
      location: [s3 ? "s3:bucket" : "localstorage:bucket"],
      snapshotTag: TAG,
      keyspace: ["bench"],
      repair: null,
      batchSize: 0,
      transfers,
      timings: { jobPollSeconds: 1, loadRetryMs: 100 },
    });
    const cpu0 = s3?.cpuSeconds();
    const agentCpu0 = agents.cpuSeconds?.();
    const ownCpu0 = process.cpuUsage();
    const start = performance.now();
    const result = await restore.run();
    const wallMs = performance.now() - start;
    const p = result.progress;
    const who = agentProcesses ? "emulator + manager" : "agents + emulator + manager";
    console.log(
      `restore of ${mib(total)} from ${s3 ? "S3" : "a local directory"}, 6 nodes (batch size 0, transfers ${transfers})${s3 ? serverCpu(s3, cpu0) : ""}`,
    );
    console.log("host        downloaded   download rate   load&stream rate");
    let dBytes = 0;
    let dMs = 0;
    for (const h of p.hosts ?? []) {
      dBytes += h.downloaded_bytes;
      dMs = Math.max(dMs, h.download_duration);
      console.log(
        `${h.host.padEnd(11)} ${mib(h.downloaded_bytes).padStart(11)}   ${rateText(h.downloaded_bytes, h.download_duration).padStart(13)}   ${rateText(h.streamed_bytes, h.stream_duration).padStart(16)}`,
      );
    }
    const ratio =
      baselineMs > 0
        ? `; ratio to ${baseline.split(";")[0]} ${((dBytes / dMs) * (baselineMs / total)).toFixed(2)}x`
        : "";
    console.log(`cluster download (bytes / longest host download time): ${rateText(dBytes, dMs)}${ratio}`);
    console.log(`whole run (all stages, wall): ${(wallMs / 1000).toFixed(1)} s, ${rateText(p.restored, wallMs)}`);
    console.log(`peak RSS of this process (${who}): ${peakRssMiB().toFixed(0)} MiB`);
    const agentRss = agents.peakRssMiB?.();
    if (agentRss)
      console.log(`peak RSS of each agent process: ${agentRss.map((m) => `${m.toFixed(0)} MiB`).join(", ")}`);
    const agentCpu = agents.cpuSeconds?.().map((c, i) => c - (agentCpu0?.[i] ?? 0));
    if (agentCpu) {
      const sum = agentCpu.reduce((a, b) => a + b, 0);
      console.log(
        `agent CPU during the restore: ${agentCpu.map((c) => `${c.toFixed(1)} s`).join(", ")} (${sum.toFixed(1)} s)`,
      );
    }
    const own = process.cpuUsage(ownCpu0);
    console.log(`CPU of this process during the restore (${who}): ${((own.user + own.system) / 1e6).toFixed(1)} s`);
  } finally {
    await cluster.close();
  }
} finally {
  await agents.close();
  await emu.close();
  await s3?.close();
  rmSync(root, { recursive: true, force: true });
}
