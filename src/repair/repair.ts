/**
 * The `Repair` library class and the run loop the service, the one-shot CLI and restore's post-restore repair
 * share: plan a target (`Repair.plan`), then `run({ signal })` generates jobs with the {@link JobScheduler},
 * runs them through the worker with overlapped starts (the next job starts as soon as a node frees up; progress
 * writes never hold a start), records progress (in a store when given one, resuming its previous run), and emits
 * `"progress"` events with an ETA. Stop = the signal: generation stops at once, jobs in flight get
 * `gracefulStopTimeoutMs`, then their waits are abandoned and Scylla's repair tasks aborted.
 * Runtime-neutral (Node >= 20 and Bun).
 * @module
 */
import { EventEmitter } from "node:events";
import type { CqlSession } from "../clients/cql/session.ts";
import type { ScyllaClient } from "../clients/scylla/client.ts";
import { abortTask, listModuleTasks } from "../clients/scylla/repair.ts";
import { ManagerError } from "../errors.ts";
import type { Store } from "../store/store.ts";
import { EtaTracker } from "../util/eta.ts";
import { createSilentLogger, type Logger } from "../util/log.ts";
import { newUuid } from "../util/uuid.ts";
import {
  parseIntensity,
  parseParallel,
  parseRepairProperties,
  type RepairProperties,
  type RepairRunRow,
  type RepairTarget,
  RUN_KIND,
  type Strategy,
} from "./model.ts";
import { type Plan, planTables } from "./plan.ts";
import { aggregateProgress, findPrevRun, ProgressManager, type RepairProgress, shouldBatchRanges } from "./progress.ts";
import { type Job, JobScheduler, type ScheduleOptions, type TableWork } from "./schedule.ts";
import { chooseStrategy, JOB_OVERHEAD_SECONDS, modelDuration } from "./simulate.ts";
import { type PlannedTarget, planTarget } from "./target.ts";
import { readViews } from "./views.ts";
import { runJob, type WorkerContext } from "./worker.ts";

/** What `Repair` needs of a cluster: its Scylla gateway (a `Cluster` has one). */
export interface RepairClusterHandle {
  scylla: ScyllaClient;
  /**
   * A CQL session (a `Cluster` has one), to read the views so each is repaired after its base table; without it
   * (or without credentials where the cluster needs them) views are planned like tables, as SM does.
   */
  cqlSession?: () => Promise<CqlSession | undefined>;
}

/** Metrics sink (the server's Prometheus gauges; see metrics.ts). */
export interface RepairMetricsSink {
  setProgress(clusterId: string, percent: number): void;
  setTokenRanges(
    clusterId: string,
    keyspace: string,
    table: string,
    host: string,
    total: number,
    success: number,
    error: number,
  ): void;
  setInflight(clusterId: string, host: string, jobs: number, ranges: number): void;
}

/** Options of {@link Repair.plan}: SM's repair task properties in camelCase, plus run settings. */
export interface RepairOptions {
  /** Keyspace/table globs, the last match wins (default `*`, `!system_traces`). */
  keyspace?: string[];
  /** DC globs (default all). */
  dc?: string[];
  /** Repair with this node only (its replica sets); default all nodes. */
  host?: string;
  /** `all` (default), `vnodes` or `tablets`. */
  keyspaceReplication?: "all" | "vnodes" | "tablets";
  /** Leave out nodes that are down instead of failing. */
  ignoreDownHosts?: boolean;
  /** Stop at the first failed job. */
  failFast?: boolean;
  /** Resume this task's previous run (needs `store`; default true). */
  continue?: boolean;
  /** Token ranges per job; 0 = the most the nodes support (default 1). */
  intensity?: number;
  /** Jobs at once; 0 = the most the topology allows (default 0). */
  parallel?: number;
  /** Tables up to this many bytes are repaired in one job (SM's default 1 GiB). */
  smallTableThreshold?: number;
  /** Scylla's `incremental_mode`: `incremental`, `full` or `disabled`; "" = the node's default. */
  incrementalMode?: "" | "incremental" | "full" | "disabled";
  /** An empty target is not an error. */
  allowEmpty?: boolean;
  /** `precedence` (our schedule, default) or `table-by-table` (SM's). */
  strategy?: Strategy;
  /** Persist progress here and resume this task's previous run (with `continue`). */
  store?: Store;
  clusterId?: string;
  taskId?: string;
  runId?: string;
  /** Grace for in-flight jobs after stop, ms (SM's `graceful_stop_timeout`, 30 s). */
  gracefulStopTimeoutMs?: number;
  /** Oldest resumable run, ms; 0 = any (SM's `age_max`). */
  ageMaxMs?: number;
  /** `repair_status` timeout, ms; 0 = none. */
  statusTimeoutMs?: number;
  logger?: Logger;
  metrics?: RepairMetricsSink;
  now?: () => number;
}

