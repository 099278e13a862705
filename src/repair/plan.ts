/**
 * The repair plan (SM's `newPlan`, `pkg/service/repair/plan.go`), pure: from rings, sizes and node facts to the
 * keyspaces and tables to repair with their filtered replica sets, range counts per host, sizes, small/tablet
 * flags, the maximal parallelism and each host's maximal intensity; plus SM's ordering (`SizeSort`, then the
 * system-keyspace preference of `preference.go`, then views after their base tables).
 * @module
 */
import type { RepairRange } from "../clients/scylla/repair.ts";
import { filterReplicaSet, maxRingParallel, type Ring, shouldRepairRing } from "./ring.ts";

/** A replica set to repair in one table. */
export interface PlannedSet {
  /** Identity of the unfiltered set. */
  key: string;
  /** Replicas taking part (filtered by DC, ignored hosts). */
  hosts: string[];
  ranges: RepairRange[];
}

/** A table of the plan. */
export interface TablePlan {
  keyspace: string;
  table: string;
  /** Replicated size (sum over hosts), bytes. */
  size: number;
  small: boolean;
  tablet: boolean;
  /** Non-empty filtered replica sets. */
  sets: PlannedSet[];
  /** Ranges over all kept sets. */
  rangeCount: number;
  /** Ranges each host takes part in. */
  hostRanges: Map<string, number>;
  /** Size on each host. */
  hostSize: Map<string, number>;
  /** Every filtered host of the ring (small-table and tablet jobs involve them all). */
  ringHosts: string[];
  /** Base table when this is a view/index (ordering and precedence). */
  baseTable?: string;
}

export interface KeyspacePlan {
  keyspace: string;
  tablet: boolean;
  size: number;
  tables: TablePlan[];
}

/** A complete plan. */
export interface Plan {
  keyspaces: KeyspacePlan[];
  /** Sorted participating hosts. */
  hosts: string[];
  maxParallel: number;
  /** SM's max_repair_ranges_in_parallel per host. */
  maxHostIntensity: Map<string, number>;
  /** Shards per host (master choice). */
  shards: Map<string, number>;
}

/** What planning needs about one table. */
export interface TableInput {
  keyspace: string;
  table: string;
  ring: Ring;
  tablet: boolean;
  /** Size per host (bytes). */
  sizes: Map<string, number>;
  baseTable?: string;
}

/** Inputs of {@link buildPlan}. */
export interface PlanInput {
  tables: TableInput[];
  dcs: string[];
  ignoredHosts: ReadonlySet<string>;
  host: string;
  smallTableThreshold: number;
  /** Number of nodes in the cluster (a single-node cluster skips `shouldRepairRing`). */
  clusterSize: number;
  shards: Map<string, number>;
  memory: Map<string, number>;
}

/** SM's `maxRepairRangesInParallel`: max(1, floor(0.1 × (memory div shards) / 32 MiB / 4)). */
export function maxHostIntensity(memoryBytes: number, shards: number): number {
  const perShard = Math.floor(memoryBytes / Math.max(1, shards));
  return Math.max(1, Math.floor((0.1 * perShard) / (32 * 1024 * 1024) / 4));
}

/** What a ring contributes to every table on it (vnode keyspaces share one ring), computed once per ring. */
interface RingShare {
  repair: boolean;
  maxParallel: number;
  sets: PlannedSet[];
  rangeCount: number;
  hostRanges: Map<string, number>;
  ringHosts: string[];
}

function ringShare(ring: Ring, input: PlanInput): RingShare {
  const repair = input.clusterSize <= 1 || shouldRepairRing(ring, input.dcs, input.host);
  const sets: PlannedSet[] = [];
  const hostRanges = new Map<string, number>();
  let rangeCount = 0;
  const ringHosts = new Set<string>();
  if (repair) {
    for (const set of ring.replicaSets) {
      const filtered = filterReplicaSet(set.hosts, ring.hostDc, input.dcs, input.ignoredHosts, input.host);
      if (filtered.length === 0) continue;
      sets.push({ key: set.key, hosts: filtered, ranges: set.ranges });
      rangeCount += set.ranges.length;
      for (const h of filtered) {
        hostRanges.set(h, (hostRanges.get(h) ?? 0) + set.ranges.length);
        ringHosts.add(h);
      }
    }
  }
  return {
    repair,
    maxParallel: repair ? maxRingParallel(ring, input.dcs) : 0,
    sets,
    rangeCount,
    hostRanges,
    ringHosts: [...ringHosts].sort(),
  };
}

