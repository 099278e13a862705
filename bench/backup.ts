/**
 * Backup benchmark: `bun bench/backup.ts [--per-node-mib 512] [--transfers -1] [--skip-baselines] [--s3]`.
 *
 * 1. Starts 6 emulated nodes (127.2.9.1-6) with our agents, `localstorage` in a temp dir, one keyspace at RF 6 whose
 *    tables hold `--per-node-mib` per node in realistic SSTable sets (1-4 SSTables per table, 9 components each).
 * 2. Runs a full backup with the `Backup` class (rate limit 0 = unlimited, SM's default transfers) and prints the
 *    wall time, cluster throughput and per-node upload throughput (from the progress rows).
 * 3. Baselines on the same trees (6 copies in parallel, one per node): `cp -r --sparse=never` (the emulator's
 *    SSTables are sparse after a 64 KiB head; plain `cp -r` would only copy the holes' metadata) and Debian's
 *    `rclone copy` when installed.
 * 4. Manifest build: encode a manifest of 10,000 tables x 10 SSTables (9 components each) and print time and heap.
 * Prints the process peak RSS (VmHWM): emulator, 6 agents and the backup in one process. `--agent-processes` runs
 * each agent as its own `scylla-manager-agent` process (as on real nodes) and prints each agent's peak RSS.
 * `--store-dir DIR`: the local target and the cp/rclone copies under DIR instead of beside the data (on one
 * filesystem the backup's moves are renames; on another every byte is copied, for the backup and cp alike).
 * `--s3`: the same to an S3-compatible server (SM_EXT_S3_ENDPOINT/KEY/SECRET, else MinIO from the external tier's
 * cache on 127.2.9.250; bench/support/s3-server.ts) instead of a local directory; the baseline is Debian's `rclone copy` of
 * the 6 trees to the same server (no `cp`).
 * @module
 */
import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Backup } from "../src/backup/backup.ts";
import { encodeManifest, type FilesMeta, type Manifest } from "../src/backup/layout/index.ts";
import { Cluster } from "../src/cluster/cluster.ts";
import { startCluster } from "../test/emulator/index.ts";
import { type AgentProcesses, startAgentProcesses } from "./support/agent-processes.ts";
import { arg, MiB, NO_RCLONE, peakRssMiB, rcloneVersion, run, serverCpu, timed } from "./support/baseline.ts";
import { type BenchS3, startBenchS3 } from "./support/s3-server.ts";

const perNodeMiB = Number(arg("per-node-mib", "512"));
const transfers = Number(arg("transfers", "-1"));
const skipBaselines = process.argv.includes("--skip-baselines");
const toS3 = process.argv.includes("--s3");
const agentProcesses = process.argv.includes("--agent-processes");
// Where the local target and the cp/rclone copies go: by default beside the data (one filesystem, so the backup's
// moves are renames); another filesystem (e.g. /dev/shm) makes every byte cross it, for the backup and cp alike.
const storeDir = arg("store-dir", "");
const TOKEN = "bench";

