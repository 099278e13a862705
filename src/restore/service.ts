/**
 * The daemon's restore service: cluster access from the ClusterService (clients, node states, CQL with the
 * cluster's credentials), the `restore` runner (SM's `pkg/service/restore/runner.go`), target (dry run) and progress
 * for the REST API.
 * @module
 */
import { resolveCqlEndpoint } from "../clients/agent/node-info.ts";
import { RestoreRclone } from "../clients/agent/rclone-restore.ts";
import { openCqlSession } from "../clients/cql/session.ts";
import type { ClusterService } from "../cluster/service.ts";
import { readNodeStates } from "../cluster/topology.ts";
import { ManagerError } from "../errors.ts";
import type { RunContext, Runner } from "../scheduler/runner.ts";
import type { Store } from "../store/store.ts";
import { createSilentLogger, type Logger } from "../util/log.ts";
import { DEFAULT_TIMINGS, type PostRestoreRepair, type RestoreEnv, type RestoreTimings } from "./env.ts";
import type { RestoreMetrics } from "./metrics.ts";
import {
  parseRestoreProperties,
  RESTORE_PROGRESS_KIND,
  RESTORE_RUN_KIND,
  type RestoreProgressRow,
  type RestoreRunState,
} from "./model.ts";
import { aggregateRestoreProgress, type RestoreProgress } from "./progress.ts";
import { createRestoreRepair, readRepairProgress } from "./repair-stage.ts";
import { initRun, runRestore } from "./run.ts";
import { restoreTargetJson } from "./target-json.ts";

export interface RestoreServiceOptions {
  store: Store;
  clusters: ClusterService;
  logger?: Logger;
  timings?: Partial<RestoreTimings>;
  /** The post-restore repair; absent = the REPAIR stage is skipped with a warning. */
  repair?: PostRestoreRepair;
  now?: () => number;
  /** The `scylla_manager_restore_*` gauges. */
  metrics?: RestoreMetrics;
}

/** Restore over the clusters a ClusterService manages. */
export class RestoreService implements Runner {
  readonly #o: RestoreServiceOptions;
  #repair: PostRestoreRepair | undefined;

  constructor(options: RestoreServiceOptions) {
    this.#o = options;
    this.#repair = options.repair;
  }

  /** Plugs in the post-restore repair (the repair service, once it is wired). */
  setRepair(repair: PostRestoreRepair | undefined): void {
    this.#repair = repair;
  }

  /** The restore environment of a managed cluster. */
  async env(clusterId: string, logger?: Logger): Promise<RestoreEnv> {
    const { clusters } = this.#o;
    const record = await clusters.resolve(clusterId);
    const { scylla, agent } = await clusters.clients(record.id);
    return {
      clusterId: record.id,
      scylla,
      rclone: new RestoreRclone(agent),
      nodes: () => readNodeStates(scylla),
      nodeInfo: (host) => agent.nodeInfo(host),
      cql: async () => {
        const nodes = await readNodeStates(scylla);
        const host = nodes.find((n) => n.status === "UN")?.host;
        if (host === undefined) throw new ManagerError("open CQL session: no node is UP");
        const info = await agent.nodeInfo(host);
        const secrets = await clusters.secrets(record.id);
        if (info.cql_password_protected && !secrets.cql) {
          throw new ManagerError("open CQL session: the cluster requires CQL credentials", {
            hint: "restore needs CQL: set them with sctool cluster update --username ... --password ...",
          });
        }
        const endpoint = resolveCqlEndpoint(info, host, record);
        return openCqlSession({
          contactPoints: [`${endpoint.address}:${endpoint.port}`],
          localDataCenter: nodes.find((n) => n.host === host)?.dc ?? "",
          credentials: secrets.cql,
          tls: endpoint.tls,
          clientCert: secrets.tls ? { cert: secrets.tls.cert, key: secrets.tls.private_key } : undefined,
          singleHost: true,
        });
      },
      store: this.#o.store,
      logger: logger ?? this.#o.logger ?? createSilentLogger(),
      now: this.#o.now ?? Date.now,
      timings: { ...DEFAULT_TIMINGS, ...this.#o.timings },
      repair: this.#repair ?? createRestoreRepair({ scylla, store: this.#o.store, logger: logger ?? this.#o.logger }),
      restoreMetrics: this.#o.metrics,
    };
  }

  /** SM validates the whole target (locations, snapshot, tables) when a task is created or updated. */
  async validateProperties(clusterId: string, properties: unknown): Promise<unknown> {
    parseRestoreProperties(properties);
    await this.getTarget(clusterId, properties);
    return properties;
  }

  /** `GET /tasks/restore/target`: SM's RestoreTarget (capitalised Units/Views/Size, as SM answers). */
  async getTarget(clusterId: string, properties: unknown): Promise<unknown> {
    const env = await this.env(clusterId);
    const cql = await env.cql();
    try {
      const { target, state } = await initRun(env, { taskId: "", runId: "", properties }, cql);
      return restoreTargetJson(env.clusterId, target, state.units, state.views);
    } finally {
      await cql.shutdown().catch(() => undefined);
    }
  }

  async run(ctx: RunContext): Promise<void> {
    const env = await this.env(ctx.clusterId, ctx.logger);
    await runRestore(env, { taskId: ctx.taskId, runId: ctx.runId, properties: ctx.properties, signal: ctx.signal });
  }

  async getProgress(clusterId: string, taskId: string, runId: string | undefined): Promise<RestoreProgress | null> {
    return readRestoreProgress(this.#o.store, clusterId, taskId, runId, (this.#o.now ?? Date.now)());
  }
}

/** Progress of a run from the store (the NEW run when `runId` is undefined: zeros). */
export async function readRestoreProgress(
  store: Store,
  clusterId: string,
  taskId: string,
  runId: string | undefined,
  now: number,
): Promise<RestoreProgress | null> {
  const empty = { snapshot_tag: "", stage: "" as const, units: [], views: [] };
  if (runId === undefined) return aggregateRestoreProgress(empty, [], now);
  const record = await store.getServiceRun(RESTORE_RUN_KIND, clusterId, taskId, runId);
  if (!record) return null;
  const run = record.value as RestoreRunState;
  const rows = (await store.listProgress(RESTORE_PROGRESS_KIND, clusterId, taskId, runId)).flatMap((r) =>
    r.value ? [r.value as RestoreProgressRow] : [],
  );
  const progress = aggregateRestoreProgress(run, rows, now);
  if (run.repair_task_id) {
    progress.repair_progress =
      (await readRepairProgress(store, clusterId, run.repair_task_id).catch(() => undefined)) ?? null;
  }
  return progress;
}
