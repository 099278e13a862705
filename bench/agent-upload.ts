/**
 * Agent upload benchmark: `bun bench/agent-upload.ts [--size-mib 2048] [--files 10000] [--transfers 2] [--skip-s3]`.
 *
 * 1. Builds a snapshot-like tree (`--files` files, `--size-mib` in total) in a data dir.
 * 2. Times plain `cp -r` of the tree (the baseline).
 * 3. Starts the agent as its own process (`agent/main.ts`, a fake Scylla REST API in this process), copies the tree
 *    to `localstorage:` with `sync/copydir` (a real copy), then moves it there with `sync/movedir` (renames: one
 *    filesystem; SM's backup upload call), then from there to S3 when D2's
 *    `test/external/servers.sh` can start MinIO/moto. Prints throughput, the ratio to `cp -r`, and the agent's
 *    peak RSS (VmHWM).
 * 4. Proxy overhead: p50/p99 of `GET /storage_service/host_id` through the agent vs. straight to the Scylla API
 *    (the emulator when `test/emulator/index.ts` exists, else the fake).
 * @module
 */
import { randomBytes } from "node:crypto";
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startFakeScylla } from "../agent/testing/fake-scylla.ts";

const ROOT = join(import.meta.dir, "..");
const BUN = process.execPath;
const IP = "127.0.22.1";
const TOKEN = "bench-token";

interface Args {
  sizeMiB: number;
  files: number;
  transfers: number;
  skipS3: boolean;
  requests: number;
  /** Run the agent process with `bun --smol` (more frequent GC, smaller heap). */
  smol: boolean;
}

function parseArgs(argv: string[]): Args {
  const args: Args = { sizeMiB: 2048, files: 10_000, transfers: 2, skipS3: false, requests: 2000, smol: false };
  for (let i = 0; i < argv.length; i++) {
    const next = () => Number(argv[++i]);
    switch (argv[i]) {
      case "--size-mib":
        args.sizeMiB = next();
        break;
      case "--files":
        args.files = next();
        break;
      case "--transfers":
        args.transfers = next();
        break;
      case "--requests":
        args.requests = next();
        break;
      case "--smol":
        args.smol = true;
        break;
      case "--skip-s3":
        args.skipS3 = true;
        break;
      default:
        throw new Error(`unknown flag ${argv[i]}`);
    }
  }
  return args;
}

const MiB = 1024 * 1024;
const fmt = (n: number, d = 1) => n.toFixed(d);

/** Writes `files` files totalling `bytes` under `dir` (SSTable-like names, 8 per generation). */
function buildTree(dir: string, files: number, bytes: number): void {
  mkdirSync(dir, { recursive: true });
  const block = randomBytes(4 * MiB);
  const per = Math.floor(bytes / files);
  const components = [
    "Data.db",
    "Index.db",
    "Filter.db",
    "Statistics.db",
    "Summary.db",
    "TOC.txt",
    "CompressionInfo.db",
    "Digest.crc32",
  ];
  for (let i = 0; i < files; i++) {
    const name = `me-${Math.floor(i / components.length) + 1}-big-${components[i % components.length]}`;
    const size = i === files - 1 ? bytes - per * (files - 1) : per;
    const offset = (i * 4099) % (block.length - Math.min(size, block.length));
    if (size <= block.length) writeFileSync(join(dir, name), block.subarray(offset, offset + size));
    else {
      const parts: Buffer[] = [];
      for (let left = size; left > 0; left -= block.length) parts.push(block.subarray(0, Math.min(left, block.length)));
      writeFileSync(join(dir, name), Buffer.concat(parts));
    }
  }
}

function treeStats(dir: string): { files: number; bytes: number } {
  let files = 0;
  let bytes = 0;
  for (const entry of readdirSync(dir, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile()) continue;
    files++;
    bytes += statSync(join(entry.parentPath, entry.name)).size;
  }
  return { files, bytes };
}

async function timeCp(src: string, dst: string): Promise<number> {
  const start = performance.now();
  const proc = Bun.spawn(["cp", "-r", src, dst]);
  if ((await proc.exited) !== 0) throw new Error("cp -r failed");
  Bun.spawnSync(["sync"]);
  return (performance.now() - start) / 1000;
}

/** Peak and current RSS of a process from /proc (Linux). */
function memoryOf(pid: number): { hwm: number; rss: number } {
  const status = readFileSync(`/proc/${pid}/status`, "utf8");
  const kb = (key: string) => Number(new RegExp(`^${key}:\\s+(\\d+) kB`, "m").exec(status)?.[1] ?? "0") * 1024;
  return { hwm: kb("VmHWM"), rss: kb("VmRSS") };
}

interface AgentProcess {
  url: string;
  pid: number;
  rc(call: string, body: unknown, query?: string): Promise<Record<string, unknown>>;
  get(path: string): Promise<Response>;
  stop(): Promise<void>;
}

