/**
 * The daemon's backup service: cluster access from the ClusterService (clients, node info, CQL with the cluster's
 * credentials), the `backup` runner (SM's `pkg/service/backup/runner.go` plus the task decorator that injects the
 * retention of every backup task of the cluster, deleted ones included), target and progress for the REST API.
 * @module
 */
import * as v from "valibot";
import { resolveCqlEndpoint } from "../clients/agent/node-info.ts";
import { openCqlSession } from "../clients/cql/session.ts";
import { tableDiskSize } from "../clients/scylla/snapshots.ts";
import type { ClusterService } from "../cluster/service.ts";
import type { RunContext, Runner } from "../scheduler/runner.ts";
import type { Store } from "../store/store.ts";
import type { Logger } from "../util/log.ts";
import { type BackupClusterAccess, type BackupConfig, DEFAULT_BACKUP_CONFIG } from "./access.ts";
import { runBackup } from "./engine.ts";
import type { BackupMetrics } from "./metrics.ts";
import { BackupRunSchema, PROGRESS_KIND, RUN_KIND, RunProgressSchema } from "./model.ts";
import { aggregateProgress } from "./progress.ts";
import { retentionOfTask } from "./properties.ts";
import { getBackupTarget, targetToJson } from "./target.ts";

export interface BackupServiceOptions {
  store: Store;
  clusters: ClusterService;
  config?: BackupConfig;
  logger?: Logger;
  metrics?: BackupMetrics;
}

/** Backup over the clusters a ClusterService manages. */
export class BackupService implements Runner {
  readonly #o: BackupServiceOptions;

  constructor(options: BackupServiceOptions) {
    this.#o = options;
  }

  /** The backup engine's view of a managed cluster. */
  async access(clusterId: string): Promise<BackupClusterAccess> {
    const { clusters } = this.#o;
    const record = await clusters.resolve(clusterId);
    const { scylla, agent } = await clusters.clients(record.id);
    return {
      clusterId: record.id,
      clusterName: record.name,
      scylla,
      agent,
      nodeInfo: (host) => agent.nodeInfo(host),
      cqlSession: async (host) => {
        const info = await agent.nodeInfo(host);
        const secrets = await clusters.secrets(record.id);
        if (info.cql_password_protected && !secrets.cql) return undefined;
        const endpoint = resolveCqlEndpoint(info, host, record);
        const dc = await scylla.datacenter(host);
        return openCqlSession({
          contactPoints: [`${endpoint.address}:${endpoint.port}`],
          localDataCenter: dc,
          credentials: secrets.cql,
          tls: endpoint.tls,
          clientCert: secrets.tls ? { cert: secrets.tls.cert, key: secrets.tls.private_key } : undefined,
          singleHost: true,
        });
      },
    };
  }

  /** Properties with `retention_map` of every backup task of the cluster (deleted ones too). */
  async #withRetentionMap(clusterId: string, properties: unknown): Promise<Record<string, unknown>> {
    const tasks = await this.#o.store.listTasks(clusterId, { type: "backup", includeDeleted: true });
    const map: Record<string, { retention: number; retention_days: number }> = {};
    for (const task of tasks) {
      const policy = retentionOfTask(task.properties, task.deleted);
      map[task.id] = { retention: policy.retention, retention_days: policy.retentionDays };
    }
    return { ...((properties as Record<string, unknown>) ?? {}), retention_map: map };
  }

  async validateProperties(clusterId: string, properties: unknown): Promise<unknown> {
    await getBackupTarget(await this.access(clusterId), properties);
    return properties;
  }

  async getTarget(clusterId: string, properties: unknown): Promise<unknown> {
    const access = await this.access(clusterId);
    const target = await getBackupTarget(access, properties);
    let size = 0;
    for (const unit of target.units) {
      for (const table of unit.tables) size += await tableDiskSize(access.scylla, unit.keyspace, table).catch(() => 0);
    }
    return targetToJson(clusterId, target, size);
  }

  async run(ctx: RunContext): Promise<void> {
    const access = await this.access(ctx.clusterId);
    await runBackup({
      cluster: access,
      store: this.#o.store,
      taskId: ctx.taskId,
      runId: ctx.runId,
      properties: await this.#withRetentionMap(ctx.clusterId, ctx.properties),
      signal: ctx.signal,
      config: this.#o.config ?? DEFAULT_BACKUP_CONFIG,
      logger: ctx.logger,
      metrics: this.#o.metrics,
    });
  }

  async getProgress(clusterId: string, taskId: string, runId: string | undefined): Promise<unknown> {
    if (runId === undefined) return {};
    const record = await this.#o.store.getServiceRun(RUN_KIND, clusterId, taskId, runId);
    if (!record) return null;
    const run = v.parse(BackupRunSchema, record.value);
    const rows = (await this.#o.store.listProgress(PROGRESS_KIND, clusterId, taskId, runId)).flatMap((row) => {
      const parsed = v.safeParse(RunProgressSchema, row.value);
      return parsed.success ? [parsed.output] : [];
    });
    return aggregateProgress(run, rows, Date.now());
  }
}
