/**
 * Helpers of the interop tier (`test/interop/run.sh`): where SM's binaries are, processes of ours and SM's on the
 * tier's loopback range (127.5.x.y), and the normalisation used to compare sctool outputs.
 * @module
 */
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Subprocess } from "bun";

export const ROOT = join(import.meta.dir, "../..");

/**
 * Why the tier cannot run, or undefined when it can. It runs only under `test/interop/run.sh` (which sets
 * SM_INTEROP=1 and SM_INTEROP_BIN_DIR after building or finding SM's binaries): `npm test` skips it.
 */
export function interopSkipReason(): string | undefined {
  if (process.env.SM_INTEROP !== "1") return "the interop tier runs from test/interop/run.sh (it needs SM's binaries)";
  if (process.env.SM_INTEROP_SKIP) return process.env.SM_INTEROP_SKIP;
  const dir = process.env.SM_INTEROP_BIN_DIR ?? "";
  for (const name of ["sctool", "scylla-manager-agent", "scylla-manager"]) {
    if (!existsSync(join(dir, name))) return `SM's ${name} not found in SM_INTEROP_BIN_DIR=${dir}`;
  }
  return undefined;
}

/** Path of one of SM's binaries. */
export function smBin(name: "sctool" | "scylla-manager-agent" | "scylla-manager"): string {
  return join(process.env.SM_INTEROP_BIN_DIR ?? "", name);
}

const BUN = process.execPath;

export interface RunResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs a command to completion (with a time limit), capturing its output. */
export async function run(argv: string[], env: Record<string, string> = {}, timeoutMs = 60_000): Promise<RunResult> {
  const proc = Bun.spawn(argv, {
    stdout: "pipe",
    stderr: "pipe",
    stdin: "ignore",
    env: { ...process.env, ...env },
  });
  const timer = setTimeout(() => proc.kill("SIGKILL"), timeoutMs);
  const [stdout, stderr, code] = await Promise.all([
    new Response(proc.stdout).text(),
    new Response(proc.stderr).text(),
    proc.exited,
  ]);
  clearTimeout(timer);
  return { code, stdout, stderr };
}

/** SM's sctool against `apiUrl`. */
export function smSctool(apiUrl: string, ...args: string[]): Promise<RunResult> {
  return run([smBin("sctool"), "--api-url", apiUrl, ...args]);
}

/** Our sctool against `apiUrl`. */
export function ourSctool(apiUrl: string, ...args: string[]): Promise<RunResult> {
  return run([BUN, join(ROOT, "bin/sctool.ts"), "--api-url", apiUrl, ...args]);
}

/**
 * Normalises what legitimately differs between two runs of the same command: times and dates, durations and
 * RTTs, UUIDs, versions and the table borders' widths that follow from them. Everything else must be equal.
 */
export function normalise(text: string): string {
  return (
    text
      .replace(/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/g, "<uuid>")
      .replace(/Trace ID: \S+/g, "Trace ID: <trace>")
      // 02 Jan 06 15:04:05 MST, RFC 3339 and Go's default time formats.
      .replace(/\d{1,2} [A-Z][a-z]{2} \d{2} \d{2}:\d{2}:\d{2} [A-Z]{2,5}/g, "<time>")
      .replace(/\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:?\d{2})?( [A-Z]{2,5})?/g, "<time>")
      // RTTs and durations: 12ms, 1.5s, 3h2m1s, 0s.
      .replace(/\b\d+(\.\d+)?(ns|µs|us|ms|s|m|h|d)(\d+(\.\d+)?(ns|µs|us|ms|s|m|h))*\b/g, "<dur>")
      .replace(/\bin <dur>\b/g, "in <dur>")
      // Table rows: collapse runs of spaces and box-drawing rules whose widths follow the normalised values.
      .replace(/[─━-]{3,}/g, "---")
      .replace(/ {2,}/g, " ")
      .replace(/ +\n/g, "\n")
  );
}

/** A temp dir removed by the returned function. */
export function tempDir(prefix: string): { dir: string; remove: () => void } {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

/** Waits until `probe` resolves true (polling), or throws naming `what`. */
export async function waitFor(what: string, probe: () => Promise<boolean>, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await probe().catch(() => false)) return;
    await Bun.sleep(200);
  }
  throw new Error(`timed out waiting for ${what}`);
}

/** A long-running child process that is killed (SIGTERM, then SIGKILL) by `stop`. */
export interface Daemon {
  proc: Subprocess;
  log: () => string;
  stop: () => Promise<void>;
}

