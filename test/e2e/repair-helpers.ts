/**
 * Ledger checks of the repair e2e tests beyond the emulator's: ranges repaired more than once, the most jobs
 * running at once, a wait for a task's run to end, and the emulated cluster such runs interrupt.
 * @module
 */
import { type EmulatedCluster, startCluster } from "../emulator/index.ts";
import type { RepairEntry } from "../emulator/ledger.ts";
import type { ClusterState } from "../emulator/node-context.ts";
import { unwrap } from "../emulator/repair/tokens.ts";

/** Pairs of successful vnode repairs of a table whose ranges overlap (a range repaired twice). */
export function repairedTwice(cluster: ClusterState, keyspace: string, table: string): number {
  const intervals = cluster.ledger
    .repairs(keyspace, table)
    .filter((e) => e.outcome === "successful" && e.params.small_table_optimization !== "true")
    .flatMap((e) => e.ranges.flatMap((r) => unwrap(BigInt(r.start), BigInt(r.end))))
    .sort((a, b) => (a.start < b.start ? -1 : a.start > b.start ? 1 : 0));
  let overlaps = 0;
  for (let i = 1; i < intervals.length; i++) {
    const prev = intervals[i - 1];
    const cur = intervals[i];
    if (prev && cur && cur.start < prev.end) overlaps++;
  }
  return overlaps;
}

/** Most repairs running at the same instant among `entries`. */
export function maxConcurrent(entries: readonly RepairEntry[]): number {
  const events = entries.flatMap((e) => [
    { t: e.start, d: 1 },
    { t: e.end ?? Number.POSITIVE_INFINITY, d: -1 },
  ]);
  events.sort((a, b) => a.t - b.t || a.d - b.d);
  let n = 0;
  let max = 0;
  for (const e of events) {
    n += e.d;
    max = Math.max(max, n);
  }
  return max;
}

/** Vnode repair entries (tablet repairs run one per shard, so they may overlap on a node). */
export const isVnodeEntry = (e: RepairEntry) => !e.id.includes("-");

export { waitFor } from "../support/wait-for.ts";

/**
 * Four emulated nodes on `ipPrefix` with one table of 64 MiB in a keyspace `rf2` (SimpleStrategy, RF 2), agents with
 * `authToken`, fast time: a repair long enough to interrupt once slowed down.
 */
export function startRf2Cluster(ipPrefix: string, authToken: string): Promise<EmulatedCluster> {
  return startCluster({
    dcs: [4],
    ipPrefix,
    agents: { authToken },
    timeScale: 0.001,
    tokensPerNode: 8,
    cql: false,
    schema: {
      keyspaces: [
        {
          name: "rf2",
          replication: { class: "SimpleStrategy", replication_factor: 2 },
          tables: [{ name: "a", size: "64MiB" }],
        },
      ],
    } as never,
  });
}
