/**
 * Tablet maps of tablet keyspaces: a power-of-two tablet count per table, tablet `i` owning an equal slice of the
 * token space, replicas chosen per DC on distinct racks while spreading load across nodes.
 * @module
 */
import { hashString } from "../random.ts";
import type { KeyspaceDef } from "../schema/types.ts";
import type { Topology } from "./topology.ts";

export const MIN_TOKEN = -(2n ** 63n);
export const MAX_TOKEN = 2n ** 63n - 1n;

/** One tablet: the range `(start, end]` and its replicas (IPs). */
export interface Tablet {
  start: bigint;
  end: bigint;
  replicas: string[];
}

/** Smallest power of two >= n (at least 1). */
export function nextPowerOfTwo(n: number): number {
  let p = 1;
  while (p < n) p *= 2;
  return p;
}

/** Last token of tablet `i` of `count` (a power of two): equal slices of the unsigned token space. */
export function tabletLastToken(i: number, count: number): bigint {
  if (i === count - 1) return MAX_TOKEN;
  const width = 2n ** 64n / BigInt(count);
  return MIN_TOKEN + width * BigInt(i + 1) - 1n;
}

/** Default tablet count: at least one tablet per shard of the cluster, rounded up to a power of two. */
export function defaultTabletCount(topology: Topology, shards: number, initialTablets?: number): number {
  return nextPowerOfTwo(Math.max(initialTablets ?? 0, topology.nodes.length * shards));
}

/** Builds the tablet map of one table; deterministic from the table id. */
export function buildTabletMap(
  topology: Topology,
  replication: KeyspaceDef["replication"],
  tableId: string,
  count: number,
): Tablet[] {
  const load = new Map<string, number>(topology.nodes.map((n) => [n.ip, 0]));
  const salt = hashString(tableId);
  const tiebreak = (ip: string): number => hashString(`${salt}:${ip}`);
  const tablets: Tablet[] = [];
  for (let i = 0; i < count; i++) {
    const replicas: string[] = [];
    for (const dc of topology.dcs) {
      const rf = Number(replication[dc] ?? 0);
      const candidates = topology.nodes
        .filter((n) => n.dc === dc)
        .sort((a, b) => (load.get(a.ip) ?? 0) - (load.get(b.ip) ?? 0) || tiebreak(a.ip + i) - tiebreak(b.ip + i));
      const picked: typeof candidates = [];
      for (const n of candidates) if (picked.length < rf && !picked.some((p) => p.rack === n.rack)) picked.push(n);
      for (const n of candidates) if (picked.length < rf && !picked.includes(n)) picked.push(n);
      for (const n of picked) {
        replicas.push(n.ip);
        load.set(n.ip, (load.get(n.ip) ?? 0) + 1);
      }
    }
    tablets.push({
      start: i === 0 ? MIN_TOKEN : tabletLastToken(i - 1, count),
      end: tabletLastToken(i, count),
      replicas,
    });
  }
  return tablets;
}
