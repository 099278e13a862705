/**
 * The repair service of the server (SM's `repair.Service`): targets (dry run and task validation), runs through
 * {@link Repair} with progress in the store, live control of intensity/parallel (one running repair per
 * cluster), and progress answers in SM's JSON with an ETA.
 * @module
 */
import type { CqlSession } from "../clients/cql/session.ts";
import type { ScyllaClient } from "../clients/scylla/client.ts";
import { NotFoundError, ValidationError } from "../errors.ts";
import type { Store } from "../store/store.ts";
import { estimateEta } from "../util/eta.ts";
import { createSilentLogger, type Logger } from "../util/log.ts";
import {
  PROGRESS_KIND,
  parseRepairProperties,
  type RepairProgressRow,
  type RepairRunRow,
  type RepairTarget,
  RUN_KIND,
} from "./model.ts";
import { aggregateProgress, type RepairProgress } from "./progress.ts";
import { Repair, type RepairMetricsSink } from "./repair.ts";
import { planTarget } from "./target.ts";
import { readViews, type ViewMap } from "./views.ts";

/** `repair:` config keys the service uses (ms). */
export interface RepairServiceConfig {
  statusTimeoutMs?: number;
  ageMaxMs?: number;
  gracefulStopTimeoutMs?: number;
}

export interface RepairServiceDeps {
  store: Store;
  /** The cluster's Scylla gateway (the cluster service's cached client). */
  client(clusterId: string): Promise<ScyllaClient>;
  /** A CQL session to the cluster (views are repaired after their base tables); undefined without credentials. */
  cqlSession?(clusterId: string): Promise<CqlSession | undefined>;
  config?: RepairServiceConfig;
  logger?: Logger;
  metrics?: RepairMetricsSink;
  now?: () => number;
}

/** One run of a repair task. */
export interface RepairRunRequest {
  clusterId: string;
  taskId: string;
  runId: string;
  properties: unknown;
  signal: AbortSignal;
  logger?: Logger;
}

export class RepairService {
  readonly #deps: RepairServiceDeps;
  readonly #active = new Map<string, Repair>();
  readonly #now: () => number;

  constructor(deps: RepairServiceDeps) {
    this.#deps = deps;
    this.#now = deps.now ?? Date.now;
  }

  /** SM's GetTarget (the dry run; also validates a task on create/update). */
  async getTarget(clusterId: string, properties: unknown): Promise<RepairTarget> {
    const props = parseRepairProperties(properties);
    const client = await this.#deps.client(clusterId);
    const views = await this.#views(clusterId);
    return (await planTarget(client, props, { interactive: true, ...(views ? { views } : {}) })).target;
  }

  #views(clusterId: string, logger?: Logger): Promise<ViewMap | undefined> {
    const open = this.#deps.cqlSession;
    return readViews(open === undefined ? undefined : () => open(clusterId), logger ?? this.#deps.logger);
  }

  /** Runs one repair (SM's `Runner.Run` → `GetTarget` → `Repair`). */
  async run(req: RepairRunRequest): Promise<void> {
    const props = parseRepairProperties(req.properties);
    const client = await this.#deps.client(req.clusterId);
    this.#deps.metrics?.setProgress(req.clusterId, 0);
    const views = await this.#views(req.clusterId, req.logger);
    const planned = await planTarget(client, props, views ? { views } : {});
    const cfg = this.#deps.config ?? {};
    const repair = Repair.fromPlanned({ scylla: client }, planned, props, {
      store: this.#deps.store,
      clusterId: req.clusterId,
      taskId: req.taskId,
      runId: req.runId,
      gracefulStopTimeoutMs: cfg.gracefulStopTimeoutMs,
      ageMaxMs: cfg.ageMaxMs,
      statusTimeoutMs: cfg.statusTimeoutMs,
      logger: req.logger ?? this.#deps.logger ?? createSilentLogger(),
      metrics: this.#deps.metrics,
      now: this.#now,
    });
    this.#active.set(req.clusterId, repair);
    try {
      await repair.run({ signal: req.signal });
    } finally {
      if (this.#active.get(req.clusterId) === repair) this.#active.delete(req.clusterId);
    }
  }

  #activeRepair(clusterId: string): Repair {
    const repair = this.#active.get(clusterId);
    if (!repair) throw new NotFoundError("repair task: not found");
    return repair;
  }

  /** `PUT /cluster/{id}/repairs/intensity`. */
  async setIntensity(clusterId: string, value: number): Promise<void> {
    const repair = this.#activeRepair(clusterId);
    if (!(value >= 0)) throw new ValidationError(`setting invalid intensity value ${value.toFixed(2)}`);
    await repair.setIntensity(value);
  }

  /** `PUT /cluster/{id}/repairs/parallel`. */
  async setParallel(clusterId: string, value: number): Promise<void> {
    const repair = this.#activeRepair(clusterId);
    if (!Number.isInteger(value) || value < 0) throw new ValidationError(`setting invalid parallel value ${value}`);
    await repair.setParallel(value);
  }

  /** SM's GetProgress (`null` without rows; the zero progress for the synthetic NEW run). */
  async getProgress(clusterId: string, taskId: string, runId: string | undefined): Promise<RepairProgress | null> {
    if (runId === undefined) return aggregateProgress([], undefined, this.#now());
    const store = this.#deps.store;
    const meta = await store.getServiceRun(RUN_KIND, clusterId, taskId, runId);
    const rows = (await store.listProgress(PROGRESS_KIND, clusterId, taskId, runId)).map(
      (r) => r.value as RepairProgressRow,
    );
    if (!meta && rows.length === 0) return null;
    const run = meta?.value as RepairRunRow | undefined;
    const active = this.#active.get(clusterId);
    const live =
      active && active.runId === runId
        ? { maxIntensity: active.maxIntensity, maxParallel: active.plan.maxParallel }
        : undefined;
    const progress = aggregateProgress(rows, run, this.#now(), live);
    if (live && active) {
      const eta = active.progress().eta_seconds;
      if (eta !== undefined) progress.eta_seconds = eta;
    } else if (progress.started_at && progress.completed_at === null && run && !run.end_time) {
      const eta = estimateEta({
        startedAtMs: Date.parse(progress.started_at),
        nowMs: this.#now(),
        done: progress.success + progress.error,
        total: progress.token_ranges,
      });
      if (eta !== undefined) progress.eta_seconds = eta;
    }
    return progress;
  }
}