/** A progress event. */
export interface RepairProgressEvent {
  /** Size-weighted percent of ranges repaired. */
  percent: number;
  /** Range-replicas: total, repaired, failed. */
  total: number;
  success: number;
  error: number;
  /** Jobs running now. */
  running: number;
  etaSeconds: number | undefined;
  /** The job that just ended (absent on the first event). */
  job?: { keyspace: string; table: string; kind: Job["kind"]; hosts: string[]; ranges: number; ok: boolean };
}

/** What a finished run reports. */
export interface RepairResult {
  runId: string;
  success: number;
  error: number;
  total: number;
  jobs: number;
  /** Wall-clock duration, ms. */
  durationMs: number;
}

/** Thrown when jobs failed: names the tables with failed ranges. */
export class RepairFailedError extends ManagerError {
  constructor(
    message: string,
    readonly failedTables: string[],
  ) {
    super(message);
  }
}

const DEFAULT_GRACE_MS = 30_000;

/** A planned repair; run it once. */
export class Repair extends EventEmitter {
  readonly target: RepairTarget;
  readonly plan: Plan;
  readonly runId: string;
  /** The schedule the run uses (a `precedence` run may fall back to SM's order when that is shorter). */
  strategy: Strategy | undefined;
  readonly #planned: PlannedTarget;
  readonly #cluster: RepairClusterHandle;
  readonly #props: RepairProperties;
  readonly #opts: RepairOptions;
  readonly #logger: Logger;
  readonly #now: () => number;
  readonly #progress: ProgressManager;
  #scheduler: JobScheduler | undefined;
  #run: RepairRunRow | undefined;
  #started = false;
  #intensity: number;
  #parallel: number;

  private constructor(
    cluster: RepairClusterHandle,
    planned: PlannedTarget,
    props: RepairProperties,
    options: RepairOptions,
  ) {
    super();
    this.#cluster = cluster;
    this.#planned = planned;
    this.target = planned.target;
    this.plan = planned.plan;
    this.#props = props;
    this.#opts = options;
    this.#logger = options.logger ?? createSilentLogger();
    this.#now = options.now ?? Date.now;
    this.runId = options.runId ?? newUuid();
    this.#intensity = parseIntensity(props.intensity);
    this.#parallel = props.parallel;
    this.#progress = new ProgressManager(options.store, this.#key(), this.#now);
  }

  /** Resolves the target and plans it (SM's GetTarget); throws ValidationError for bad input. */
  static async plan(cluster: RepairClusterHandle, options: RepairOptions = {}): Promise<Repair> {
    const props = parseRepairProperties(propertiesOf(options));
    const source = cluster.cqlSession;
    const views = await readViews(source === undefined ? undefined : () => source.call(cluster), options.logger);
    const planned = await planTarget(cluster.scylla, props, views === undefined ? {} : { views });
    return new Repair(cluster, planned, props, options);
  }

  /** For the service: a Repair from an already resolved target. */
  static fromPlanned(
    cluster: RepairClusterHandle,
    planned: PlannedTarget,
    props: RepairProperties,
    options: RepairOptions,
  ): Repair {
    return new Repair(cluster, planned, props, options);
  }

