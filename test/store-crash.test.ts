/**
 * Crash safety of the SQLite store: a child process writes groups of related rows (a run, its progress rows, a
 * summary and a counter) in one batch each and is SIGKILLed at random moments, several times. After each kill the
 * store must reopen and every group must be complete or absent, with the counter equal to the number of groups.
 */

import { Database } from "bun:sqlite";
import { afterAll, expect, test } from "bun:test";
import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { openSqliteStore } from "../src/store/sqlite/store.ts";
import { CLUSTER, TASK } from "../src/store/testdata/crash-writer.ts";

const dir = mkdtempSync(join(tmpdir(), "store-crash-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const writer = join(import.meta.dir, "..", "src", "store", "testdata", "crash-writer.ts");

async function runAndKill(file: string, keyHex: string, delayMs: number): Promise<void> {
  const child = Bun.spawn({ cmd: [process.execPath, writer, file, keyHex], stdout: "pipe", stderr: "inherit" });
  try {
    const { value } = await child.stdout.getReader().read();
    expect(new TextDecoder().decode(value)).toContain("ready");
    await Bun.sleep(delayMs);
  } finally {
    child.kill("SIGKILL");
    await child.exited;
  }
  expect(child.signalCode).toBe("SIGKILL");
}

async function checkConsistent(file: string, key: Uint8Array): Promise<number> {
  const store = await openSqliteStore(file, { secretKey: key });
  try {
    const counter = (await store.getDrawer(CLUSTER, "counter")) as { count: number; lastRunId: string };
    const runs = await store.listRuns(CLUSTER, "repair", TASK, 0);
    expect(runs.length).toBe(counter.count);
    expect(runs[0]?.id).toBe(counter.lastRunId); // newest run is the one the counter names
    const summaries = await store.listServiceRuns("repair_run", CLUSTER, TASK, 0);
    expect(summaries.length).toBe(counter.count);
    const groups = new Set<number>();
    for (const summary of summaries) {
      const { group, rowCount } = summary.value as { group: number; rowCount: number };
      groups.add(group);
      const rows = await store.listProgress("repair_run_progress", CLUSTER, TASK, summary.runId);
      expect(rows.length).toBe(rowCount);
      expect(rows.every((row) => (row.value as { group: number }).group === group)).toBe(true);
      expect(await store.getRun(CLUSTER, "repair", TASK, summary.runId)).toBeDefined();
    }
    // groups 0..count-1, each exactly once
    expect(groups.size).toBe(counter.count);
    expect(Math.max(...groups)).toBe(counter.count - 1);
    return counter.count;
  } finally {
    await store.close();
  }
}

test("SIGKILL mid-write leaves every group all-or-nothing", async () => {
  const file = join(dir, "crash.db");
  const key = new Uint8Array(randomBytes(32));
  const keyHex = Buffer.from(key).toString("hex");
  let previous = 0;
  for (const delayMs of [5, 60, 23, 150, 97, 41]) {
    await runAndKill(file, keyHex, delayMs);
    const count = await checkConsistent(file, key);
    expect(count).toBeGreaterThan(previous); // each child committed at least its first group
    previous = count;
  }
  const db = new Database(file, { readonly: true });
  expect(db.query("PRAGMA integrity_check").get()).toEqual({ integrity_check: "ok" });
  db.close();
}, 20_000);
