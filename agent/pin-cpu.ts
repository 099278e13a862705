/**
 * CPU pinning (`cpu` config key, `/agent/pin_cpu`). Linux only.
 *
 * Reading the affinity uses `/proc/self/status` (`Cpus_allowed_list`). Setting it needs sched_setaffinity, which
 * neither Bun nor Node exposes; we run `taskset -a -p -c <cpus> <pid>` (util-linux), which sets every thread of the
 * process. Where taskset is missing (or on other platforms) pinning is skipped with a warning and the API answers
 * 500 with the reason; reading still works on Linux. (bun:ffi could call libc directly, but it would make the
 * agent Bun-only and crash-prone for a feature SM uses only around restores.)
 * @module
 */
import { readFile } from "node:fs/promises";
import { cpus as listCpus } from "node:os";
import { ManagerError } from "../src/errors.ts";

/** Parses a Linux CPU list such as `0-3,8,10-11`. */
export function parseCpuList(text: string): number[] {
  const cpus: number[] = [];
  for (const part of text.trim().split(",")) {
    if (part === "") continue;
    const [from, to] = part.split("-").map((n) => Number.parseInt(n, 10));
    if (from === undefined || Number.isNaN(from)) throw new Error(`invalid CPU list ${JSON.stringify(text)}`);
    const end = to === undefined || Number.isNaN(to) ? from : to;
    for (let cpu = from; cpu <= end; cpu++) cpus.push(cpu);
  }
  return cpus;
}

/** The CPUs this process may run on. */
export async function getCpuAffinity(): Promise<number[]> {
  let status: string;
  try {
    status = await readFile("/proc/self/status", "utf8");
  } catch (error) {
    throw new ManagerError(
      `get CPU affinity: /proc/self/status is not readable (Linux only): ${(error as Error).message}`,
    );
  }
  const line = /^Cpus_allowed_list:\s*(.+)$/m.exec(status);
  if (line?.[1] === undefined) throw new ManagerError("get CPU affinity: no Cpus_allowed_list in /proc/self/status");
  return parseCpuList(line[1]);
}

/** Pins every thread of this process to `cpus` with taskset. */
export async function setCpuAffinity(cpus: readonly number[]): Promise<void> {
  if (cpus.length === 0) throw new ManagerError("set CPU affinity: empty CPU list");
  let proc: ReturnType<typeof Bun.spawn>;
  try {
    proc = Bun.spawn(["taskset", "-a", "-p", "-c", cpus.join(","), String(process.pid)], {
      stdout: "ignore",
      stderr: "pipe",
    });
  } catch (error) {
    throw new ManagerError(`set CPU affinity: taskset is not available: ${(error as Error).message}`, {
      hint: "install util-linux (taskset) to let the agent pin its CPUs",
    });
  }
  const code = await proc.exited;
  if (code !== 0) {
    const stderr = proc.stderr instanceof ReadableStream ? await new Response(proc.stderr).text() : "";
    throw new ManagerError(`set CPU affinity to ${cpus.join(",")}: taskset exited ${code}: ${stderr.trim()}`);
  }
}

/**
 * The CPUs the agent pins itself to at start-up, SM's rule: the `cpu` list when it names CPUs, else (`[-1]`) the
 * CPUs Scylla does not use according to `/etc/scylla.d/cpuset.conf`; undefined = don't pin.
 */
export async function selectPinnedCpus(
  configured: readonly number[],
  cpusetFile = "/etc/scylla.d/cpuset.conf",
): Promise<number[] | undefined> {
  const explicit = configured.filter((cpu) => cpu >= 0);
  if (explicit.length > 0) return explicit;
  let text: string;
  try {
    text = await readFile(cpusetFile, "utf8");
  } catch {
    return undefined;
  }
  const match = /--cpuset\s+([0-9,-]+)/.exec(text);
  if (match?.[1] === undefined) return undefined;
  const used = new Set(parseCpuList(match[1]));
  const free: number[] = [];
  for (let cpu = 0; cpu < listCpus().length; cpu++) if (!used.has(cpu)) free.push(cpu);
  return free.length > 0 ? free : undefined;
}

/** All CPUs of the machine (`DELETE /agent/pin_cpu`). */
export function allCpus(): number[] {
  return Array.from({ length: listCpus().length }, (_, i) => i);
}