  #key() {
    return {
      clusterId: this.#opts.clusterId ?? "local",
      taskId: this.#opts.taskId ?? "00000000-0000-0000-0000-000000000000",
      runId: this.runId,
    };
  }

  /** Live intensity (0 = max). Applies to jobs generated from now on; persisted into the run. */
  get intensity(): number {
    return this.#intensity;
  }

  get parallel(): number {
    return this.#parallel;
  }

  /** Highest max intensity over the plan's hosts (SM's `max_intensity`). */
  get maxIntensity(): number {
    return Math.max(0, ...this.plan.maxHostIntensity.values());
  }

  /** SM's `repair control --intensity`. */
  async setIntensity(value: number): Promise<void> {
    this.#intensity = parseIntensity(value);
    this.#scheduler?.controller.setIntensity(this.#intensity);
    await this.#saveRun();
  }

  /** SM's `repair control --parallel`. */
  async setParallel(value: number): Promise<void> {
    this.#parallel = parseParallel(value);
    this.#scheduler?.controller.setParallel(this.#parallel);
    this.#fill?.();
    await this.#saveRun();
  }

  /** SM's progress JSON of this run (from memory; the same as the REST answer). */
  progress(): RepairProgress {
    const p = aggregateProgress(this.#progress.rows, this.#run, this.#now(), {
      maxIntensity: this.maxIntensity,
      maxParallel: this.plan.maxParallel,
    });
    p.intensity = this.#intensity;
    p.parallel = this.#parallel;
    const eta = this.#eta.etaSeconds;
    if (eta !== undefined) p.eta_seconds = eta;
    return p;
  }

  readonly #eta = new EtaTracker();
  #fill: (() => void) | undefined;

  async #saveRun(): Promise<void> {
    if (!this.#run) return;
    this.#run.intensity = this.#intensity;
    this.#run.parallel = this.#parallel;
    const store = this.#opts.store;
    if (!store) return;
    const key = this.#key();
    await store.putServiceRun(RUN_KIND, {
      clusterId: key.clusterId,
      taskId: key.taskId,
      runId: key.runId,
      value: { ...this.#run },
    });
  }

  /**
   * Runs the repair. Resolves when every job succeeded; rejects with {@link RepairFailedError} when some failed
   * (the rest still ran unless `fail_fast`), or with the signal's reason when stopped.
   */
  async run(options: { signal?: AbortSignal } = {}): Promise<RepairResult> {
    if (this.#started) throw new ManagerError("a Repair runs once; plan a new one");
    this.#started = true;
    const startedAt = this.#now();
    const signal = options.signal ?? new AbortController().signal;
    const store = this.#opts.store;
    const key = this.#key();
    const client = this.#cluster.scylla;
    this.#run = {
      prev_id: "",
      dc: this.target.dc,
      host: this.target.host,
      parallel: this.#parallel,
      intensity: this.#intensity,
      start_time: new Date(startedAt).toISOString(),
      end_time: null,
    };
    await this.#saveRun();
    let prevId = "";
    if (this.#props.continue && store) {
      const prev = await findPrevRun(store, key, this.#opts.ageMaxMs ?? 0, this.#now());
      if (prev) {
        prevId = prev.id;
        this.#parallel = prev.run.parallel;
        this.#intensity = prev.run.intensity;
      }
    }
    this.#run.prev_id = prevId;
    await this.#progress.init(this.plan, prevId);
    await this.#saveRun();
    const batching = store && prevId !== "" ? await shouldBatchRanges(store, key, prevId).catch(() => false) : true;
    this.#logger.info("Repair order", {
      tables: planTables(this.plan)
        .map((t, i) => `${i + 1}:${t.keyspace}.${t.table}${t.small ? " (small)" : ""}`)
        .join(", "),
      batching,
      strategy: this.#props.strategy,
    });

    await this.#ensureNoActiveRepairs();

    const hostRank = await this.#hostRanks();
    const scheduleOptions: ScheduleOptions = {
      strategy: this.#props.strategy as Strategy,
      intensity: this.#intensity,
      parallel: this.#parallel,
      maxParallel: this.plan.maxParallel,
      maxHostIntensity: this.plan.maxHostIntensity,
      batching,
      hostRank,
      done: this.#progress.doneRanges(),
    };
    if (scheduleOptions.strategy === "precedence") {
      const model = modelDuration(64 * 1024 * 1024, this.plan.shards, JOB_OVERHEAD_SECONDS);
      const choice = chooseStrategy(planTables(this.plan), scheduleOptions, model, this.plan.hosts);
      scheduleOptions.strategy = choice.strategy;
      this.#logger.info("Repair schedule", { ...choice });
    }
    this.strategy = scheduleOptions.strategy;
    const scheduler = new JobScheduler(planTables(this.plan), scheduleOptions);
    this.#scheduler = scheduler;

    const graceful = new AbortController();
    const ignored = new Set(this.target.ignore_hosts ?? []);
    const worker: WorkerContext = {
      client,
      signal: graceful.signal,
      statusTimeoutMs: this.#opts.statusTimeoutMs ?? 0,
      dcs: this.target.dc,
      ...(ignored.size > 0
        ? { tabletHostIds: this.#planned.nodes.filter((n) => n.status.startsWith("U")).map((n) => n.hostId) }
        : {}),
      // SM sends incremental_mode only when every host supports it (Scylla >= 2025.4).
      incrementalMode: this.#planned.incrementalRepair ? this.#props.incremental_mode : "",
      targetTables: new Set(this.target.units.flatMap((u) => u.tables.map((t) => `${u.keyspace}.${t}`))),
      stopTrying: new Set(),
    };

    let graceTimer: ReturnType<typeof setTimeout> | undefined;
    const onStop = () => {
      scheduler.stop();
      graceTimer = setTimeout(
        () => graceful.abort(signal.reason),
        this.#opts.gracefulStopTimeoutMs ?? DEFAULT_GRACE_MS,
      );
      this.#fill?.();
    };
    if (signal.aborted) onStop();
    else signal.addEventListener("abort", onStop, { once: true });

    const failed = new Set<string>();
    let firstError: Error | undefined;
    let jobs = 0;
    let running = 0;
    const inflight = new Map<string, { jobs: number; ranges: number }>();
    const metrics = this.#opts.metrics;
    const clusterId = key.clusterId;
    const emit = (job?: RepairProgressEvent["job"]) => {
      const percent = this.#progress.percent();
      const etaSeconds = this.#eta.update(percent, 100, this.#now());
      metrics?.setProgress(clusterId, percent);
      const event: RepairProgressEvent = {
        percent,
        total: this.#progress.total,
        success: this.#progress.success,
        error: this.#progress.errors,
        running,
        etaSeconds,
        ...(job ? { job } : {}),
      };
      this.emit("progress", event);
    };
    const track = (job: Job, delta: number) => {
      if (!metrics) return;
      for (const h of job.participants) {
        const v = inflight.get(h) ?? { jobs: 0, ranges: 0 };
        v.jobs += delta;
        v.ranges += delta * job.ranges.length;
        inflight.set(h, v);
        metrics.setInflight(clusterId, h, v.jobs, v.ranges);
      }
    };
    const recordRanges = (ks: string, table: string) => {
      if (!metrics) return;
      for (const r of this.#progress.rows) {
        if (r.keyspace === ks && r.table === table && r.token_ranges > 0) {
          metrics.setTokenRanges(clusterId, ks, table, r.host, r.token_ranges, r.success, r.error);
        }
      }
    };

    emit();
    await new Promise<void>((resolve) => {
      const fill = () => {
        for (const job of scheduler.next()) {
          jobs += 1;
          running += 1;
          track(job, 1);
          this.#progress.onJobStart(job.keyspace, job.tables);
          void runJob(worker, job).then((outcome) => {
            running -= 1;
            track(job, -1);
            scheduler.finish(job);
            // Tables dropped meanwhile are success (SM). A shared job that failed while some of its tables were
            // dropped repairs its other tables again, each alone (the failure may be the drop's).
            const gone = outcome.ok ? (outcome.deleted ? job.tables.map((w) => w.table) : []) : (outcome.gone ?? []);
            const kept = job.tables.filter((w) => !gone.includes(w.table));
            let failedWork: TableWork[] = [];
            if (!outcome.ok) {
              if (gone.length > 0 && !scheduler.stopped)
                scheduler.retryAlone(
                  job,
                  kept.map((w) => w.table),
                );
              else failedWork = kept;
            }
            const doneWork = outcome.ok ? job.tables : job.tables.filter((w) => gone.includes(w.table));
            for (const table of gone) {
              const rest = scheduler.dropTable(job.keyspace, table);
              if (rest.length > 0) this.#progress.onJobEnd(job.keyspace, [{ table, parts: rest }], true);
            }
            if (!outcome.ok && failedWork.length > 0) {
              for (const w of failedWork) failed.add(`${job.keyspace}.${w.table}`);
              firstError ??= outcome.error;
              this.#logger.error("Repair job failed", { error: outcome.error.message });
              if (this.#props.fail_fast) scheduler.stop();
            }
            // Start the next jobs before any bookkeeping waits (overlapped starts).
            fill();
            if (doneWork.length > 0) this.#progress.onJobEnd(job.keyspace, doneWork, true);
            if (failedWork.length > 0) this.#progress.onJobEnd(job.keyspace, failedWork, false);
            for (const w of job.tables) recordRanges(job.keyspace, w.table);
            const ok = failedWork.length === 0;
            emit({
              keyspace: job.keyspace,
              table: job.tables.map((w) => w.table).join(","),
              kind: job.kind,
              hosts: job.participants,
              ranges: job.tables.reduce((n, w) => n + w.parts.reduce((m, p) => m + p.ranges.length, 0), 0),
              ok,
            });
            if (scheduler.done) resolve();
          });
        }
        if (scheduler.done) resolve();
      };
      this.#fill = fill;
      fill();
    });
    this.#fill = undefined;
    if (graceTimer) clearTimeout(graceTimer);
    signal.removeEventListener("abort", onStop);

    if (signal.aborted || (firstError && this.#props.fail_fast)) await this.#killAllRepairs();
    const writeError = await this.#progress.flush();
    if (writeError) this.#logger.error("Repair progress write failed", { error: String(writeError) });
    const ok = !firstError && !signal.aborted;
    if (ok && this.#run) {
      this.#run.end_time = new Date(this.#now()).toISOString();
      await this.#saveRun();
    }
    if (!signal.aborted && (!this.#props.fail_fast || !firstError)) metrics?.setProgress(clusterId, 100);
    if (signal.aborted) throw signal.reason;
    if (firstError) {
      const tables = [...failed].sort();
      throw new RepairFailedError(
        `repair failed for tables ${tables.join(", ")}: ${firstError.message} (see more errors in logs)`,
        tables,
      );
    }
    return {
      runId: this.runId,
      success: this.#progress.success,
      error: this.#progress.errors,
      total: this.#progress.total,
      jobs,
      durationMs: this.#now() - startedAt,
    };
  }

  /** Master rank: fewest shards first, then the closest DC (lowest ping). */
  async #hostRanks(): Promise<Map<string, number>> {
    const client = this.#cluster.scylla;
    const dcOf = new Map(this.#planned.nodes.map((n) => [n.host, n.dc]));
    const dcs = [...new Set(this.plan.hosts.map((h) => dcOf.get(h) ?? ""))];
    const rtt = new Map<string, number>();
    if (dcs.length > 1) {
      await Promise.all(
        dcs.map(async (dc) => {
          const hosts = this.plan.hosts.filter((h) => dcOf.get(h) === dc).slice(0, 3);
          const times = await Promise.all(hosts.map((h) => client.ping(h, 1000).catch(() => Number.POSITIVE_INFINITY)));
          rtt.set(dc, Math.min(...times));
        }),
      );
    }
    const order = [...dcs].sort((a, b) => (rtt.get(a) ?? 0) - (rtt.get(b) ?? 0));
    const hosts = [...this.plan.hosts].sort(
      (a, b) =>
        (this.plan.shards.get(a) ?? 0) - (this.plan.shards.get(b) ?? 0) ||
        order.indexOf(dcOf.get(a) ?? "") - order.indexOf(dcOf.get(b) ?? ""),
    );
    return new Map(hosts.map((h, i) => [h, i]));
  }

  /** SM's active-repair pre-check (listing errors are ignored). */
  async #ensureNoActiveRepairs(): Promise<void> {
    const client = this.#cluster.scylla;
    const active: Array<{ host: string; keyspace: string; id: string }> = [];
    await Promise.all(
      this.plan.hosts.map(async (host) => {
        try {
          for (const t of await listModuleTasks(client, "repair", { host, interactive: true })) {
            if (t.type === "repair" && t.state !== "done" && t.state !== "failed")
              active.push({ host, keyspace: t.keyspace, id: t.task_id });
          }
        } catch (error) {
          this.#logger.error("Active repair check failed", { host, error: (error as Error).message });
        }
      }),
    );
    if (active.length === 0) return;
    if (this.#props.keyspace_replication === "vnodes") {
      const bad = active.find((a) => !this.#planned.tabletKeyspaces.has(a.keyspace));
      if (bad) throw new ManagerError(`vnode keyspace ${bad.keyspace} is already repaired with task ${bad.id}`);
      return;
    }
    throw new ManagerError(`cluster is currently being repaired by tasks: ${active.map((a) => a.id).join(", ")}`);
  }

  /** Aborts `user_repair` tablet tasks, then every running `repair` task on the plan's hosts (errors only logged). */
  async #killAllRepairs(): Promise<void> {
    const client = this.#cluster.scylla;
    try {
      for (const t of await listModuleTasks(client, "tablets", { interactive: true })) {
        if (t.type === "user_repair" && t.state !== "done" && t.state !== "failed") {
          await abortTask(client, t.task_id, { interactive: true }).catch(() => undefined);
        }
      }
    } catch (error) {
      this.#logger.error("Failed to kill tablet repairs", { error: (error as Error).message });
    }
    await Promise.all(
      this.plan.hosts.map(async (host) => {
        try {
          for (const t of await listModuleTasks(client, "repair", { host, interactive: true })) {
            if (t.type === "repair" && t.state !== "done" && t.state !== "failed") {
              await abortTask(client, t.task_id, { host, interactive: true }).catch(() => undefined);
            }
          }
        } catch (error) {
          this.#logger.error("Failed to kill repairs", { host, error: (error as Error).message });
        }
      }),
    );
  }
}

/** Each option and the task property (SM's JSON name) it sets. */
const PROPERTY_OF_OPTION = {
  keyspace: "keyspace",
  dc: "dc",
  host: "host",
  keyspaceReplication: "keyspace_replication",
  ignoreDownHosts: "ignore_down_hosts",
  failFast: "fail_fast",
  continue: "continue",
  intensity: "intensity",
  parallel: "parallel",
  smallTableThreshold: "small_table_threshold",
  incrementalMode: "incremental_mode",
  allowEmpty: "allow_empty",
  strategy: "strategy",
} as const satisfies { [K in keyof RepairOptions]?: string };

/** The task-property view (SM's JSON names) of library options. */
export function propertiesOf(options: RepairOptions): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [option, property] of Object.entries(PROPERTY_OF_OPTION)) {
    const value = options[option as keyof typeof PROPERTY_OF_OPTION];
    if (value !== undefined) out[property] = value;
  }
  return out;
}
