/**
 * SM's `GetTarget` + `newPlan` I/O (`pkg/service/repair/service.go`, `plan.go`): node states, the DC filter, down
 * hosts, the keyspace/table filter over `keyspaces?type=all&replication=` and `column_family/name`, tablet
 * detection, `describe_ring` per keyspace (per table for tablet keyspaces), sizes from `total_disk_space_used`
 * per table and host, shards and memory from each node's metrics. The pure parts live in plan.ts and ring.ts.
 * @module
 */
import { AgentClient } from "../clients/agent/client.ts";
import type { ScyllaClient } from "../clients/scylla/client.ts";
import type { CallOptions } from "../clients/scylla/http.ts";
import { tableDiskSize } from "../clients/scylla/repair.ts";
import { type NodeState, readNodeStates } from "../cluster/topology.ts";
import { ManagerError, ValidationError } from "../errors.ts";
import { decorateKeyspacePatterns, filterDcs, InExList } from "../util/inexlist.ts";
import { scyllaVersionAtLeast } from "../util/scylla-version.ts";
import type { RepairProperties, RepairTarget, RepairUnit, Strategy } from "./model.ts";
import { buildPlan, orderPlan, type Plan, type TableInput } from "./plan.ts";
import { parseRing, type Ring } from "./ring.ts";
import type { ViewMap } from "./views.ts";

/** SM's ErrEmptyRepair text. */
export const EMPTY_REPAIR = "no replicas to repair";

/** A planned target: what the dry run shows, the plan the run executes, and the cluster facts it used. */
export interface PlannedTarget {
  target: RepairTarget;
  plan: Plan;
  nodes: NodeState[];
  /** Keyspaces repaired through the tablet API. */
  tabletKeyspaces: Set<string>;
  /** Every plan host runs Scylla >= 2025.4, whose `tablets/repair` takes `incremental_mode` (SM's apiSupport). */
  incrementalRepair: boolean;
}

/** Maps `fn` over `items` with at most `limit` in flight. */
async function mapLimit<T, R>(items: readonly T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const out = new Array<R>(items.length);
  let next = 0;
  const workers = Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, async () => {
    for (;;) {
      const i = next++;
      if (i >= items.length) return;
      out[i] = await fn(items[i] as T);
    }
  });
  await Promise.all(workers);
  return out;
}

/** Go's `%v` of a string slice. */
const goList = (items: readonly string[]) => `[${items.join(" ")}]`;

/** Tablet keyspaces, as SM's ring describer decides (both listings must work and not overlap). */
async function tabletKeyspacesOf(client: ScyllaClient, options: CallOptions): Promise<Set<string>> {
  try {
    const [tablets, vnodes] = await Promise.all([
      client.keyspaces({ type: "all", replication: "tablets" }, options),
      client.keyspaces({ type: "all", replication: "vnodes" }, options),
    ]);
    const v = new Set(vnodes);
    if (tablets.some((k) => v.has(k))) return new Set();
    return new Set(tablets);
  } catch {
    return new Set();
  }
}

