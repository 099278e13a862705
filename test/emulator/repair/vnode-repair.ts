/**
 * `POST /storage_service/repair_async/{keyspace}`: validates the options like Scylla, hands out the next command id
 * and runs the job in the background through the modelled scheduler. Participants follow Scylla's get_neighbors:
 * the replicas of each range (by its end token), narrowed by `hosts` (non-replicas ignored, the coordinator must be
 * listed) or `dataCenters`; `small_table_optimization` repairs the whole ring with every node.
 * @module
 */
import type { RepairEntry } from "../ledger.ts";
import type { NodeContext } from "../node-context.ts";
import { RestError } from "../rest/rest-error.ts";
import { holdsKeyspace } from "../storage/node-storage.ts";
import { pieceOf, type RingPiece, ringPieces } from "./ring-index.ts";
import { JobInterrupted } from "./scheduler.ts";
import { clusterRepairState, type NodeRepairState } from "./state.ts";
import { repairTabletTables } from "./tablet-repair.ts";
import { FULL_RING, parseRanges, ringFraction, type TokenInterval } from "./tokens.ts";

const OPTIONS = new Set([
  "primaryRange",
  "parallelism",
  "incremental",
  "jobThreads",
  "ranges",
  "columnFamilies",
  "dataCenters",
  "hosts",
  "ignore_nodes",
  "trace",
  "startToken",
  "endToken",
  "ranges_parallelism",
  "small_table_optimization",
]);
const IGNORED = new Set(["pullRepair", "ignoreUnreplicatedKeyspaces"]);

const list = (v: string | null): string[] => (v ?? "").split(",").filter((s) => s !== "");
const sortIps = (ips: Iterable<string>): string[] => [...new Set(ips)].sort();

/** Parsed and validated options of one command. */
interface RepairRequest {
  keyspace: string;
  tables: string[];
  ranges?: TokenInterval[];
  hosts: string[];
  dataCenters: string[];
  smallTable: boolean;
  rangesParallelism?: number;
  params: Record<string, string>;
}

function parseRequest(node: NodeContext, keyspace: string, query: URLSearchParams): RepairRequest {
  for (const name of query.keys()) {
    if (!OPTIONS.has(name) && !IGNORED.has(name)) throw new RestError(400, `option ${name} is not supported`);
  }
  const schema = node.cluster.schema;
  if (schema.keyspace(keyspace) === undefined) throw new RestError(400, `Can't find a keyspace ${keyspace}`);
  const tables = list(query.get("columnFamilies"));
  for (const t of tables) {
    if (schema.table(keyspace, t) === undefined) {
      throw new RestError(400, `Can't find a column family ${t} in keyspace ${keyspace}`);
    }
  }
  const rawRanges = query.get("ranges");
  const rp = query.get("ranges_parallelism");
  const smallTable = (query.get("small_table_optimization") ?? "").toLowerCase() === "true";
  // Scylla's repair_options would take both and let small_table_optimization override the ranges; SM documents
  // them as exclusive and never sends both, so the emulator is stricter here to catch a client that does.
  if (rp !== null && smallTable) {
    throw new RestError(400, "ranges_parallelism and small_table_optimization are mutually exclusive");
  }
  let rangesParallelism: number | undefined;
  if (rp !== null) {
    rangesParallelism = Number(rp);
    if (!/^-?\d+$/.test(rp) || !Number.isSafeInteger(rangesParallelism)) {
      throw new RestError(500, `cannot parse integer: '${rp}'`);
    }
  }
  const hosts = list(query.get("hosts"));
  const dataCenters = list(query.get("dataCenters"));
  if (hosts.length > 0 && dataCenters.length > 0) {
    throw new RestError(500, "Cannot combine data centers and hosts options.");
  }
  return {
    keyspace,
    tables: tables.length > 0 ? tables : schema.columnFamilies(keyspace).map((t) => t.name),
    ...(rawRanges === null || rawRanges === "" ? {} : { ranges: parseRanges(rawRanges) }),
    hosts,
    dataCenters,
    smallTable,
    ...(rangesParallelism === undefined ? {} : { rangesParallelism }),
    params: Object.fromEntries(query.entries()),
  };
}

/** Neighbors of one range as Scylla's get_neighbors picks them (the coordinator excluded). */
function neighborsOf(node: NodeContext, req: RepairRequest, piece: RingPiece): string[] {
  const replicas = piece.replicas.filter((ip) => ip !== node.ip);
  if (req.dataCenters.length > 0) {
    const topo = node.cluster.topology;
    if (!req.dataCenters.includes(node.dc)) throw new Error("The current host must be part of the repair");
    return replicas.filter((ip) => req.dataCenters.includes(topo.byIp.get(ip)?.dc ?? ""));
  }
  if (req.hosts.length === 0) return replicas;
  if (!req.hosts.includes(node.ip)) throw new Error("The current host must be part of the repair");
  const picked = replicas.filter((ip) => req.hosts.includes(ip));
  if (picked.length < 1) {
    throw new Error(
      `Repair requires at least two endpoints that are neighbors before it can continue, the endpoint used for this repair is ${node.ip}, other available neighbors are {${replicas.join(", ")}} but these neighbors were not part of the supplied list of hosts to use during the repair ({${req.hosts.join(", ")}}).`,
    );
  }
  return picked;
}

