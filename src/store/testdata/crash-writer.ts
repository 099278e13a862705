// Child process for test/store-crash.test.ts: appends groups (a run, its progress rows, its service-run summary and
// the group counter) in one batch each, forever, until killed. Prints "ready" after its first commit.
import { newTimeUuid } from "../../util/uuid.ts";
import { openSqliteStore } from "../sqlite/store.ts";
import type { StoreWrite } from "../store.ts";

export const CLUSTER = "00000000-0000-4000-8000-00000000c0de";
export const TASK = "00000000-0000-4000-8000-000000007a5c";

const [file, keyHex] = process.argv.slice(2);
if (import.meta.main) {
  const store = await openSqliteStore(file ?? "", { secretKey: new Uint8Array(Buffer.from(keyHex ?? "", "hex")) });
  const counter = (await store.getDrawer(CLUSTER, "counter")) as { count: number } | undefined;
  let count = counter?.count ?? 0;
  let announced = false;
  const padding = "x".repeat(200);
  for (;;) {
    const runId = newTimeUuid();
    const rowCount = 20 + ((count * 37) % 280); // big enough groups that a kill often lands mid-transaction
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
