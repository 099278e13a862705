/**
 * The agent's offline commands, measured: `bun bench/agent-offline.ts [--size-mib 1024] [-p N]`.
 *
 * 1. `download-files`: one node's backup in SM's layout is written to a local directory (the `localstorage`
 *    provider): 8 tables, SSTables of 9 components with a big Data.db, `--size-mib` in all, random bytes. The agent
 *    downloads it into an empty data dir as its own process (`-p` as given, else SM's default 2 x CPUs; no rate
 *    limit; no fsync, as rclone's local backend), printed beside `cp -r` of the same sst dir (no sync either), with
 *    the agent process's peak RSS.
 * 2. `benchmark`: a scenario of the same size (`create-scenario`, 64 MiB files) uploaded to the same local
 *    directory with `--rate-limit 0` (localstorage fsyncs each file), beside `cp -r` + `sync` of the scenario; with SM_EXT_S3_* set (see
 *    test/external/servers.sh) also to that S3 server.
 *
 * The agent runs from the sources under this Bun, as its own process (so its RSS is its own).
 * @module
 */
import { execFileSync } from "node:child_process";
import { randomFillSync } from "node:crypto";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  emptyManifestHeader,
  encodeManifest,
  type FilesMeta,
  manifestPath,
  sstVersionDir,
} from "../src/backup/layout/index.ts";

const args = process.argv.slice(2);
const flag = (name: string) => (args.includes(name) ? args[args.indexOf(name) + 1] : undefined);
const sizeMiB = Number(flag("--size-mib") ?? 1024) || 1024;
const CLUSTER = "11111111-2222-3333-4444-555555555555";
const NODE = "66666666-7777-4888-9999-aaaaaaaaaaaa";
const TASK = "aaaaaaaa-bbbb-4ccc-8ddd-eeeeeeeeeeee";
const TAG = "sm_20250101000000UTC";
const COMPONENTS = [
  "CompressionInfo.db",
  "Digest.crc32",
  "Filter.db",
  "Index.db",
  "Scylla.db",
  "Statistics.db",
  "Summary.db",
  "TOC.txt",
];
const rate = (bytes: number, ms: number) => `${(((bytes / 1048576) * 1000) / ms).toFixed(1)} MiB/s`;

