/**
 * Tablet repair: `POST /storage_service/tablets/repair` creates a cluster-wide `tablets` module task (type
 * `user_repair`) that repairs each selected tablet with its replicas (narrowed by dcs_filter / hosts_filter).
 * Like Scylla's tablet scheduler, a node takes part in at most one tablet repair per shard at a time.
 * @module
 */
import type { NodeContext } from "../node-context.ts";
import { boolParam, requireParam } from "../rest/params.ts";
import { RestError } from "../rest/rest-error.ts";
import type { RestRequest } from "../rest/router.ts";
import { holdsKeyspace } from "../storage/node-storage.ts";
import type { Tablet } from "../topology/tablets.ts";
import { JobInterrupted } from "./scheduler.ts";
import { clusterRepairState } from "./state.ts";
import { ringFraction } from "./tokens.ts";

/** Replica filters of a tablet repair. */
export interface TabletFilters {
  dcs?: string[];
  /** IPs (hosts_filter gives host ids; they are resolved before). */
  hosts?: string[];
  incrementalMode?: string;
  /** Tokens whose tablets to repair; undefined = all. */
  tokens?: bigint[];
}

const MODES = new Set(["incremental", "full", "disabled"]);
const LIVENESS_POLL_MS = 20;

/** Resolves once every host is up; rejects when the signal aborts. */
async function waitUntilLive(cluster: NodeContext["cluster"], hosts: readonly string[], signal: AbortSignal) {
  while (!hosts.every((h) => cluster.liveNodes().includes(h))) {
    await cluster.clock.sleep(LIVENESS_POLL_MS, signal);
  }
}
let tabletSequence = 0;

function selectTablets(map: readonly Tablet[], tokens: bigint[] | undefined): Tablet[] {
  if (tokens === undefined) return [...map];
  return map.filter((t) =>
    tokens.some((tok) => (t.start < tok && tok <= t.end) || (tok === t.start && t.start === map[0]?.start)),
  );
}

/** Repairs the tablets of one table; rejects on the first failed tablet (the others are aborted). */
async function repairTable(
  node: NodeContext,
  keyspace: string,
  table: string,
  filters: TabletFilters,
  signal: AbortSignal,
  taskId: string,
  onTabletDone: () => void,
): Promise<void> {
  const cluster = node.cluster;
  const { scheduler } = clusterRepairState(cluster);
  const ks = cluster.schema.keyspace(keyspace);
  const size = cluster.schema.table(keyspace, table)?.sizeBytes ?? 0;
  const holders = ks === undefined ? 0 : cluster.topology.nodes.filter((n) => holdsKeyspace(ks, n.dc)).length;
  const topo = cluster.topology;
  const pending = selectTablets(cluster.tabletMap(keyspace, table), filters.tokens)
    .map((t) => ({
      tablet: t,
      hosts: t.replicas
        .filter((ip) => filters.dcs === undefined || filters.dcs.includes(topo.byIp.get(ip)?.dc ?? ""))
        .filter((ip) => filters.hosts === undefined || filters.hosts.includes(ip)),
    }))
    .filter((j) => j.hosts.length > 1);
  const active = new Map<string, number>();
  const running = new Set<Promise<void>>();
  const inner = new AbortController();
  const onAbort = (): void => inner.abort();
  signal.addEventListener("abort", onAbort, { once: true });
  let failure: unknown;
  try {
    while ((pending.length > 0 || running.size > 0) && failure === undefined) {
      const i = pending.findIndex((j) => j.hosts.every((h) => (active.get(h) ?? 0) < node.settings.shards));
      const job = i >= 0 ? pending.splice(i, 1)[0] : undefined;
      if (job === undefined) {
        await Promise.race(running);
        continue;
      }
      for (const h of job.hosts) active.set(h, (active.get(h) ?? 0) + 1);
      // Scylla's tablet repair waits (on a raft barrier) while a replica is down instead of failing at once.
      await waitUntilLive(cluster, job.hosts, inner.signal).catch(() => undefined);
      const load = scheduler.load();
      const entry = cluster.ledger.record({
        kind: "repair",
        host: job.hosts[0] ?? node.ip,
        id: taskId,
        keyspace,
        tables: [table],
        ranges: [{ start: job.tablet.start.toString(), end: job.tablet.end.toString() }],
        hosts: [...job.hosts].sort(),
        start: cluster.clock.now(),
        outcome: "running",
        params: {
          tablet: "true",
          incremental_mode: filters.incrementalMode ?? "incremental",
          concurrency_at_start: String(1 + Math.max(0, ...job.hosts.map((h) => load.get(h) ?? 0))),
        },
      });
      const fraction = ringFraction({ start: job.tablet.start, end: job.tablet.end });
      const p: Promise<void> = scheduler
        .run({
          hosts: job.hosts,
          bytes: (size * fraction * holders) / Math.max(1, job.tablet.replicas.length),
          parallelism: 1,
          signal: inner.signal,
        })
        .then(
          () => {
            cluster.ledger.finish(entry, "successful", cluster.clock.now());
            onTabletDone();
          },
          (err: unknown) => {
            const aborted = err instanceof JobInterrupted && err.reason === "aborted";
            cluster.ledger.finish(entry, aborted ? "aborted" : "failed", cluster.clock.now());
            failure ??= err;
            inner.abort();
          },
        )
        .finally(() => {
          running.delete(p);
          for (const h of job.hosts) active.set(h, (active.get(h) ?? 1) - 1);
        });
      running.add(p);
    }
    await Promise.allSettled(running);
  } finally {
    signal.removeEventListener("abort", onAbort);
  }
  if (failure !== undefined) {
    if (failure instanceof JobInterrupted && failure.reason === "aborted")
      throw new Error("Tablet repair aborted by user");
    const down = failure instanceof JobInterrupted ? failure.downNodes : [];
    throw new Error(`Failed to repair tablets of ${keyspace}.${table}: nodes down: ${down.join(", ")}`);
  }
}

