/**
 * Crash safety of the CQL store's batches on real Cassandra: a child process writes groups of related rows (a run,
 * its progress rows, a summary and a counter, across several partitions) with one `Store.batch` each and is
 * SIGKILLed at random moments, several times. After each kill, once the database has settled (a batch the child
 * sent just before dying may still be applied), every group must be complete or absent and the counter must equal
 * the number of groups.
 */
import { afterAll, describe, expect, test } from "bun:test";
import { join } from "node:path";
import { type CqlStore, openCqlStore } from "../../src/store/cql/store.ts";
import { checkCrashGroups } from "../../src/store/testdata/crash-check.ts";
import { cqlOptions, cqlSkipReason, testSecretKey, uniqueKeyspace } from "../support/cql-store.ts";

if (cqlSkipReason) console.warn(`[external] skipping the CQL crash test: ${cqlSkipReason}`);

const keyspace = uniqueKeyspace("crash");
const writer = join(import.meta.dir, "..", "..", "src", "store", "testdata", "crash-writer.ts");
let store: CqlStore | undefined;

afterAll(async () => {
  await store?.client.execute(`DROP KEYSPACE IF EXISTS ${store.keyspace}`).catch(() => undefined);
  await store?.close();
}, 60_000);

async function runAndKill(delayMs: number): Promise<void> {
  const { secretKey: _, ...options } = cqlOptions(keyspace);
  const child = Bun.spawn({
    cmd: [process.execPath, writer, "-", Buffer.from(testSecretKey).toString("hex")],
    env: { ...process.env, CRASH_WRITER_CQL: JSON.stringify(options) },
    stdout: "pipe",
    stderr: "inherit",
  });
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

/** The counter once it stopped moving: the dead child's last batch, if any, has been applied or dropped. */
async function settledCount(s: CqlStore): Promise<void> {
  let last = "";
  for (let i = 0; i < 60; i++) {
    const now = JSON.stringify(await s.getDrawer("00000000-0000-4000-8000-00000000c0de", "counter"));
    if (now === last) return;
    last = now;
    await Bun.sleep(500);
  }
  throw new Error("the counter kept changing after the writer died");
}

describe.skipIf(Boolean(cqlSkipReason))("CQL store crash safety", () => {
  test("SIGKILL mid-write leaves every batch all-or-nothing", async () => {
    store = await openCqlStore(cqlOptions(keyspace));
    let previous = 0;
    for (const delayMs of [5, 60, 23, 150, 97, 41]) {
      await runAndKill(delayMs);
      await settledCount(store);
      const { count, problems } = await checkCrashGroups(store);
      expect(problems).toEqual([]);
      expect(count).toBeGreaterThan(previous); // each child committed at least its first group
      previous = count;
    }
  }, 240_000);
});