const root = mkdtempSync(join(tmpdir(), "agent-offline-bench-"));
try {
  // ---- the bucket ----
  const bucket = join(root, "store", "bucket");
  const chunk = Buffer.alloc(4 * 1048576);
  randomFillSync(chunk);
  const writeRandom = (path: string, size: number) => {
    const parts: Buffer[] = [];
    for (let left = size; left > 0; left -= chunk.length) parts.push(chunk.subarray(0, Math.min(left, chunk.length)));
    writeFileSync(path, Buffer.concat(parts));
  };
  const total = sizeMiB * 1048576;
  const tables = 8;
  const perTable = Math.floor(total / tables);
  const index: FilesMeta[] = [];
  let files = 0;
  for (let t = 0; t < tables; t++) {
    const version = `${t.toString(16).padStart(2, "0")}${"0".repeat(30)}`;
    const dir = join(bucket, sstVersionDir(CLUSTER, "dc1", NODE, "bench", `t${t}`, version));
    mkdirSync(dir, { recursive: true });
    const names: string[] = [];
    let size = 0;
    // SSTables of ~64 MiB Data.db plus small components, as a table after compaction.
    for (let gen = 1, left = perTable; left > 0; gen++) {
      const data = Math.min(left, 64 * 1048576);
      left -= data;
      const prefix = `me-${gen}-big-`;
      writeRandom(join(dir, `${prefix}Data.db`), data);
      names.push(`${prefix}Data.db`);
      size += data;
      for (const c of COMPONENTS) {
        const small = c === "Index.db" ? Math.ceil(data / 64) : c === "Filter.db" ? Math.ceil(data / 512) : 64;
        writeRandom(join(dir, `${prefix}${c}`), small);
        names.push(`${prefix}${c}`);
        size += small;
      }
    }
    files += names.length;
    index.push({
      keyspace: "bench",
      table: `t${t}`,
      replication_type: "vnodes",
      version,
      files: names,
      size,
      scylla_manifests: null,
    });
  }
  const bytes = index.reduce((sum, m) => sum + m.size, 0);
  const manifest = {
    ...emptyManifestHeader(),
    version: "v2",
    cluster_name: "bench",
    ip: "127.7.60.1",
    dc: "dc1",
    cluster_id: CLUSTER,
    node_id: NODE,
    task_id: TASK,
    snapshot_tag: TAG,
    size: bytes,
    tokens: [1n],
    index,
  };
  const mpath = join(bucket, manifestPath(CLUSTER, "dc1", NODE, TASK, TAG));
  mkdirSync(join(mpath, ".."), { recursive: true });
  writeFileSync(mpath, await encodeManifest(manifest));
  const config = join(root, "agent.yaml");
  writeFileSync(config, `localstorage:\n  path: ${join(root, "store")}\n`);
  execFileSync("sync");

  // ---- download-files ----
  const cpStart = performance.now();
  execFileSync("cp", ["-r", join(bucket, "backup", "sst"), join(root, "cp-sst")]);
  const cpMs = performance.now() - cpStart;
  const data = join(root, "data");
  mkdirSync(data);
  const parallel = flag("-p");
  const dl = runAgent([
    "download-files",
    "-c",
    config,
    "-L",
    "localstorage:bucket",
    "-n",
    NODE,
    "-T",
    TAG,
    "-d",
    data,
    ...(parallel ? ["-p", parallel] : []),
  ]);
  console.log(
    `download-files: ${(bytes / 1048576).toFixed(0)} MiB in ${files} files, 8 tables, one node, local directory`,
  );
  console.log(`  cp -r (no sync)         ${(cpMs / 1000).toFixed(2)} s  ${rate(bytes, cpMs)}`);
  console.log(
    `  download-files          ${(dl.ms / 1000).toFixed(2)} s  ${rate(bytes, dl.ms)}  = ${(cpMs / dl.ms).toFixed(2)}x cp -r   peak RSS ${dl.maxRssMiB.toFixed(0)} MiB`,
  );
  rmSync(join(root, "cp-sst"), { recursive: true, force: true });
  rmSync(data, { recursive: true, force: true });

  // ---- benchmark ----
  const scenario = join(root, "scenario");
  runAgent([
    "benchmark",
    "create-scenario",
    "-d",
    scenario,
    "-s",
    "64",
    "-c",
    String(Math.max(1, Math.round(sizeMiB / 64))),
  ]);
  // Real bytes, not sparse files, so both sides read the disk.
  for (let i = 0; i < Math.max(1, Math.round(sizeMiB / 64)); i++) {
    writeRandom(join(scenario, `scenario${Math.max(1, Math.round(sizeMiB / 64))}x64mb_${i}`), 64 * 1048576);
  }
  execFileSync("sync");
  const scenarioBytes = Math.max(1, Math.round(sizeMiB / 64)) * 64 * 1048576;
  const cp2Start = performance.now();
  execFileSync("cp", ["-r", scenario, join(root, "cp-scenario")]);
  execFileSync("sync");
  const cp2Ms = performance.now() - cp2Start;
  rmSync(join(root, "cp-scenario"), { recursive: true, force: true });
  console.log(
    `benchmark: ${(scenarioBytes / 1048576).toFixed(0)} MiB in 64 MiB files, --rate-limit 0, rclone.transfers 2 (SM's default)`,
  );
  console.log(`  cp -r + sync            ${(cp2Ms / 1000).toFixed(2)} s  ${rate(scenarioBytes, cp2Ms)}`);
  const local = runAgent(["benchmark", "-c", config, "-L", "localstorage:bucket", "-d", scenario, "--rate-limit", "0"]);
  console.log(
    `  benchmark to local dir  ${(local.ms / 1000).toFixed(2)} s (whole command)  peak RSS ${local.maxRssMiB.toFixed(0)} MiB`,
  );
  console.log(indent(local.stderr));
  const env = process.env;
  if (env.SM_EXT_S3_ENDPOINT) {
    const s3config = join(root, "s3.yaml");
    writeFileSync(
      s3config,
      `s3:\n  endpoint: ${env.SM_EXT_S3_ENDPOINT}\n  provider: ${env.SM_EXT_S3_PROVIDER ?? "Minio"}\n  access_key_id: ${env.SM_EXT_S3_KEY}\n  secret_access_key: ${env.SM_EXT_S3_SECRET}\n`,
    );
    const s3 = runAgent([
      "benchmark",
      "-c",
      s3config,
      "-L",
      `s3:${env.SM_EXT_S3_BENCH_BUCKET ?? "agent-offline"}`,
      "-d",
      scenario,
      "--rate-limit",
      "0",
    ]);
    console.log(
      `  benchmark to S3 (${env.SM_EXT_S3_ENDPOINT})  exit ${s3.code}  peak RSS ${s3.maxRssMiB.toFixed(0)} MiB`,
    );
    console.log(indent(s3.stderr));
  } else console.log("  (no S3 server: set SM_EXT_S3_ENDPOINT/KEY/SECRET to benchmark against one)");
} finally {
  rmSync(root, { recursive: true, force: true });
}

function indent(text: string): string {
  return text
    .trimEnd()
    .split("\n")
    .map((l) => `    ${l}`)
    .join("\n");
}

/**
 * Runs the agent's command as its own process (the sources under this Bun): wall time, exit code, stderr, and the
 * child's own peak RSS (VmHWM, printed by the child as it exits: getrusage of children is the largest child so far).
 */
function runAgent(argv: string[]): { ms: number; code: number; stderr: string; maxRssMiB: number } {
  const script = `import { runAgentMain } from ${JSON.stringify(join(import.meta.dir, "../agent/main.ts"))};
const code = await runAgentMain(${JSON.stringify(argv)});
const hwm = /VmHWM:\\s+(\\d+)/.exec(require("node:fs").readFileSync("/proc/self/status", "utf8"));
process.stderr.write("\\nvmhwm " + (hwm ? hwm[1] : "0") + "\\n");
process.exit(code);`;
  const start = performance.now();
  const proc = Bun.spawnSync([process.execPath, "-e", script], { stdout: "pipe", stderr: "pipe" });
  const ms = performance.now() - start;
  let stderr = proc.stderr.toString();
  const m = /\nvmhwm (\d+)\n$/.exec(stderr);
  if (m) stderr = stderr.slice(0, m.index);
  if (proc.exitCode !== 0) console.log(`  ${argv[0]} exited ${proc.exitCode}: ${stderr.trim()}`);
  return { ms, code: proc.exitCode ?? -1, stderr, maxRssMiB: m ? Number(m[1]) / 1024 : Number.NaN };
}
