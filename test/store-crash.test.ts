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
import { checkCrashGroups } from "../src/store/testdata/crash-check.ts";

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
    const { count, problems } = await checkCrashGroups(store);
    expect(problems).toEqual([]);
    return count;
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