/** Resolves properties into SM's target and the ordered plan. */
export async function planTarget(
  client: ScyllaClient,
  props: RepairProperties,
  options: CallOptions & { strategy?: Strategy; views?: ViewMap } = {},
): Promise<PlannedTarget> {
  const nodes = await readNodeStates(client, options);
  if (nodes.length < 1) throw new ValidationError("repairing single node cluster does not have any effect");
  const allDcs = [...new Set(nodes.map((n) => n.dc))];
  const dcs = filterDcs(allDcs, props.dc);
  const inDcs = nodes.filter((n) => dcs.includes(n.dc));
  // Checked before planning (SM finds an unknown host only as an empty plan): the clearer error first.
  if (props.host !== "" && !inDcs.some((n) => n.host === props.host)) {
    throw new ValidationError(`no such host ${props.host} in DC ${dcs.join(", ")}`, {
      hint: `nodes: ${inDcs.map((n) => n.host).join(", ")}`,
    });
  }
  const down = inDcs.filter((n) => n.status.startsWith("D")).map((n) => n.host);
  const ignored = props.ignore_down_hosts ? down : [];
  if (down.length > 0 && ignored.length === 0) {
    throw new ValidationError(
      `repairing DCs with down nodes won't be successful: ${goList(down)}. Please either exclude down nodes from being repaired with --ignore-down-hosts flag, or filter out DCs with down nodes with --dc flag`,
      {
        details:
          "One of the nodes is down. Task cannot be created.\nCheck --ignore-down-hosts flag if you wish to exclude the node from the repair.",
      },
    );
  }

  // Keyspace/table filter.
  const patterns = decorateKeyspacePatterns(props.keyspace);
  const filter = new InExList(patterns);
  const keyspaces = await client.keyspaces({ type: "all", replication: props.keyspace_replication as "all" }, options);
  const tablesByKs = await client.tables(options);
  const units: Array<RepairUnit & { order: number }> = [];
  for (const ks of keyspaces) {
    const tables = tablesByKs.get(ks) ?? [];
    const matched = tables.filter((t) => filter.matches(`${ks}.${t}`));
    if (matched.length === 0) continue;
    const order = Math.min(...matched.map((t) => filter.firstInclude(`${ks}.${t}`)));
    units.push({ keyspace: ks, tables: matched, all_tables: matched.length === tables.length, order });
  }
  const emptyTarget = (): PlannedTarget => ({
    target: targetOf(props, dcs, ignored, []),
    plan: { keyspaces: [], hosts: [], maxParallel: 1, maxHostIntensity: new Map(), shards: new Map() },
    nodes,
    tabletKeyspaces: new Set(),
    incrementalRepair: false,
  });
  if (units.length === 0) {
    if (props.allow_empty) return emptyTarget();
    throw new ValidationError(
      `no keyspace matched criteria ${goList(props.keyspace)} - available keyspaces are: ${goList(keyspaces)}: ${EMPTY_REPAIR}`,
      { hint: "check the --keyspace patterns, or set --allow-empty" },
    );
  }
  // ksfilter order: first matching include pattern, then system keyspaces first, then name.
  units.sort(
    (a, b) =>
      a.order - b.order ||
      Number(!a.keyspace.startsWith("system")) - Number(!b.keyspace.startsWith("system")) ||
      (a.keyspace < b.keyspace ? -1 : a.keyspace > b.keyspace ? 1 : 0),
  );

  const tabletKeyspaces = await tabletKeyspacesOf(client, options);
  // Rings: vnode keyspaces share one ring for all tables.
  const rings = new Map<string, Ring>();
  const ringOf = async (ks: string, table: string): Promise<Ring> => {
    const tablet = tabletKeyspaces.has(ks);
    const key = tablet ? `${ks}.${table}` : ks;
    let ring = rings.get(key);
    if (ring === undefined) {
      ring = parseRing(ks, await client.describeRing(ks, tablet ? table : undefined, options));
      rings.set(key, ring);
    }
    return ring;
  };
  const pairs = units.flatMap((u) => u.tables.map((t) => ({ ks: u.keyspace, table: t })));
  const tableRings: Ring[] = [];
  for (const p of pairs) tableRings.push(await ringOf(p.ks, p.table));

  // Shards and memory of every node in the selected DCs (max intensity, master choice, size-call concurrency).
  const planHosts = inDcs.filter((n) => !ignored.includes(n.host)).map((n) => n.host);
  const shards = new Map<string, number>();
  const memory = new Map<string, number>();
  await Promise.all(
    planHosts.map(async (h) => {
      const [s, m] = await Promise.all([client.shardCount(h, options), client.totalMemory(h, options)]);
      shards.set(h, s);
      memory.set(h, m);
    }),
  );
  const concurrency = Math.max(1, planHosts.length * (shards.get(planHosts[0] ?? "") ?? 1));

  // Sizes per table and host (only hosts of the table's ring that take part).
  const sizeCalls: Array<{ i: number; host: string }> = [];
  pairs.forEach((_, i) => {
    const ring = tableRings[i] as Ring;
    for (const h of ring.hostDc.keys()) if (shards.has(h)) sizeCalls.push({ i, host: h });
  });
  const sizes = pairs.map(() => new Map<string, number>());
  try {
    await mapLimit(sizeCalls, concurrency, async ({ i, host }) => {
      const p = pairs[i] as { ks: string; table: string };
      const size = await tableDiskSize(client, host, p.ks, p.table, options);
      sizes[i]?.set(host, size);
    });
  } catch (error) {
    throw new ManagerError(`create repair plan: calculate tables size: ${(error as Error).message}`, {
      hint: "One of the nodes is down. Check --ignore-down-hosts flag if you wish to exclude the node from the repair.",
      cause: error,
    });
  }

  const inputs: TableInput[] = pairs.map((p, i) => ({
    keyspace: p.ks,
    table: p.table,
    ring: tableRings[i] as Ring,
    tablet: tabletKeyspaces.has(p.ks),
    sizes: sizes[i] as Map<string, number>,
    // A view (or secondary-index view) is repaired after its base table (SM's ViewSort; ours: precedence).
    ...(options.views?.has(`${p.ks}.${p.table}`) ? { baseTable: options.views.get(`${p.ks}.${p.table}`) ?? "" } : {}),
  }));
  const plan = orderPlan(
    buildPlan({
      tables: inputs,
      dcs,
      ignoredHosts: new Set(ignored),
      host: props.host,
      smallTableThreshold: props.small_table_threshold,
      clusterSize: nodes.length,
      shards,
      memory,
    }),
  );
  if (plan.keyspaces.length === 0) {
    if (props.allow_empty) return { ...emptyTarget(), tabletKeyspaces };
    throw new ValidationError(`create repair plan: ${EMPTY_REPAIR}`, {
      hint: "the selected keyspaces have no range with at least two replicas in the selected DCs",
    });
  }
  validateHost(props.host, ignored, dcs, nodes, plan);
  const incrementalRepair = await supportsIncrementalRepair(client, plan.hosts, options);
  const planned: RepairUnit[] = plan.keyspaces.map((ks) => {
    const all = tablesByKs.get(ks.keyspace) ?? [];
    const tables = ks.tables.map((t) => t.table);
    return { keyspace: ks.keyspace, tables, all_tables: tables.length === all.length };
  });
  return { target: targetOf(props, dcs, ignored, planned), plan, nodes, tabletKeyspaces, incrementalRepair };
}