/** Repairs every tablet of the given tables, one table after another. */
export async function repairTabletTables(
  node: NodeContext,
  keyspace: string,
  tables: string[],
  filters: TabletFilters,
  signal: AbortSignal,
  taskId: string,
  onTabletDone: () => void = () => undefined,
): Promise<void> {
  for (const table of [...tables].sort()) {
    await repairTable(node, keyspace, table, filters, signal, taskId, onTabletDone);
  }
}

function parseFilters(node: NodeContext, req: RestRequest): TabletFilters {
  const split = (name: string): string[] | undefined => {
    const v = req.query.get(name);
    return v === null || v === "" ? undefined : v.split(",").filter((s) => s !== "");
  };
  const tokensText = requireParam(req, "tokens");
  let tokens: bigint[] | undefined;
  if (tokensText !== "all") {
    tokens = tokensText.split(",").map((t) => {
      if (!/^-?\d+$/.test(t)) throw new RestError(400, `Invalid token '${t}'`);
      return BigInt(t);
    });
  }
  const mode = req.query.get("incremental_mode") ?? undefined;
  if (mode !== undefined && !MODES.has(mode)) {
    throw new RestError(400, `Invalid incremental_mode '${mode}': use incremental, full or disabled`);
  }
  const hostIds = split("hosts_filter");
  const byId = new Map(node.cluster.topology.nodes.map((n) => [n.hostId, n.ip]));
  const dcs = split("dcs_filter");
  return {
    ...(dcs === undefined ? {} : { dcs }),
    ...(hostIds === undefined ? {} : { hosts: hostIds.map((id) => byId.get(id) ?? id) }),
    ...(mode === undefined ? {} : { incrementalMode: mode }),
    ...(tokens === undefined ? {} : { tokens }),
  };
}

/** Handles `POST /storage_service/tablets/repair`; returns `{tablet_task_id}` (after the end with await_completion). */
export async function startTabletRepair(node: NodeContext, req: RestRequest): Promise<{ tablet_task_id: string }> {
  const cluster = node.cluster;
  const keyspace = requireParam(req, "ks");
  const table = requireParam(req, "table");
  const ks = cluster.schema.keyspace(keyspace);
  if (ks === undefined) throw new RestError(400, `Can't find a keyspace ${keyspace}`);
  if (cluster.schema.table(keyspace, table) === undefined) {
    throw new RestError(400, `Can't find a column family ${table} in keyspace ${keyspace}`);
  }
  if (!ks.tablets) throw new RestError(400, `Keyspace ${keyspace} does not use tablets`);
  const filters = parseFilters(node, req);
  const awaitCompletion = boolParam(req, "await_completion", false);
  const controller = new AbortController();
  tabletSequence += 1;
  const task = clusterRepairState(cluster).tablets.start(
    {
      module: "tablets",
      type: "user_repair",
      kind: "cluster",
      scope: "table",
      sequenceNumber: tabletSequence,
      keyspace,
      table,
      node: node.ip,
      progressTotal: cluster.tabletMap(keyspace, table).length,
      progressCompleted: 0,
    },
    controller,
    (t) =>
      repairTabletTables(node, keyspace, [table], filters, controller.signal, t.id, () => {
        t.progressCompleted += 1;
      }),
  );
  if (awaitCompletion) await task.done;
  return { tablet_task_id: task.id };
}
