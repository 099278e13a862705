/**
 * Ledger queries of repair tests: ring coverage of a table by successful repairs, ranges repaired with a replica
 * set other than the ring's, and the highest number of concurrent repairs per host.
 * @module
 */
import { type LedgerRange, maxConcurrentRepairs, type RepairEntry } from "../ledger.ts";
import type { ClusterState } from "../node-context.ts";
import { type RingPiece, ringPieces } from "./ring-index.ts";
import { isCovered, mergeIntervals, overlaps, type TokenInterval, unwrap } from "./tokens.ts";

const toIntervals = (ranges: readonly LedgerRange[]): TokenInterval[] =>
  ranges.flatMap((r) => unwrap(BigInt(r.start), BigInt(r.end)));

/** The ring of a table: vnode ranges of its keyspace, or its tablets. */
function tableRing(cluster: ClusterState, keyspace: string, table: string): RingPiece[] {
  const tablets = cluster.schema.keyspace(keyspace)?.tablets ?? false;
  return ringPieces(cluster, keyspace, tablets ? table : undefined, cluster.nodes[0]?.ip ?? "");
}

const successful = (cluster: ClusterState, keyspace: string, table: string): RepairEntry[] =>
  cluster.ledger.repairs(keyspace, table).filter((e) => e.outcome === "successful");

/** Ring ranges of a table no successful repair covered (empty = full coverage). */
export function uncoveredRanges(cluster: ClusterState, keyspace: string, table: string): LedgerRange[] {
  const merged = mergeIntervals(successful(cluster, keyspace, table).flatMap((e) => toIntervals(e.ranges)));
  return tableRing(cluster, keyspace, table)
    .filter((p) => !isCovered(p, merged))
    .map((p) => ({ start: p.start.toString(), end: p.end.toString() }));
}

/** A range repaired with other hosts than its replicas (narrowed to `dcs` when given). */
export interface ReplicaMismatch {
  entry: RepairEntry;
  range: LedgerRange;
  expected: string[];
  actual: string[];
}

/**
 * Successful repairs whose hosts differ from the replicas of a ring range they cover. Small-table jobs use every
 * node, so for them the replicas only need to be included.
 */
export function wrongReplicaSets(
  cluster: ClusterState,
  keyspace: string,
  table: string,
  options: { dcs?: string[] } = {},
): ReplicaMismatch[] {
  const ring = tableRing(cluster, keyspace, table);
  const topo = cluster.topology;
  const out: ReplicaMismatch[] = [];
  for (const entry of successful(cluster, keyspace, table)) {
    const smallTable = entry.params.small_table_optimization === "true";
    for (const interval of toIntervals(entry.ranges)) {
      for (const piece of ring.filter((p) => overlaps(p, interval))) {
        const expected = piece.replicas
          .filter((ip) => options.dcs === undefined || options.dcs.includes(topo.byIp.get(ip)?.dc ?? ""))
          .sort();
        const ok = smallTable
          ? expected.every((ip) => entry.hosts.includes(ip))
          : expected.length === entry.hosts.length && expected.every((ip, i) => entry.hosts[i] === ip);
        if (!ok) {
          out.push({
            entry,
            range: { start: piece.start.toString(), end: piece.end.toString() },
            expected,
            actual: entry.hosts,
          });
        }
      }
    }
  }
  return out;
}

/** Highest number of repair jobs each host took part in at the same time (optionally among some entries). */
export function maxConcurrentRepairsPerHost(
  cluster: ClusterState,
  filter: (entry: RepairEntry) => boolean = () => true,
): Map<string, number> {
  const entries = cluster.ledger.repairs().filter(filter);
  const out = new Map<string, number>();
  for (const n of cluster.nodes) out.set(n.ip, maxConcurrentRepairs(entries, n.ip));
  return out;
}