/**
 * SM's `getRepairAPISupport` (`pkg/service/repair/plan.go`): `incremental_mode` is sent to `tablets/repair` only
 * when every plan host's `scylla_version` (agent `node_info`) is at least 2025.4; an unreadable version fails
 * the plan as in SM.
 */
async function supportsIncrementalRepair(
  client: ScyllaClient,
  hosts: readonly string[],
  options: CallOptions,
): Promise<boolean> {
  const agent = new AgentClient(client);
  try {
    const versions = await Promise.all(hosts.map(async (h) => (await agent.nodeInfo(h, options)).scylla_version));
    return versions.every((version) => scyllaVersionAtLeast(version, "2025.4"));
  } catch (error) {
    throw new ManagerError(
      `create repair plan: check support of small_table_optimization: ${(error as Error).message}`,
      {
        cause: error,
      },
    );
  }
}

function validateHost(
  host: string,
  ignored: readonly string[],
  dcs: readonly string[],
  nodes: NodeState[],
  plan: Plan,
) {
  if (host === "") return;
  if (ignored.includes(host)) throw new ValidationError("host can't have status down");
  if (!nodes.some((n) => n.host === host && dcs.includes(n.dc))) {
    throw new ValidationError(`no such host ${host} in DC ${dcs.join(", ")}`);
  }
  const tablet = plan.keyspaces.filter((k) => k.tablet).map((k) => k.keyspace);
  if (tablet.length > 0) {
    throw new ValidationError(
      `repairing with --host flag is not supported for tablet keyspaces: ${goList(tablet)}. It also shouldn't be required as a part of any procedure. Please either remove the --host flag, or filter out all tablet keyspaces with --keyspace flag`,
    );
  }
}

function targetOf(props: RepairProperties, dcs: string[], ignored: string[], units: RepairUnit[]): RepairTarget {
  return {
    units,
    dc: dcs,
    host: props.host,
    keyspace_replication: props.keyspace_replication,
    ...(ignored.length > 0 ? { ignore_hosts: ignored } : {}),
    fail_fast: props.fail_fast,
    continue: props.continue,
    intensity: props.intensity > 0 && props.intensity < 1 ? 1 : Math.trunc(props.intensity),
    parallel: props.parallel,
    small_table_threshold: props.small_table_threshold,
    incremental_mode: props.incremental_mode,
    allow_empty: props.allow_empty,
    strategy: props.strategy as Strategy,
  };
}
