/**
 * Shared pieces of the hostile-input corpora (issue 10): the goal figures each corpus prints, checks of an error
 * body (no absolute path, no stack, no large echo), and a child process's RSS.
 * @module
 */
import { readFileSync } from "node:fs";

/** What a corpus run counts; printed as the goal figures. */
export interface Figures {
  requests: number;
  /** Answers >= 500 to requests that were the client's mistake. */
  serverErrors: string[];
  /** Requests without an answer in time, or a process that stopped answering. */
  hangs: string[];
  /** Error bodies with an absolute path, a stack frame or a large echo of the input. */
  leaks: string[];
  /** Files outside the jail read, changed or created (agent only). */
  jailEscapes: string[];
  rssBeforeMiB: number;
  rssAfterMiB: number;
}

export function newFigures(): Figures {
  return { requests: 0, serverErrors: [], hangs: [], leaks: [], jailEscapes: [], rssBeforeMiB: 0, rssAfterMiB: 0 };
}

/** Prints the goal line, e.g. `GOAL daemon: 412 requests, 0 5xx, 0 hangs, 0 leaks, 0 jail escapes, RSS +3.1 MiB`. */
export function printFigures(name: string, figures: Figures): void {
  const growth = figures.rssAfterMiB - figures.rssBeforeMiB;
  console.log(
    `GOAL ${name}: ${figures.requests} hostile requests, ${figures.serverErrors.length} 5xx for client errors, ` +
      `${figures.hangs.length} crashes/hangs, ${figures.jailEscapes.length} jail escapes, ` +
      `${figures.leaks.length} bodies with paths/stacks/echoes, RSS ${figures.rssBeforeMiB.toFixed(1)} → ` +
      `${figures.rssAfterMiB.toFixed(1)} MiB (growth ${growth.toFixed(1)} MiB, goal < 50)`,
  );
  for (const list of [figures.serverErrors, figures.hangs, figures.leaks, figures.jailEscapes]) {
    for (const item of list.slice(0, 10)) console.log(`  - ${item}`);
  }
}

/** Why `body` leaks, or undefined: an absolute path under one of `roots`, a stack frame, or more than `maxEcho` chars. */
export function leakIn(
  body: string,
  roots: readonly string[],
  maxEcho = 4096,
  sent: readonly string[] = [],
): string | undefined {
  // What the client itself sent may come back (rc error bodies echo their input, as SM's do): not a leak.
  for (const value of sent) {
    if (value.length < 4) continue;
    body = body.replaceAll(value, "").replaceAll(JSON.stringify(value).slice(1, -1), "");
  }
  for (const root of roots) if (root.length > 1 && body.includes(root)) return `names ${root}`;
  if (/\n\s+at |\bat [\w.<>]+ \(\/|node_modules|\.ts:\d+/.test(body)) return "has a stack frame";
  if (/"\/(?:home|root|tmp|var|etc|usr|opt|work|srv|proc)\//.test(body)) return "has an absolute path";
  if (body.length > maxEcho) return `is ${body.length} characters long`;
  return undefined;
}

/** Resident set size of process `pid` in MiB (Linux /proc). */
export function rssMiB(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, "utf8");
  const kb = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0);
  return kb / 1024;
}