/** Bytes a job moves per replica: each table's unique data in the ranges, spread over the replicas. */
function jobBytes(node: NodeContext, req: RepairRequest, ranges: readonly TokenInterval[], replicas: number): number {
  const schema = node.cluster.schema;
  const ks = schema.keyspace(req.keyspace);
  if (ks === undefined || replicas === 0) return 0;
  const holders = node.cluster.topology.nodes.filter((n) => holdsKeyspace(ks, n.dc)).length;
  const fraction = ranges.reduce((sum, r) => sum + ringFraction(r), 0);
  return req.tables.reduce(
    (sum, t) => sum + ((schema.table(req.keyspace, t)?.sizeBytes ?? 0) * fraction * holders) / replicas,
    0,
  );
}

/** Starts a repair command and returns its id; the job runs in the background. */
export function startVnodeRepair(state: NodeRepairState, keyspace: string, query: URLSearchParams): number {
  const node = state.node;
  const cluster = node.cluster;
  const req = parseRequest(node, keyspace, query);
  const ks = cluster.schema.keyspace(keyspace);
  if (ks?.tablets) {
    const unsupported = (
      [
        [req.ranges !== undefined, "ranges"],
        [req.hosts.length > 0, "hosts"],
        [req.dataCenters.length > 0, "dataCenters"],
        [req.smallTable, "small_table_optimization"],
      ] as const
    ).find(([given]) => given);
    if (unsupported !== undefined) {
      throw new RestError(500, `The ${unsupported[1]} option is not supported for tablet repair`);
    }
  }
  state.sequence += 1;
  const id = state.sequence;
  if (req.tables.length === 0 || ks === undefined || ks.replication.class.endsWith("LocalStrategy")) return id;
  const controller = new AbortController();
  state.statuses.set(id, "RUNNING");
  const task = state.tasks.start(
    {
      module: "repair",
      type: "repair",
      kind: "node",
      scope: "keyspace",
      sequenceNumber: id,
      keyspace,
      table: "",
      node: node.ip,
      progressTotal: 1,
      progressCompleted: 0,
    },
    controller,
    (t) =>
      ks.tablets
        ? repairTabletTables(node, keyspace, req.tables, {}, controller.signal, t.id)
        : runJob(node, req, controller.signal, id, t.id),
  );
  state.finished.set(
    id,
    task.done.then(() => {
      if (task.state === "done") state.statuses.delete(id);
      else state.statuses.set(id, "FAILED");
    }),
  );
  return id;
}

async function runJob(
  node: NodeContext,
  req: RepairRequest,
  signal: AbortSignal,
  commandId: number,
  uuid: string,
): Promise<void> {
  const cluster = node.cluster;
  const scheduler = clusterRepairState(cluster).scheduler;
  const pieces = ringPieces(cluster, req.keyspace, undefined, node.ip);
  const ranges = req.smallTable
    ? [FULL_RING]
    : (req.ranges ?? pieces.filter((p) => p.replicas.includes(node.ip)).map((p) => ({ start: p.start, end: p.end })));
  const participants = new Set<string>([node.ip]);
  let validation: Error | undefined;
  try {
    if (req.smallTable) for (const n of cluster.topology.nodes) participants.add(n.ip);
    else
      for (const r of ranges) {
        const piece = pieceOf(pieces, r.end);
        if (piece !== undefined) for (const ip of neighborsOf(node, req, piece)) participants.add(ip);
      }
  } catch (err) {
    validation = err as Error;
  }
  const hosts = sortIps(validation === undefined ? participants : [node.ip, ...req.hosts]);
  const load = scheduler.load();
  const entry: RepairEntry = cluster.ledger.record({
    kind: "repair",
    host: node.ip,
    id: String(commandId),
    keyspace: req.keyspace,
    tables: [...req.tables].sort(),
    ranges: ranges.map((r) => ({ start: r.start.toString(), end: r.end.toString() })),
    hosts,
    start: cluster.clock.now(),
    outcome: "running",
    params: { ...req.params, concurrency_at_start: String(1 + Math.max(0, ...hosts.map((h) => load.get(h) ?? 0))) },
  });
  if (validation !== undefined) {
    cluster.ledger.finish(entry, "failed", cluster.clock.now());
    throw validation;
  }
  const replicas = Math.max(1, ...ranges.map((r) => pieceOf(pieces, r.end)?.replicas.length ?? 1));
  const shards = node.settings.shards;
  try {
    await scheduler.run({
      hosts,
      bytes: jobBytes(node, req, ranges, replicas),
      parallelism: req.smallTable ? 1 : Math.min(req.rangesParallelism ?? shards, shards, ranges.length) / shards,
      signal,
    });
    cluster.ledger.finish(entry, "successful", cluster.clock.now());
  } catch (err) {
    const aborted = err instanceof JobInterrupted && err.reason === "aborted";
    const down = err instanceof JobInterrupted ? err.downNodes : [];
    cluster.ledger.finish(entry, aborted ? "aborted" : "failed", cluster.clock.now());
    throw new Error(
      `repair[${uuid}]: ${ranges.length} out of ${ranges.length} ranges failed, keyspace=${req.keyspace}, tables=[${req.tables.join(", ")}], repair_reason=repair, nodes_down_during_repair={${down.join(", ")}}, aborted_by_user=${aborted}, failed_because=${aborted ? "N/A" : (err as Error).message}`,
    );
  }
}
