/**
 * The daemon's `1_1_restore` runner (SM's `pkg/service/one2onerestore/service.go` + `runner.go`): runs a 1-1
 * restore over a managed cluster, checks the properties when a task is created or updated (what needs no cluster:
 * SM checks them only when the task runs), and serves the run progress as SM's `One2OneRestoreProgress` JSON.
 * @module
 */
import type { ClusterService } from "../../cluster/service.ts";
import type { RunContext, Runner } from "../../scheduler/runner.ts";
import type { Store } from "../../store/store.ts";
import type { RestoreService } from "../service.ts";
import { one2OneEnv } from "./env.ts";
import type { One2OneMetrics } from "./metrics.ts";
import {
  ONE2ONE_TABLE_PROGRESS_KIND,
  ONE2ONE_VIEW_PROGRESS_KIND,
  parseOne2OneProperties,
  type TableProgressRow,
  type ViewProgressRow,
} from "./model.ts";
import { aggregateOne2OneProgress, type One2OneProgress } from "./progress.ts";
import { runOne2OneRestore } from "./run.ts";

export interface One2OneServiceOptions {
  store: Store;
  clusters: ClusterService;
  /** The restore service whose environment (gateways, CQL, timings, repair) 1-1 restore shares. */
  restore: RestoreService;
  metrics?: One2OneMetrics;
}

/** 1-1 restore over the clusters a ClusterService manages. */
export class One2OneRestoreService implements Runner {
  readonly #o: One2OneServiceOptions;

  constructor(options: One2OneServiceOptions) {
    this.#o = options;
  }

  validateProperties(_clusterId: string, properties: unknown): unknown {
    parseOne2OneProperties(properties);
    return properties;
  }

  async run(ctx: RunContext): Promise<void> {
    const base = await this.#o.restore.env(ctx.clusterId, ctx.logger);
    const { agent } = await this.#o.clusters.clients(base.clusterId);
    await runOne2OneRestore(one2OneEnv(base, agent, this.#o.metrics), {
      taskId: ctx.taskId,
      runId: ctx.runId,
      properties: ctx.properties,
      signal: ctx.signal,
    });
  }

  async getProgress(clusterId: string, taskId: string, runId: string | undefined): Promise<One2OneProgress> {
    return readOne2OneProgress(this.#o.store, clusterId, taskId, runId);
  }
}

/** Progress of a run from the store (the synthetic NEW run, `runId` undefined: no tables, no views). */
export async function readOne2OneProgress(
  store: Store,
  clusterId: string,
  taskId: string,
  runId: string | undefined,
): Promise<One2OneProgress> {
  if (runId === undefined) return { tables: null, views: null };
  const values = async <T>(kind: string) =>
    (await store.listProgress(kind, clusterId, taskId, runId)).flatMap((r) => (r.value ? [r.value as T] : []));
  return aggregateOne2OneProgress(
    await values<TableProgressRow>(ONE2ONE_TABLE_PROGRESS_KIND),
    await values<ViewProgressRow>(ONE2ONE_VIEW_PROGRESS_KIND),
  );
}
