/**
 * One benchmark scenario (SM's `pkg/rclone/bench/benchmark.go`): every file of a scenario dir copied to
 * `<location>/benchmark`, which is removed afterwards, with the memory of the process sampled every 300 ms, and
 * SM's report:
 *
 * ```
 * Scenario:	<dir name>
 * Error:	<what failed>            (only on failure)
 * Size:		<bytes of the dir's entries>
 * Duration:	<Go duration>
 * HeapInuse:	<start>/<end>/<peak>
 * Alloc:		...
 * TotalAlloc:	...
 * Sys:		...
 * Resident:	...
 * Virtual:	...
 * ```
 *
 * The memory rows keep SM's names (scripts read them), filled with this runtime's nearest figures: HeapInuse =
 * the JS heap's committed size, Alloc = live JS objects, TotalAlloc = live JS objects plus buffers outside the JS
 * heap, Sys = everything the runtime holds (heap plus buffers), Resident = RSS, Virtual = the process's virtual
 * size from /proc/self/stat (0 where unreadable, as SM).
 * @module
 */
import { readFileSync } from "node:fs";
import { lstat, readdir } from "node:fs/promises";
import { basename } from "node:path";
import { formatGoDurationNs, formatSizeSuffix, msToNs } from "../offline/format.ts";
import type { Backend } from "../providers/provider.ts";
import { type BandwidthLimiter, type FileOutcome, syncDir, TransferPool } from "../transfer/index.ts";

/** The memory figures of one sample. */
export interface MemoryStats {
  heapInuse: number;
  alloc: number;
  totalAlloc: number;
  sys: number;
  resident: number;
  virtual: number;
}

/** A sample of this process's memory. */
export function readMemoryStats(): MemoryStats {
  const m = process.memoryUsage();
  return {
    heapInuse: m.heapTotal,
    alloc: m.heapUsed,
    totalAlloc: m.heapUsed + m.external + m.arrayBuffers,
    sys: m.heapTotal + m.external + m.arrayBuffers,
    resident: m.rss,
    virtual: virtualSize(),
  };
}

function virtualSize(): number {
  try {
    // Field 23 of /proc/self/stat (after the parenthesised command name) is vsize in bytes.
    const stat = readFileSync("/proc/self/stat", "utf8");
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    return Number(fields[20]) || 0;
  } catch {
    return 0;
  }
}

function maxOf(a: MemoryStats, b: MemoryStats): MemoryStats {
  return {
    heapInuse: Math.max(a.heapInuse, b.heapInuse),
    alloc: Math.max(a.alloc, b.alloc),
    totalAlloc: Math.max(a.totalAlloc, b.totalAlloc),
    sys: Math.max(a.sys, b.sys),
    resident: Math.max(a.resident, b.resident),
    virtual: Math.max(a.virtual, b.virtual),
  };
}

/** What a scenario measured. */
export interface ScenarioResult {
  /** The scenario dir (its base name is printed). */
  dir: string;
  size: number;
  durationMs: number;
  start: MemoryStats;
  end: MemoryStats;
  peak: MemoryStats;
  /** Bytes and files copied (for the report's callers; SM prints neither). */
  bytes: number;
  files: number;
  errors: string[];
}

/** Where a scenario copies to, and how. */
export interface ScenarioTarget {
  backend: Backend;
  /** `<bucket>/benchmark`: created by the copy, purged after it. */
  dir: string;
  transfers: number;
  limiter: BandwidthLimiter;
  onFile?: (outcome: FileOutcome) => void;
}

/** Runs one scenario: copies `dir` (a LocalBackend rooted at it) to the target, then removes the copy. */
export async function runScenario(dir: string, source: Backend, target: ScenarioTarget): Promise<ScenarioResult> {
  const errors: string[] = [];
  let size = 0;
  try {
    size = await dirSize(dir);
  } catch (error) {
    errors.push((error as Error).message);
  }
  const start = readMemoryStats();
  let peak = start;
  const sampler = setInterval(() => {
    peak = maxOf(peak, readMemoryStats());
  }, 300);
  let bytes = 0;
  let files = 0;
  const startedAt = performance.now();
  try {
    await syncDir({
      src: source,
      srcDir: "",
      dst: target.backend,
      dstDir: target.dir,
      pool: new TransferPool(target.transfers),
      limiter: target.limiter,
      onFile: (outcome) => {
        if (outcome.outcome !== "failed") {
          bytes += outcome.size;
          files++;
        }
        target.onFile?.(outcome);
      },
    });
  } catch (error) {
    errors.push(`copy dir: ${(error as Error).message}`);
  }
  const durationMs = performance.now() - startedAt;
  clearInterval(sampler);
  const end = readMemoryStats();
  peak = maxOf(peak, end);
  try {
    await target.backend.purge(target.dir);
  } catch (error) {
    errors.push(`cleanup: ${(error as Error).message}`);
  }
  return { dir, size, durationMs, start, end, peak, bytes, files, errors };
}

/** Sum of the sizes of a dir's direct entries (sub-dirs count their own entry size, as SM's `dirSize`). */
async function dirSize(dir: string): Promise<number> {
  let sum = 0;
  for (const name of await readdir(dir)) sum += (await lstat(`${dir}/${name}`)).size;
  return sum;
}

/** SM's report of one scenario. */
export function formatScenario(r: ScenarioResult): string {
  let out = `Scenario:\t${basename(r.dir)}\n`;
  if (r.errors.length > 0) out += `Error:\t${r.errors.join("; ")}\n`;
  out += `Size:\t\t${formatSizeSuffix(r.size)}\n`;
  out += `Duration:\t${formatGoDurationNs(msToNs(r.durationMs))}\n`;
  const rows: Array<[string, keyof MemoryStats]> = [
    ["HeapInuse", "heapInuse"],
    ["Alloc", "alloc"],
    ["TotalAlloc", "totalAlloc"],
    ["Sys", "sys"],
    ["Resident", "resident"],
    ["Virtual", "virtual"],
  ];
  for (const [label, key] of rows) {
    const tabs = label.length < 6 ? "\t\t" : "\t";
    out += `${label}:${tabs}${formatSizeSuffix(r.start[key])}/${formatSizeSuffix(r.end[key])}/${formatSizeSuffix(r.peak[key])}\n`;
  }
  return out;
}