/** Builds the plan (tables in input order; order it with {@link orderPlan}). */
export function buildPlan(input: PlanInput): Plan {
  const keyspaces = new Map<string, KeyspacePlan>();
  const hosts = new Set<string>();
  let maxParallel = 0;
  const shares = new Map<Ring, RingShare>();
  for (const t of input.tables) {
    let share = shares.get(t.ring);
    if (share === undefined) {
      share = ringShare(t.ring, input);
      shares.set(t.ring, share);
      for (const h of share.ringHosts) hosts.add(h);
    }
    if (!share.repair) continue;
    maxParallel = Math.max(maxParallel, share.maxParallel);
    const { sets, rangeCount, hostRanges } = share;
    if (sets.length === 0) continue;
    let size = 0;
    for (const v of t.sizes.values()) size += v;
    let ks = keyspaces.get(t.keyspace);
    if (ks === undefined) {
      ks = { keyspace: t.keyspace, tablet: t.tablet, size: 0, tables: [] };
      keyspaces.set(t.keyspace, ks);
    }
    ks.size += size;
    ks.tables.push({
      keyspace: t.keyspace,
      table: t.table,
      size,
      small: size < input.smallTableThreshold,
      tablet: t.tablet,
      sets,
      rangeCount,
      hostRanges,
      hostSize: new Map(t.sizes),
      ringHosts: share.ringHosts,
      ...(t.baseTable === undefined ? {} : { baseTable: t.baseTable }),
    });
  }
  const sortedHosts = [...hosts].sort();
  const maxHost = new Map<string, number>();
  for (const h of sortedHosts) {
    maxHost.set(h, maxHostIntensity(input.memory.get(h) ?? 0, input.shards.get(h) ?? 1));
  }
  return {
    keyspaces: [...keyspaces.values()],
    hosts: sortedHosts,
    maxParallel: Math.max(1, maxParallel),
    maxHostIntensity: maxHost,
    shards: input.shards,
  };
}

/** SM's system keyspace preference order. */
export const SYSTEM_PREFERENCE = [
  "system_auth",
  "system_replicated_keys",
  "audit",
  "system_distributed",
  "system_distributed_everywhere",
  "system_traces",
];

export const isSystemKeyspace = (ks: string) => ks.startsWith("system") || ks === "audit";

function keyspaceRank(ks: string): number {
  if (!isSystemKeyspace(ks)) return SYSTEM_PREFERENCE.length + 1;
  const i = SYSTEM_PREFERENCE.indexOf(ks);
  return i < 0 ? SYSTEM_PREFERENCE.length : i;
}

const SYSTEM_AUTH_FIRST = ["role_attributes", "role_members"];

function tableRank(ks: string, table: string): number {
  if (ks !== "system_auth") return SYSTEM_AUTH_FIRST.length;
  const i = SYSTEM_AUTH_FIRST.indexOf(table);
  return i < 0 ? SYSTEM_AUTH_FIRST.length : i;
}

/** SM's order, all sorts stable: sizes ascending, system keyspaces by preference, base tables before their views. */
export function orderPlan(plan: Plan): Plan {
  const keyspaces = plan.keyspaces.map((ks) => {
    const bySize = [...ks.tables].sort((a, b) => a.size - b.size);
    const byPref = bySize.sort((a, b) => tableRank(ks.keyspace, a.table) - tableRank(ks.keyspace, b.table));
    // Views after base tables (stable: a view keeps its place among views).
    const bases = byPref.filter((t) => t.baseTable === undefined);
    const views = byPref.filter((t) => t.baseTable !== undefined);
    return { ...ks, tables: [...bases, ...views] };
  });
  keyspaces.sort((a, b) => a.size - b.size);
  keyspaces.sort((a, b) => keyspaceRank(a.keyspace) - keyspaceRank(b.keyspace));
  return { ...plan, keyspaces };
}

/** Every table of the plan in order. */
export function planTables(plan: Plan): TablePlan[] {
  return plan.keyspaces.flatMap((ks) => ks.tables);
}