const dir = mkdtempSync(join(tmpdir(), "bench-backup-"));
const out = storeDir === "" ? dir : mkdtempSync(join(storeDir, "bench-backup-out-"));
try {
  const tables = 8;
  const schema = {
    keyspaces: [
      {
        name: "bench",
        replication: { class: "NetworkTopologyStrategy", replication_factor: 6 },
        tables: Array.from({ length: tables }, (_, i) => ({
          name: `t${i}`,
          size: `${Math.ceil(perNodeMiB / tables)}MiB`,
        })),
      },
    ],
  };
  mkdirSync(join(out, "store", "backups"), { recursive: true });
  let s3: BenchS3 | undefined;
  if (toS3) {
    const started = await startBenchS3("127.2.9.250", join(dir, "minio"));
    if (typeof started === "string") throw new Error(`--s3: ${started}`);
    s3 = started;
    await s3.createBucket("backups");
    await s3.createBucket("rclone");
    console.log(`S3: ${s3.endpoint}`);
  }
  const storage = s3
    ? { s3: { provider: "Minio" as const, endpoint: s3.endpoint, access_key_id: s3.key, secret_access_key: s3.secret } }
    : { localstorage: { path: join(out, "store") } };
  const where = s3 ? "S3" : "localstorage";
  console.log(`6 nodes x ${perNodeMiB} MiB (${tables} tables, RF 6) in ${dir}, to ${where}`);
  const emu = await startCluster({
    dcs: [6],
    ipPrefix: "127.2.9.",
    dir: join(dir, "emu"),
    schema,
    agents: agentProcesses ? undefined : { authToken: TOKEN, config: storage },
  });
  let agents: AgentProcesses | undefined;
  if (agentProcesses) agents = await startAgentProcesses(emu.nodes, TOKEN, storage, dir);
  const totalBytes = perNodeMiB * MiB * 6;
  try {
    if (!skipBaselines && s3) {
      const rclone = rcloneVersion();
      if (rclone) {
        const env = s3.rcloneEnv();
        const cpu0 = s3.cpuSeconds();
        const rcSecs = await timed(`rclone copy to S3 (${rclone}, 6 in parallel)`, async () => {
          await Promise.all(
            emu.nodes.map((n, i) => run("rclone", ["copy", join(n.dataDir, "bench"), `benchs3:rclone/${i}`], env)),
          );
        });
        console.log(`  rclone: ${(totalBytes / MiB / rcSecs).toFixed(0)} MiB/s cluster${serverCpu(s3, cpu0)}`);
      } else console.log(NO_RCLONE);
    }
    if (!skipBaselines && !s3) {
      const cpOut = join(out, "cp");
      mkdirSync(cpOut, { recursive: true });
      const cpSecs = await timed("cp -r --sparse=never (6 in parallel)", async () => {
        await Promise.all(
          emu.nodes.map((n, i) =>
            run("cp", ["-r", "--sparse=never", join(n.dataDir, "bench"), join(cpOut, String(i))]),
          ),
        );
      });
      console.log(`  cp: ${(totalBytes / MiB / cpSecs).toFixed(0)} MiB/s cluster`);
      rmSync(cpOut, { recursive: true, force: true });
      const rclone = rcloneVersion();
      if (rclone) {
        const rcOut = join(out, "rclone");
        const rcSecs = await timed(`rclone copy (${rclone}, 6 in parallel)`, async () => {
          await Promise.all(
            emu.nodes.map((n, i) => run("rclone", ["copy", join(n.dataDir, "bench"), join(rcOut, String(i))])),
          );
        });
        console.log(`  rclone: ${(totalBytes / MiB / rcSecs).toFixed(0)} MiB/s cluster`);
        rmSync(rcOut, { recursive: true, force: true });
      } else console.log(NO_RCLONE);
    }
    const cluster = await Cluster.connect({ host: emu.nodes[0]?.ip ?? "", authToken: TOKEN });
    const backup = await Backup.plan(cluster, {
      location: [s3 ? "s3:backups" : "localstorage:backups"],
      keyspace: ["bench"],
      rateLimit: ["0"],
      transfers,
      skipSchema: true,
    });
    let result: Awaited<ReturnType<Backup["run"]>> | undefined;
    // Where the wall time goes: when each stage was first seen in a progress event.
    const stageSeen: Array<[string, number]> = [];
    backup.on("progress", (e: { stage: string }) => {
      if (stageSeen.at(-1)?.[0] !== e.stage) stageSeen.push([e.stage, performance.now()]);
    });
    const cpu0 = s3?.cpuSeconds();
    const agentCpu0 = agents?.cpuSeconds();
    const benchCpu0 = process.cpuUsage();
    const tRun = performance.now();
    const secs = await timed(`backup (Backup class, 6 agents, ${where})`, async () => {
      result = await backup.run();
    });
    const p = result?.progress;
    const tEnd = performance.now();
    const benchCpu = process.cpuUsage(benchCpu0);
    const agentCpu = agents?.cpuSeconds().map((s, i) => s - (agentCpu0?.[i] ?? 0));
    console.log(
      `  stages: ${stageSeen
        .map(([stage, t], i) => `${stage} ${(((stageSeen[i + 1]?.[1] ?? tEnd) - t) / 1000).toFixed(2)} s`)
        .join(", ")} (first event after ${(((stageSeen[0]?.[1] ?? tEnd) - tRun) / 1000).toFixed(2)} s)`,
    );
    console.log(
      `  bytes: ${((p?.size ?? 0) / MiB).toFixed(0)} MiB; cluster: ${((p?.size ?? 0) / MiB / secs).toFixed(0)} MiB/s${s3 ? serverCpu(s3, cpu0) : ""}`,
    );
    // Where the CPU of the run went (2 cores shared with the machine's other load): the manager and the emulated
    // Scylla share this process; each agent is its own process with --agent-processes.
    console.log(
      `  CPU during the backup: manager + emulator ${((benchCpu.user + benchCpu.system) / 1e6).toFixed(2)} s${agentCpu ? `, agents ${agentCpu.map((s) => s.toFixed(2)).join(" + ")} s` : ""}`,
    );
    for (const h of p?.hosts ?? []) {
      const d = (Date.parse(h.completed_at ?? "") - Date.parse(h.started_at ?? "")) / 1000;
      console.log(
        `  ${h.host}: ${(h.size / MiB).toFixed(0)} MiB in ${d.toFixed(2)} s upload = ${(h.size / MiB / d).toFixed(0)} MiB/s`,
      );
    }
    if (agents) {
      console.log(
        `  agent peak RSS: ${agents
          .peakRssMiB()
          .map((m) => `${m.toFixed(0)} MiB`)
          .join(", ")}`,
      );
      console.log(
        `  agent CPU (since start): ${agents
          .cpuSeconds()
          .map((s) => `${s.toFixed(1)} s`)
          .join(", ")}`,
      );
    }
    await cluster.close();
  } finally {
    await agents?.close();
    await emu.close();
    await s3?.close();
  }
  // Manifest of 10,000 tables x 10 SSTables x 9 components.
  const components = [
    "Data.db",
    "Index.db",
    "Filter.db",
    "Summary.db",
    "Statistics.db",
    "CompressionInfo.db",
    "Digest.crc32",
    "TOC.txt",
    "Scylla.db",
  ];
  const heap0 = process.memoryUsage().heapUsed;
  const t0 = performance.now();
  const index: FilesMeta[] = [];
  for (let t = 0; t < 10_000; t++) {
    const files: string[] = [];
    for (let s = 0; s < 10; s++)
      for (const c of components) files.push(`me-3g${t.toString(36)}_0${s}xx_2abcdefghijklmnop${s}-big-${c}`);
    index.push({
      keyspace: `ks${t % 10}`,
      table: `table_${t}`,
      replication_type: "vnodes",
      version: "0123456789abcdef0123456789abcdef",
      files,
      size: 1_000_000,
      scylla_manifests: null,
    });
  }
  const manifest: Manifest = {
    version: "v2",
    scylla_version: "2025.1.0",
    cluster_name: "bench",
    ip: "127.2.9.1",
    size: 1e10,
    tokens: Array.from({ length: 256 }, (_, i) => BigInt(i) * 72057594037927936n - 9223372036854775808n),
    schema: "",
    rack: "rack1",
    shard_count: 8,
    cpu_count: 8,
    storage_size: 1e12,
    instance_details: {},
    dc: "dc1",
    cluster_id: "3e99d4a8-67d2-45fe-87fb-87b1b90ea2dc",
    node_id: "01c9349e-89e6-4ceb-a727-4f27f9f2acce",
    task_id: "f70117d8-c10e-4e90-9606-2587936b3757",
    snapshot_tag: "sm_20260101000000UTC",
    index,
  };
  const gz = await encodeManifest(manifest);
  const ms = performance.now() - t0;
  console.log(
    `manifest 10,000 tables x 10 SSTables: built+encoded in ${ms.toFixed(0)} ms, ${(gz.length / MiB).toFixed(1)} MiB gz, heap +${((process.memoryUsage().heapUsed - heap0) / MiB).toFixed(0)} MiB`,
  );
  console.log(`process peak RSS (emulator + 6 agents + backup, one process): ${peakRssMiB().toFixed(0)} MiB`);
} finally {
  rmSync(dir, { recursive: true, force: true });
  rmSync(out, { recursive: true, force: true });
}
