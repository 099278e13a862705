/**
 * A table's ring as repair sees it (SM's `scyllaclient.Ring` and `describeRing`): token ranges grouped by their
 * (sorted) replica set, the replication strategy guessed from the per-range DC counts, and SM's ring rules:
 * `ShouldRepairRing` and `MaxRingParallel` (`pkg/service/repair/plan.go`).
 * @module
 */
import type { RepairRange } from "../clients/scylla/repair.ts";
import type { TokenRange } from "../clients/scylla/schemas.ts";
import { ManagerError } from "../errors.ts";

/** The ranges one replica set holds. */
export interface ReplicaSet {
  /** Unfiltered replicas, sorted by address. */
  hosts: string[];
  /** `hosts` joined: identity of the set (SM hashes the same string). */
  key: string;
  /** Ranges sorted by start token. */
  ranges: RepairRange[];
}

export type Strategy = "LocalStrategy" | "SimpleStrategy" | "NetworkTopologyStrategy";

/** A parsed ring. */
export interface Ring {
  replicaSets: ReplicaSet[];
  /** Replicas per range. */
  rf: number;
  hostDc: Map<string, string>;
  strategy: Strategy;
  /** NTS replication per DC. */
  dcRf: Map<string, number>;
  /** Number of ranges. */
  rangeCount: number;
}

/** Compares IPs as SM sorts them (string order) — kept stable and simple. */
const byAddress = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

/** Parses `describe_ring` into replica sets; errors as SM's (empty ring, mixed RF). */
export function parseRing(keyspace: string, ring: readonly TokenRange[]): Ring {
  if (ring.length === 0) throw new ManagerError(`describe ring of ${keyspace}: empty ring`);
  const sets = new Map<string, ReplicaSet>();
  const hostDc = new Map<string, string>();
  let rf = -1;
  let dcCounts: string | undefined;
  let uniform = true;
  for (const r of ring) {
    const hosts = [...r.endpoints].sort(byAddress);
    if (rf === -1) rf = hosts.length;
    else if (rf !== hosts.length) {
      throw new ManagerError(`keyspace ${keyspace} has token ranges with different rf. Repair is not safe for now`);
    }
    for (const d of r.endpoint_details) hostDc.set(d.host, d.datacenter);
    const counts = new Map<string, number>();
    for (const d of r.endpoint_details) counts.set(d.datacenter, (counts.get(d.datacenter) ?? 0) + 1);
    const sig = [...counts.entries()]
      .sort(([a], [b]) => byAddress(a, b))
      .map(([dc, n]) => `${dc}:${n}`)
      .join(",");
    if (dcCounts === undefined) dcCounts = sig;
    else if (dcCounts !== sig) uniform = false;
    const key = hosts.join(",");
    let set = sets.get(key);
    if (set === undefined) {
      set = { hosts, key, ranges: [] };
      sets.set(key, set);
    }
    set.ranges.push({ start: BigInt(r.start_token), end: BigInt(r.end_token) });
  }
  for (const set of sets.values()) set.ranges.sort((a, b) => (a.start < b.start ? -1 : a.start > b.start ? 1 : 0));
  const allHosts = new Set([...sets.values()].flatMap((s) => s.hosts));
  let strategy: Strategy = "SimpleStrategy";
  const dcRf = new Map<string, number>();
  if (allHosts.size === 1) strategy = "LocalStrategy";
  else if (uniform && dcCounts !== undefined && dcCounts !== "") {
    strategy = "NetworkTopologyStrategy";
    for (const part of dcCounts.split(",")) {
      const at = part.lastIndexOf(":");
      dcRf.set(part.slice(0, at), Number(part.slice(at + 1)));
    }
  }
  return { replicaSets: [...sets.values()], rf, hostDc, strategy, dcRf, rangeCount: ring.length };
}

/**
 * SM's `ShouldRepairRing`: with `host` set it must replicate the ring in a selected DC; every range needs at least
 * two replicas in the selected DCs.
 */
export function shouldRepairRing(ring: Ring, dcs: readonly string[], host: string): boolean {
  const selected = new Set(dcs);
  if (host !== "") {
    const dc = ring.hostDc.get(host);
    if (dc === undefined || !selected.has(dc)) return false;
  }
  for (const set of ring.replicaSets) {
    const n = set.hosts.filter((h) => selected.has(ring.hostDc.get(h) ?? "")).length;
    if (n < 2) return false;
  }
  return true;
}

/** SM's `MaxRingParallel`: how many disjoint replica sets the ring can repair at once in the selected DCs. */
export function maxRingParallel(ring: Ring, dcs: readonly string[]): number {
  const selected = new Set(dcs);
  const hostsIn = (dc: string) => [...ring.hostDc.entries()].filter(([, d]) => d === dc).length;
  if (ring.strategy === "SimpleStrategy") {
    const n = [...ring.hostDc.values()].filter((d) => selected.has(d)).length;
    return Math.trunc(n / Math.max(1, ring.rf));
  }
  if (ring.strategy === "NetworkTopologyStrategy") {
    let min = Number.POSITIVE_INFINITY;
    for (const [dc, rf] of ring.dcRf) {
      if (!selected.has(dc) || rf === 0) continue;
      min = Math.min(min, Math.trunc(hostsIn(dc) / rf));
    }
    return Number.isFinite(min) ? min : 1;
  }
  return 1;
}

/** SM's `filterReplicaSet`: empty when `host` is set and not in the set; else replicas in selected DCs, not ignored. */
export function filterReplicaSet(
  hosts: readonly string[],
  hostDc: ReadonlyMap<string, string>,
  dcs: readonly string[],
  ignored: ReadonlySet<string>,
  host: string,
): string[] {
  if (host !== "" && !hosts.includes(host)) return [];
  const selected = new Set(dcs);
  return hosts.filter((h) => selected.has(hostDc.get(h) ?? "") && !ignored.has(h));
}