/** Starts a daemon, collecting its output (shown when a test fails). */
export function startDaemon(argv: string[], env: Record<string, string> = {}): Daemon {
  const proc = Bun.spawn(argv, { stdout: "pipe", stderr: "pipe", stdin: "ignore", env: { ...process.env, ...env } });
  let output = "";
  const drain = async (stream: ReadableStream<Uint8Array>) => {
    const decoder = new TextDecoder();
    for await (const chunk of stream) output = (output + decoder.decode(chunk)).slice(-200_000);
  };
  void drain(proc.stdout as ReadableStream<Uint8Array>);
  void drain(proc.stderr as ReadableStream<Uint8Array>);
  return {
    proc,
    log: () => output,
    stop: async () => {
      proc.kill("SIGTERM");
      const done = await Promise.race([proc.exited.then(() => true), Bun.sleep(10_000).then(() => false)]);
      if (!done) {
        proc.kill("SIGKILL");
        await proc.exited;
      }
    },
  };
}

/** Our server (the daemon executable from source) on `ip`, with a SQLite store in `dir`. */
export async function startOurServer(ip: string, dir: string): Promise<{ apiUrl: string; daemon: Daemon }> {
  const config = join(dir, "scylla-manager.yaml");
  writeFileSync(
    config,
    `http: ${ip}:5080\nprometheus: ${ip}:5090\ndata_dir: ${join(dir, "data")}\nlogger:\n  level: info\n  encoding: console\n`,
  );
  const daemon = startDaemon([BUN, join(ROOT, "bin/scylla-manager.ts"), "--daemon", "-c", config]);
  const apiUrl = `http://${ip}:5080/api/v1`;
  await waitFor("our server", async () => (await fetch(`${apiUrl}/version`)).ok, 60_000).catch((error: unknown) => {
    throw new Error(`${(error as Error).message}\n${daemon.log()}`);
  });
  return { apiUrl, daemon };
}

/**
 * SM's agent for one emulated node. Every agent started with the same `dir` serves the same localstorage root,
 * `<dir>/localstorage` (a shared filesystem, as SM's localstorage provider expects).
 */
export async function startSmAgent(
  ip: string,
  restPort: number,
  dir: string,
  token: string,
): Promise<{ daemon: Daemon; url: string }> {
  const config = join(dir, `agent-${ip}.yaml`);
  // SM's agent refuses to start when the localstorage directory is missing.
  mkdirSync(join(dir, "localstorage"), { recursive: true });
  writeFileSync(
    config,
    [
      `auth_token: ${token}`,
      `https: ${ip}:10001`,
      `prometheus: ${ip}:5090`,
      `debug: ""`,
      "scylla:",
      `  api_address: ${ip}`,
      `  api_port: "${restPort}"`,
      "localstorage:",
      `  path: ${join(dir, "localstorage")}`,
      "",
    ].join("\n"),
  );
  const daemon = startDaemon([smBin("scylla-manager-agent"), "-c", config]);
  const url = `https://${ip}:10001`;
  await waitFor(`SM's agent on ${ip}`, async () => {
    const res = await fetch(`${url}/ping`, { tls: { rejectUnauthorized: false } } as RequestInit);
    return res.status === 204;
  }).catch((error: unknown) => {
    throw new Error(`${(error as Error).message}\n${daemon.log()}`);
  });
  return { daemon, url };
}

/**
 * Polls a task's `sctool progress` (SM's or ours, through `progress`) until it prints `Status: DONE` or `ERROR`, and
 * returns that output (or the last one when `timeoutMs` passed; the caller's assertion then shows it).
 */
export async function waitForTaskEnd(progress: () => Promise<RunResult>, timeoutMs = 150_000): Promise<string> {
  const deadline = Date.now() + timeoutMs;
  let output = "";
  while (Date.now() < deadline) {
    const answer = await progress();
    output = answer.stdout || answer.stderr;
    if (["DONE", "ERROR"].includes(taskStatusOf(output))) return output;
    await Bun.sleep(500);
  }
  return output;
}

/** The run's status in `sctool progress` output: its first `Status:` line (a restore's repair has its own, later). */
export function taskStatusOf(progress: string): string {
  return /Status:\s+(\S+)/.exec(progress)?.[1] ?? "";
}

/** The snapshot tag a backup task's `sctool progress` prints (`Snapshot Tag: sm_...UTC`). */
export function snapshotTagOf(progress: string): string {
  return /Snapshot Tag:\s+(sm_\d{14}UTC)/.exec(progress)?.[1] ?? `no snapshot tag in:\n${progress}`;
}