async function spawnAgent(configFile: string, port: number, smol = false): Promise<AgentProcess> {
  const proc = Bun.spawn([BUN, ...(smol ? ["--smol"] : []), join(ROOT, "agent/main.ts"), "-c", configFile], {
    stdout: "ignore",
    stderr: "pipe",
  });
  const url = `https://${IP}:${port}`;
  const tls = { rejectUnauthorized: false };
  const deadline = Date.now() + 30_000;
  for (;;) {
    try {
      if ((await fetch(`${url}/ping`, { tls } as RequestInit)).status === 204) break;
    } catch {
      // not up yet
    }
    if (Date.now() > deadline || proc.exitCode !== null) {
      proc.kill();
      throw new Error(`agent did not start: ${await new Response(proc.stderr).text()}`);
    }
    await Bun.sleep(100);
  }
  const headers = { authorization: `Bearer ${TOKEN}`, "content-type": "application/json" };
  return {
    url,
    pid: proc.pid,
    async rc(call, body, query = "") {
      const res = await fetch(`${url}/agent/rclone/${call}${query}`, {
        method: "POST",
        headers,
        body: JSON.stringify(body),
        tls,
      } as RequestInit);
      const json = (await res.json()) as Record<string, unknown>;
      if (!res.ok) throw new Error(`${call}: HTTP ${res.status}: ${JSON.stringify(json)}`);
      return json;
    },
    get: (path) => fetch(`${url}${path}`, { headers, tls } as RequestInit),
    async stop() {
      proc.kill("SIGTERM");
      await proc.exited;
    },
  };
}

/** Runs an async movedir and samples the agent's RSS while it runs. */
async function moveDir(
  agent: AgentProcess,
  body: Record<string, unknown>,
  call = "sync/movedir",
): Promise<{ seconds: number; peakRss: number; progress: Record<string, unknown> }> {
  let peakRss = 0;
  const sampler = setInterval(() => {
    peakRss = Math.max(peakRss, memoryOf(agent.pid).rss);
  }, 50);
  const start = performance.now();
  const { jobid } = (await agent.rc(call, body, "?_async=true")) as { jobid: number };
  let progress: Record<string, unknown>;
  for (;;) {
    progress = await agent.rc("job/progress", { jobid, wait: 1 });
    if (progress.status !== "running") break;
  }
  const seconds = (performance.now() - start) / 1000;
  clearInterval(sampler);
  await agent.rc("core/stats-delete", { group: `job/${jobid}` });
  if (progress.status !== "success") throw new Error(`${call} failed: ${JSON.stringify(progress)}`);
  return { seconds, peakRss: Math.max(peakRss, memoryOf(agent.pid).rss), progress };
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? 0;
}

async function latencies(n: number, call: () => Promise<Response>): Promise<{ p50: number; p99: number }> {
  for (let i = 0; i < 50; i++) await (await call()).arrayBuffer(); // warm up connections
  const samples: number[] = [];
  for (let i = 0; i < n; i++) {
    const start = performance.now();
    const res = await call();
    await res.arrayBuffer();
    if (res.status !== 200) throw new Error(`HTTP ${res.status}`);
    samples.push(performance.now() - start);
  }
  samples.sort((a, b) => a - b);
  return { p50: percentile(samples, 50), p99: percentile(samples, 99) };
}

/** D2's external-tier helper starts MinIO (or moto) when it can; returns the S3 env or the reason it could not. */
async function startS3(state: string): Promise<{ env: Record<string, string> } | { skip: string }> {
  const script = join(ROOT, "test/external/servers.sh");
  if (!existsSync(script)) return { skip: "test/external/servers.sh (D2's S3 helper) is not in the tree" };
  const proc = Bun.spawn(["bash", script, "start_s3"], {
    env: { ...process.env, STATE: state, ROOT },
    stdout: "ignore",
    stderr: "pipe",
  });
  const code = await proc.exited;
  const envFile = join(state, "env");
  const env: Record<string, string> = {};
  if (existsSync(envFile)) {
    for (const line of readFileSync(envFile, "utf8").split("\n")) {
      const m = /^export ([A-Z0-9_]+)=(.*)$/.exec(line);
      if (m?.[1] && m[2] !== undefined) env[m[1]] = m[2].replace(/^'(.*)'$/, "$1");
    }
  }
  if (env.SM_EXT_S3_SKIP) return { skip: env.SM_EXT_S3_SKIP };
  if (!env.SM_EXT_S3_ENDPOINT)
    return {
      skip: `start_s3 exited ${code} without an endpoint: ${(await new Response(proc.stderr).text()).trim().split("\n").at(-1)}`,
    };
  return { env };
}

