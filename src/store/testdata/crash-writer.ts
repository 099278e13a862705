// Child process for the crash tests (test/store-crash.test.ts on SQLite, test/external/cql-store-crash.test.ts on
// CQL): appends groups (a run, its progress rows, its service-run summary and the group counter) in one batch each,
// forever, until killed. Prints "ready" after its first commit.
//   bun crash-writer.ts <sqlite file> <key hex>
//   CRASH_WRITER_CQL='<CqlStoreOptions without secretKey, JSON>' bun crash-writer.ts - <key hex>
import { newTimeUuid } from "../../util/uuid.ts";
import type { Store, StoreWrite } from "../store.ts";

export const CLUSTER = "00000000-0000-4000-8000-00000000c0de";
export const TASK = "00000000-0000-4000-8000-000000007a5c";

/**
 * Row count and padding of group `count`: big enough that a kill often lands mid-write; under 50 KiB per batch on
 * CQL (Cassandra refuses bigger logged batches by default).
 */
export function groupShape(count: number, cql: boolean): { rowCount: number; padding: string } {
  return cql
    ? { rowCount: 10 + ((count * 37) % 60), padding: "x".repeat(100) }
    : { rowCount: 20 + ((count * 37) % 280), padding: "x".repeat(200) };
}

async function open(file: string, secretKey: Uint8Array): Promise<{ store: Store; cql: boolean }> {
  const cqlOptions = process.env.CRASH_WRITER_CQL;
  if (cqlOptions) {
    const { openCqlStore } = await import("../cql/store.ts");
    return { store: await openCqlStore({ ...JSON.parse(cqlOptions), secretKey }), cql: true };
  }
  const { openSqliteStore } = await import("../sqlite/store.ts");
  return { store: await openSqliteStore(file, { secretKey }), cql: false };
}

if (import.meta.main) {
  const [file, keyHex] = process.argv.slice(2);
  const { store, cql } = await open(file ?? "", new Uint8Array(Buffer.from(keyHex ?? "", "hex")));
  const counter = (await store.getDrawer(CLUSTER, "counter")) as { count: number } | undefined;
  let count = counter?.count ?? 0;
  let announced = false;
  for (;;) {
    const runId = newTimeUuid();
    const { rowCount, padding } = groupShape(count, cql);
    const rows = Array.from({ length: rowCount }, (_, i) => ({
      key: `host-${i % 6}/ks/table_${i}`,
      value: { group: count, i, padding },
    }));
    const writes: StoreWrite[] = [
      {
        op: "putRun",
        run: {
          clusterId: CLUSTER,
          type: "repair",
          taskId: TASK,
          id: runId,
          status: "DONE",
          cause: "",
          owner: "",
          startTime: new Date().toISOString(),
          endTime: null,
        },
      },
      { op: "putProgress", kind: "repair_run_progress", clusterId: CLUSTER, taskId: TASK, runId, rows },
      {
        op: "putServiceRun",
        kind: "repair_run",
        run: { clusterId: CLUSTER, taskId: TASK, runId, value: { group: count, rowCount } },
      },
      { op: "putDrawer", clusterId: CLUSTER, key: "counter", value: { count: count + 1, lastRunId: runId } },
    ];
    await store.batch(writes);
    count++;
    if (!announced) {
      announced = true;
      process.stdout.write("ready\n");
    }
  }
}
