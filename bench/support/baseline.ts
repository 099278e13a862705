/**
 * What the benches share around their measurements: timing a step, running a baseline tool (`cp`, Debian's
 * `rclone`), peak RSS of this process, and the S3 server's CPU spent on a step.
 * @module
 */
import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import type { BenchS3 } from "./s3-server.ts";

export const MiB = 1024 * 1024;

/** Value of `--name VALUE` on the command line, else `fallback`. */
export function arg(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? (process.argv[i + 1] ?? fallback) : fallback;
}

/** Peak RSS (VmHWM) of this process in MiB. */
export function peakRssMiB(): number {
  const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync("/proc/self/status", "utf8"));
  return m ? Number(m[1]) / 1024 : 0;
}

/** Runs `fn`, prints `label: N s` and returns the seconds it took. */
export async function timed(label: string, fn: () => Promise<void>): Promise<number> {
  const t0 = performance.now();
  await fn();
  const s = (performance.now() - t0) / 1000;
  console.log(`${label}: ${s.toFixed(2)} s`);
  return s;
}

/** Runs a command to completion (output discarded); resolves with the CPU seconds it used, rejects on a non-zero exit. */
export async function run(cmd: string, args: string[], env?: Record<string, string>): Promise<number> {
  const child = Bun.spawn([cmd, ...args], { env: { ...process.env, ...env }, stdout: "ignore", stderr: "pipe" });
  const [code, stderr] = await Promise.all([child.exited, new Response(child.stderr).text()]);
  if (code !== 0) throw new Error(`${cmd} ${args.join(" ")} exited ${code}: ${stderr.trim().slice(-2000)}`);
  const cpu = child.resourceUsage()?.cpuTime;
  return cpu ? Number(cpu.user + cpu.system) / 1e6 : 0;
}

/** The first line of `rclone version`, or undefined when Debian's rclone is not installed. */
export function rcloneVersion(): string | undefined {
  const rclone = spawnSync("rclone", ["version"], { encoding: "utf8" });
  return rclone.status === 0 ? rclone.stdout.split("\n")[0] : undefined;
}

export const NO_RCLONE = "rclone copy: skipped (rclone not installed: apt-get install rclone)";

/** `; S3 server CPU N s` since `before` (what a client's requests cost the server), or "" when unknown. */
export function serverCpu(s3: BenchS3, before: number | undefined): string {
  const now = s3.cpuSeconds();
  return now === undefined || before === undefined ? "" : `; S3 server CPU ${(now - before).toFixed(1)} s`;
}
