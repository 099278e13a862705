/**
 * The dedicated `tablet_repair` task type (SM's `pkg/service/repair/tablet`, Scylla >= 2025.1): every table of
 * every tablet keyspace (`keyspaces?type=non_local_strategy&replication=tablets`), one after another, each with one
 * `tablets/repair` call (`tokens=all`, no master, no DC/host filter, no incremental mode) and a `wait_task`
 * (408 ⇒ `task_status`); leftover `user_repair` tasks are aborted first; the first failed table fails the run; no
 * resume (every run repairs all tables). Progress rows `tablet_repair_run_progress` per table.
 * @module
 */
import type { Gauge, Registry } from "prom-client";
import { Gauge as PromGauge } from "prom-client";
import type { ScyllaClient } from "../clients/scylla/client.ts";
import { abortTask, COLOCATED, listModuleTasks, tabletRepair, waitTask } from "../clients/scylla/repair.ts";
import { ManagerError } from "../errors.ts";
import type { RunContext, Runner } from "../scheduler/runner.ts";
import type { Store } from "../store/store.ts";

export const TABLET_PROGRESS_KIND = "tablet_repair_run_progress";

/** One table's row. */
export interface TabletTableProgress {
  keyspace: string;
  table: string;
  started_at: string | null;
  completed_at: string | null;
  error: string;
}

function progressGauge(registry: Registry): Gauge {
  const name = "scylla_manager_tablet_repair_progress";
  const existing = registry.getSingleMetric(name);
  if (existing instanceof PromGauge) return existing;
  return new PromGauge({
    name,
    help: "Tablet repair progress of a table.",
    labelNames: ["cluster", "task", "keyspace", "table"],
    registers: [registry],
  });
}

/** The runner of `tablet_repair` tasks. */
export function createTabletRepairRunner(deps: {
  store: Store;
  client(clusterId: string): Promise<ScyllaClient>;
  metrics?: Registry;
  now?: () => number;
}): Runner {
  const now = deps.now ?? Date.now;
  const gauge = deps.metrics ? progressGauge(deps.metrics) : undefined;
  const iso = () => new Date(now()).toISOString();
  return {
    validateProperties: (_clusterId, properties) => properties ?? {},
    async getProgress(clusterId, taskId, runId) {
      if (runId === undefined) return { tables: [] };
      const rows = await deps.store.listProgress(TABLET_PROGRESS_KIND, clusterId, taskId, runId);
      if (rows.length === 0) return null;
      return { tables: rows.map((r) => r.value as TabletTableProgress) };
    },
    async run(ctx: RunContext) {
      const client = await deps.client(ctx.clusterId);
      const keyspaces = await client.keyspaces({ type: "non_local_strategy", replication: "tablets" });
      const byKs = await client.tables();
      const rows: TabletTableProgress[] = keyspaces.flatMap((ks) =>
        (byKs.get(ks) ?? []).map((table) => ({ keyspace: ks, table, started_at: null, completed_at: null, error: "" })),
      );
      const key = (r: TabletTableProgress) => `${r.keyspace}/${r.table}`;
      const put = (r: TabletTableProgress) =>
        deps.store.putProgress(TABLET_PROGRESS_KIND, ctx.clusterId, ctx.taskId, ctx.runId, [{ key: key(r), value: r }]);
      await deps.store.putProgress(
        TABLET_PROGRESS_KIND,
        ctx.clusterId,
        ctx.taskId,
        ctx.runId,
        rows.map((r) => ({ key: key(r), value: r })),
      );
      // Leftover user_repair tasks would make scheduling fail.
      try {
        for (const t of await listModuleTasks(client, "tablets", { interactive: true })) {
          if (t.type === "user_repair" && t.state !== "done" && t.state !== "failed") {
            await abortTask(client, t.task_id, { interactive: true }).catch(() => undefined);
          }
        }
      } catch (error) {
        ctx.logger.error("list tablet repair tasks", { error: (error as Error).message });
      }
      for (const r of rows) {
        ctx.signal.throwIfAborted();
        const labels = { cluster: ctx.clusterId, task: ctx.taskId, keyspace: r.keyspace, table: r.table };
        gauge?.set(labels, 0);
        r.started_at = iso();
        await put(r);
        let failure: Error | undefined;
        try {
          let id: string | undefined;
          try {
            id = await tabletRepair(client, { keyspace: r.keyspace, table: r.table }, { signal: ctx.signal });
          } catch (error) {
            // A colocated table (2025.4+) is repaired with its base table.
            if (!COLOCATED.test((error as Error).message)) throw error;
          }
          if (id !== undefined) {
            let state: string;
            try {
              state = (await waitTask(client, id, { signal: ctx.signal })).state;
            } catch (error) {
              await abortTask(client, id, { interactive: true }).catch(() => undefined);
              throw error;
            }
            if (state !== "done") throw new ManagerError(`tablet repair task ${id} ended ${state}`);
          }
        } catch (error) {
          failure = error instanceof Error ? error : new Error(String(error));
        }
        r.completed_at = iso();
        if (failure && !ctx.signal.aborted) r.error = failure.message;
        await put(r);
        if (failure) {
          if (ctx.signal.aborted) throw ctx.signal.reason;
          throw new ManagerError(`repair table ${r.keyspace}.${r.table}: ${failure.message}`);
        }
        gauge?.set(labels, 100);
      }
    },
  };
}