async function stopS3(state: string): Promise<void> {
  await Bun.spawn(["bash", join(ROOT, "test/external/servers.sh"), "stop_all"], {
    env: { ...process.env, STATE: state, ROOT },
    stdout: "ignore",
    stderr: "ignore",
  }).exited;
}

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  const bytes = args.sizeMiB * MiB;
  const work = mkdtempSync(join(tmpdir(), "agent-bench-"));
  const s3State = join(work, "s3-state");
  mkdirSync(s3State);
  const closers: Array<() => Promise<void>> = [];
  try {
    const dataDir = join(work, "data");
    const snapshot = "ks/tbl-0123456789abcdef0123456789abcdef/snapshots/sm_20250101000000UTC";
    const storage = join(work, "storage");
    mkdirSync(join(storage, "bucket"), { recursive: true });
    console.log(`building ${args.files} files, ${args.sizeMiB} MiB in ${dataDir} ...`);
    buildTree(join(dataDir, snapshot), args.files, bytes);

    const cpSeconds = await timeCp(join(dataDir, "ks"), join(work, "cp-copy"));
    rmSync(join(work, "cp-copy"), { recursive: true, force: true });
    const cpRate = bytes / MiB / cpSeconds;
    console.log(`cp -r:                ${fmt(cpSeconds, 2)} s  ${fmt(cpRate)} MiB/s`);

    const scylla = startFakeScylla({ hostname: IP, dataDir });
    closers.push(() => scylla.close());
    let s3: { env: Record<string, string> } | { skip: string } = { skip: "--skip-s3 given" };
    if (!args.skipS3) {
      console.log("starting S3 (MinIO/moto via test/external/servers.sh) ...");
      s3 = await startS3(s3State);
      closers.push(() => stopS3(s3State));
    }
    const s3Yaml =
      "env" in s3
        ? `s3:\n  endpoint: ${s3.env.SM_EXT_S3_ENDPOINT}\n  provider: ${s3.env.SM_EXT_S3_PROVIDER ?? "Minio"}\n  access_key_id: ${s3.env.SM_EXT_S3_KEY}\n  secret_access_key: ${s3.env.SM_EXT_S3_SECRET}\n`
        : "";
    const configFile = join(work, "agent.yaml");
    writeFileSync(
      configFile,
      `auth_token: ${TOKEN}\nhttps: ${IP}:10001\nprometheus: ""\ndebug: ${IP}:5112\nlogger:\n  level: error\nscylla:\n  api_address: ${IP}\n  api_port: ${scylla.port}\nrclone:\n  transfers: ${args.transfers}\nlocalstorage:\n  path: ${storage}\n${s3Yaml}`,
    );
    const agent = await spawnAgent(configFile, 10001, args.smol);
    closers.unshift(() => agent.stop());
    const idleRss = memoryOf(agent.pid).rss;

    // A real copy first (copydir: every byte read, written, fsynced and renamed into place), then the move,
    // which on one filesystem is a rename per file, as rclone's local backend does.
    const copied = await moveDir(
      agent,
      {
        srcFs: "data:",
        srcRemote: snapshot,
        dstFs: "localstorage:bucket",
        dstRemote: "copy",
        transfers: -1,
        bandwidth_rate: "0M",
      },
      "sync/copydir",
    );
    const copyRate = bytes / MiB / copied.seconds;
    console.log(
      `agent copydir → localstorage: ${fmt(copied.seconds, 2)} s  ${fmt(copyRate)} MiB/s  ratio vs cp -r: ${fmt(copyRate / cpRate, 2)}  (real copy, fsync per file)`,
    );
    rmSync(join(storage, "bucket/copy"), { recursive: true, force: true });

    const local = await moveDir(agent, {
      srcFs: "data:",
      srcRemote: snapshot,
      dstFs: "localstorage:bucket",
      dstRemote: "sst",
      transfers: -1,
      bandwidth_rate: "0M",
    });
    const moved = treeStats(join(storage, "bucket/sst"));
    if (moved.files !== args.files || moved.bytes !== bytes)
      throw new Error(
        `localstorage has ${moved.files} files / ${moved.bytes} bytes, expected ${args.files} / ${bytes}`,
      );
    const localRate = bytes / MiB / local.seconds;
    console.log(
      `agent movedir → localstorage: ${fmt(local.seconds, 2)} s (renames)  ${fmt(localRate)} MiB/s  ratio vs cp -r: ${fmt(localRate / cpRate, 2)}  (transfers ${args.transfers}${args.smol ? ", bun --smol" : ""})`,
    );

    let s3Line = `S3: SKIPPED: ${"skip" in s3 ? s3.skip : ""}`;
    if ("env" in s3) {
      const bucket = `bench-${randomBytes(3).toString("hex")}`;
      const { S3Client, CreateBucketCommand } = await import("@aws-sdk/client-s3");
      const client = new S3Client({
        endpoint: s3.env.SM_EXT_S3_ENDPOINT,
        region: "us-east-1",
        forcePathStyle: true,
        credentials: { accessKeyId: s3.env.SM_EXT_S3_KEY ?? "", secretAccessKey: s3.env.SM_EXT_S3_SECRET ?? "" },
      });
      await client.send(new CreateBucketCommand({ Bucket: bucket }));
      client.destroy();
      const remote = await moveDir(agent, {
        srcFs: "localstorage:bucket",
        srcRemote: "sst",
        dstFs: `s3:${bucket}`,
        dstRemote: "sst",
        transfers: -1,
        bandwidth_rate: "0M",
      });
      const rate = bytes / MiB / remote.seconds;
      s3Line = `agent movedir → S3 (${s3.env.SM_EXT_S3_SERVER ?? "minio"}): ${fmt(remote.seconds, 2)} s  ${fmt(rate)} MiB/s  ratio vs cp -r: ${fmt(rate / cpRate, 2)}  peak RSS during it ${fmt(remote.peakRss / MiB)} MiB`;
    }
    console.log(s3Line);
    const mib = (n: unknown) => `${fmt(Number(n) / MiB)} MiB`;
    type Report = { process: Record<string, number>; heap?: Record<string, number> };
    const before = (await (await fetch(`http://${IP}:5112/debug/memory`)).json()) as Report;
    const after = (await (await fetch(`http://${IP}:5112/debug/gc`, { method: "POST" })).json()) as Report;
    console.log(
      `agent memory after the moves: rss ${mib(before.process.rss)}, JS heap ${mib(before.heap?.heapSize)} (capacity ${mib(before.heap?.heapCapacity)}, extra ${mib(before.heap?.extraMemorySize)}); after a full GC: rss ${mib(after.process.rss)}, JS heap ${mib(after.heap?.heapSize)}`,
    );
    const mem = memoryOf(agent.pid);
    console.log(
      `agent RSS: idle ${fmt(idleRss / MiB)} MiB, peak during localstorage move ${fmt(local.peakRss / MiB)} MiB, lifetime peak (VmHWM) ${fmt(mem.hwm / MiB)} MiB  (goal < 150 MiB)`,
    );

    // Proxy overhead.
    let target = { name: "fake Scylla REST (agent/testing/fake-scylla.ts)", url: scylla.url };
    let agentForProxy = agent;
    const emulatorIndex = join(ROOT, "test/emulator/index.ts");
    if (existsSync(emulatorIndex)) {
      try {
        const emu = (await import(emulatorIndex)) as {
          startCluster: (
            o: Record<string, unknown>,
          ) => Promise<{ nodes: Array<{ ip: string; restPort: number; dataDir: string }>; close(): Promise<void> }>;
        };
        const cluster = await emu.startCluster({ dcs: [1], ipPrefix: "127.0.23.", dir: join(work, "emu") });
        closers.unshift(() => cluster.close());
        const node = cluster.nodes[0];
        if (node === undefined) throw new Error("emulator started no node");
        const emuConfig = join(work, "agent-emu.yaml");
        writeFileSync(
          emuConfig,
          `auth_token: ${TOKEN}\nhttps: ${node.ip}:10001\nprometheus: ""\nlogger:\n  level: error\nscylla:\n  api_address: ${node.ip}\n  api_port: ${node.restPort}\n`,
        );
        const emuAgent = await spawnAgent(emuConfig, 10001).catch(async () => {
          throw new Error("agent in front of the emulator did not start");
        });
        closers.unshift(() => emuAgent.stop());
        target = { name: `emulator node ${node.ip}`, url: `http://${node.ip}:${node.restPort}` };
        agentForProxy = { ...emuAgent, url: `https://${node.ip}:10001` };
      } catch (error) {
        console.log(`(emulator unavailable for the proxy test: ${(error as Error).message}; using the fake)`);
      }
    }
    const direct = await latencies(args.requests, () => fetch(`${target.url}/storage_service/host_id`));
    const proxied = await latencies(args.requests, () => agentForProxy.get("/storage_service/host_id"));
    console.log(`proxy GET /storage_service/host_id, ${args.requests} sequential requests, target ${target.name}:`);
    console.log(`  direct       p50 ${fmt(direct.p50, 3)} ms  p99 ${fmt(direct.p99, 3)} ms`);
    console.log(
      `  via agent    p50 ${fmt(proxied.p50, 3)} ms  p99 ${fmt(proxied.p99, 3)} ms  (overhead p50 ${fmt(proxied.p50 - direct.p50, 3)} ms, p99 ${fmt(proxied.p99 - direct.p99, 3)} ms; includes TLS)`,
    );
  } finally {
    for (const close of closers) await close().catch(() => {});
    rmSync(work, { recursive: true, force: true });
  }
}

await main();
