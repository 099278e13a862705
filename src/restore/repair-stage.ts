/**
 * The post-restore REPAIR stage through our repair service (`Repair.plan`): exactly the restored tables, SM's
 * settings (intensity 0 = max, parallel 0, allow_empty, incremental_mode full), persisted as repair task
 * `repair_task_id` so a resumed restore resumes the same repair; its progress is embedded in restore's progress.
 * @module
 */
import type { ScyllaClient } from "../clients/scylla/client.ts";
import { PROGRESS_KIND, type RepairProgressRow, type RepairRunRow, RUN_KIND } from "../repair/model.ts";
import { aggregateProgress } from "../repair/progress.ts";
import { Repair } from "../repair/repair.ts";
import type { Store } from "../store/store.ts";
import type { Logger } from "../util/log.ts";
import type { PostRestoreRepair } from "./env.ts";

/** A {@link PostRestoreRepair} that runs our repair over `scylla`, persisting in `store`. */
export function createRestoreRepair(deps: { scylla: ScyllaClient; store: Store; logger?: Logger }): PostRestoreRepair {
  return {
    async repair({ clusterId, taskId, runId, tables, signal }) {
      const repair = await Repair.plan(
        { scylla: deps.scylla },
        {
          keyspace: tables,
          store: deps.store,
          clusterId,
          taskId,
          runId,
          intensity: 0,
          parallel: 0,
          allowEmpty: true,
          incrementalMode: "full",
          continue: true,
          logger: deps.logger,
        },
      );
      await repair.run({ signal });
    },
    progress: (clusterId, taskId) => readRepairProgress(deps.store, clusterId, taskId),
  };
}

/** SM's RepairProgress of the latest run of repair task `taskId` (undefined when it never ran). */
export async function readRepairProgress(store: Store, clusterId: string, taskId: string): Promise<unknown> {
  const [latest] = await store.listServiceRuns(RUN_KIND, clusterId, taskId, 1);
  if (!latest) return undefined;
  const rows = (await store.listProgress(PROGRESS_KIND, clusterId, taskId, latest.runId)).map(
    (r) => r.value as RepairProgressRow,
  );
  return aggregateProgress(rows, latest.value as RepairRunRow, Date.now());
}
