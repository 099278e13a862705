/**
 * SM's `GetTarget` for backup (`pkg/service/backup/service.go`): DCs, live nodes, per-DC locations and limits, the
 * location access check from every live node, and the units (keyspace → tables) after SM's filters and the
 * replica-set validator. Every user mistake is a ValidationError before anything is snapshotted.
 * @module
 */
import { RcloneClient } from "../clients/agent/rclone.ts";
import type { TokenRange } from "../clients/scylla/schemas.ts";
import { ValidationError } from "../errors.ts";
import { filterDcs, keyspaceFilter } from "../util/inexlist.ts";
import { newTimeUuid } from "../util/uuid.ts";
import type { BackupClusterAccess } from "./access.ts";
import type { BackupTargetJson } from "./api-schema.ts";
import { type Location, formatLocation as locationString, locationRemotePath as remotePath } from "./layout/index.ts";
import { hostNativeBackupSupport } from "./native.ts";
import { type BackupProperties, type DcLimit, dcLimitString, parseBackupProperties } from "./properties.ts";

/** One keyspace to back up. */
export interface BackupUnit {
  keyspace: string;
  tables: string[];
  allTables: boolean;
}

/** A node the backup runs on. */
export interface BackupHost {
  ip: string;
  hostId: string;
  dc: string;
  location: Location;
}

/** The resolved target. */
export interface BackupTarget {
  properties: BackupProperties;
  units: BackupUnit[];
  dcs: string[];
  /** Locations after the DC filter. */
  locations: Location[];
  /** Live nodes of the selected DCs, with their location. */
  hosts: BackupHost[];
  /** Nodes of the selected DCs whose Scylla API (through the agent) did not answer (skipped, as SM). */
  downHosts: string[];
}

export interface GetTargetOptions {
  signal?: AbortSignal;
  /** Check location access from every live node (SM always does; the dry-run size path too). Default true. */
  checkAccess?: boolean;
}

/** The location of a node: its DC's entry, else the DC-less one. */
export function locationFor(locations: readonly Location[], dc: string, host: string): Location {
  const loc = locations.find((l) => l.dc === dc) ?? locations.find((l) => l.dc === "");
  if (!loc) throw new ValidationError(`${host}: unknown location`);
  return loc;
}

function checkDcNames(what: string, names: Iterable<string>, known: ReadonlySet<string>): void {
  for (const dc of names) {
    if (dc !== "" && !known.has(dc)) {
      throw new ValidationError(`${what}: no such datacenter ${dc}`, {
        hint: `datacenters of the cluster: ${[...known].sort().join(", ")}`,
      });
    }
  }
}

const dcsOf = (limits: readonly DcLimit[]) => limits.map((l) => l.dc);

/** Skipped by SM whatever the filter says: LWT state, Scylla's native backup tables, CDC logs. */
function isSkippedTable(keyspace: string, table: string): boolean {
  if (keyspace === "system" && table === "paxos") return true;
  if (table.endsWith("$paxos")) return true;
  if (keyspace === "system_distributed" && table.startsWith("snapshot")) return true;
  if (table.endsWith("_scylla_cdc_log")) return true;
  if (keyspace.startsWith("system") && /(^|_)cdc(_|$)/.test(table)) return true;
  return false;
}

/** Resolves the target of a backup task; throws ValidationError for every user mistake. */
export async function getBackupTarget(
  cluster: BackupClusterAccess,
  rawProperties: unknown,
  options: GetTargetOptions = {},
): Promise<BackupTarget> {
  const props = parseBackupProperties(rawProperties);
  const call = { signal: options.signal };
  const { scylla } = cluster;
  const hostIds = await scylla.hostIds(call);
  const dcOf = new Map<string, string>();
  for (const ip of hostIds.keys()) dcOf.set(ip, await scylla.datacenter(ip, call));
  const allDcs = [...new Set(dcOf.values())].sort();
  const known = new Set(allDcs);
  checkDcNames(
    "location",
    props.location.map((l) => l.dc),
    known,
  );
  checkDcNames("rate limit", dcsOf(props.rateLimit), known);
  checkDcNames("snapshot parallel", dcsOf(props.snapshotParallel), known);
  checkDcNames("upload parallel", dcsOf(props.uploadParallel), known);
  const dcs = filterDcs(allDcs, props.dc);
  const locations = props.location.filter((l) => l.dc === "" || dcs.includes(l.dc));
  for (const dc of dcs) {
    if (!locations.some((l) => l.dc === dc || l.dc === "")) {
      throw new ValidationError(`invalid location: missing location for datacenter ${dc}`, {
        hint: `add ${dc}:<provider>:<bucket> or a location without a datacenter`,
      });
    }
  }
  const candidates = [...dcOf.entries()].filter(([, dc]) => dcs.includes(dc)).map(([ip]) => ip);
  // SM's liveness check (`CheckHostsConnectivity`) asks Scylla's API through the agent, not the agent alone: a node
  // whose agent answers while Scylla is down cannot be snapshotted.
  const alive = await Promise.all(
    candidates.map((ip) =>
      scylla.ping(ip, 5_000, options.signal).then(
        () => true,
        () => false,
      ),
    ),
  );
  const hosts: BackupHost[] = [];
  const downHosts: string[] = [];
  candidates.forEach((ip, i) => {
    if (!alive[i]) {
      downHosts.push(ip);
      return;
    }
    const dc = dcOf.get(ip) ?? "";
    hosts.push({ ip, hostId: hostIds.get(ip) ?? "", dc, location: locationFor(locations, dc, ip) });
  });
  hosts.sort((a, b) => a.dc.localeCompare(b.dc) || a.ip.localeCompare(b.ip, undefined, { numeric: true }));
  if (hosts.length === 0) throw new ValidationError("no live nodes in the selected datacenters");
  if (options.checkAccess !== false && !props.purgeOnly) await checkLocationAccess(cluster, hosts, options.signal);
  if (props.method === "native" && !props.purgeOnly) await checkNativeSupport(cluster, hosts);
  const units = await buildUnits(cluster, props, dcs, hosts, options.signal);
  return { properties: props, units, dcs, locations, hosts, downHosts };
}

/**
 * SM's access check: `check-permissions` from every live node against its location. Errors name the node and the
 * location and carry SM's tip.
 */
export async function checkLocationAccess(
  cluster: BackupClusterAccess,
  hosts: readonly BackupHost[],
  signal?: AbortSignal,
): Promise<void> {
  const rclone = new RcloneClient(cluster.agent);
  const results = await Promise.allSettled(
    hosts.map((h) =>
      rclone.checkPermissions(
        h.ip,
        remotePath(h.location, `.permission-check/cluster/${cluster.clusterId}/${newTimeUuid()}`),
        { signal, interactive: true },
      ),
    ),
  );
  results.forEach((result, i) => {
    if (result.status === "fulfilled") return;
    const host = hosts[i] as BackupHost;
    const loc = locationString(host.location);
    const message = result.reason instanceof Error ? result.reason.message : String(result.reason);
    if (/NoSuchBucket/i.test(message)) throw new ValidationError("specified bucket does not exist");
    throw new ValidationError(
      `location is not accessible: ${host.ip}: ${loc}: ${message}: make sure the location is correct and credentials are set, to debug SSH to ${host.ip} and run "scylla-manager-agent check-location -L ${loc} --debug"`,
    );
  });
}

/**
 * With `method: native` every live node must be able to upload natively (SM checks it in GetTarget, so the task is
 * refused before anything is snapshotted); `auto` decides per node and dir at run time instead.
 */
async function checkNativeSupport(cluster: BackupClusterAccess, hosts: readonly BackupHost[]): Promise<void> {
  const problems: string[] = [];
  for (const h of hosts) {
    const support = hostNativeBackupSupport(await cluster.nodeInfo(h.ip), h.location, "native");
    if (!support.ok) problems.push(`${h.ip} (${locationString(h.location)}): ${support.reason}`);
  }
  if (problems.length > 0) {
    throw new ValidationError(`native backup is not supported on every node: ${problems.join("; ")}`, {
      hint: "use --method auto (rclone where native upload is unavailable) or rclone",
    });
  }
}

async function viewsOf(cluster: BackupClusterAccess, host: string): Promise<Set<string>> {
  const views = new Set<string>();
  let session: Awaited<ReturnType<BackupClusterAccess["cqlSession"]>>;
  try {
    session = await cluster.cqlSession(host);
  } catch {
    return views;
  }
  if (!session) return views;
  try {
    const rows = await session.execute("SELECT keyspace_name, view_name FROM system_schema.views");
    for (const row of rows.rows) views.add(`${row.keyspace_name}.${row.view_name}`);
  } catch {
    // Without access to system_schema, views are backed up like tables (SM does the same without credentials).
  } finally {
    await session.shutdown().catch(() => undefined);
  }
  return views;
}

function replicatedIn(ring: readonly TokenRange[], dcs: readonly string[], dcOf: (ip: string) => string): boolean {
  return ring.some((range) =>
    range.endpoint_details.length > 0
      ? range.endpoint_details.some((d) => dcs.includes(d.datacenter))
      : range.endpoints.some((ip) => dcs.includes(dcOf(ip))),
  );
}

async function buildUnits(
  cluster: BackupClusterAccess,
  props: BackupProperties,
  dcs: readonly string[],
  hosts: readonly BackupHost[],
  signal?: AbortSignal,
): Promise<BackupUnit[]> {
  const { scylla } = cluster;
  const call = { signal };
  const [allKeyspaces, userKeyspaces, nonLocal, tabletKeyspaces, tablesByKs] = await Promise.all([
    scylla.keyspaces({ type: "all" }, call),
    scylla.keyspaces({ type: "user" }, call),
    scylla.keyspaces({ type: "non_local_strategy" }, call),
    scylla.keyspaces({ type: "all", replication: "tablets" }, call).catch(() => [] as string[]),
    scylla.tables(call),
  ]);
  const tablets = new Set(tabletKeyspaces);
  const eligible = new Set([...userKeyspaces, ...nonLocal]);
  const filter = keyspaceFilter(props.keyspace);
  const views = await viewsOf(cluster, hosts[0]?.ip ?? "");
  const live = new Set(hosts.map((h) => h.ip));
  const dcByIp = new Map(hosts.map((h) => [h.ip, h.dc]));
  const units: BackupUnit[] = [];
  for (const keyspace of [...allKeyspaces].sort()) {
    const tables = [...(tablesByKs.get(keyspace) ?? [])].sort();
    if (keyspace === "system_schema") {
      if (!props.skipSchema && tables.length > 0) units.push({ keyspace, tables, allTables: true });
      continue;
    }
    if (!eligible.has(keyspace)) continue;
    const picked = tables.filter(
      (t) => filter.matches(`${keyspace}.${t}`) && !isSkippedTable(keyspace, t) && !views.has(`${keyspace}.${t}`),
    );
    if (picked.length === 0) continue;
    // A vnode keyspace has one ring; a tablet keyspace one per table (Scylla wants the table then).
    const rings: Array<{ name: string; ring: TokenRange[] }> = tablets.has(keyspace)
      ? await Promise.all(
          picked.map(async (t) => ({ name: `${keyspace}.${t}`, ring: await scylla.describeRing(keyspace, t, call) })),
        )
      : [{ name: keyspace, ring: await scylla.describeRing(keyspace, undefined, call) }];
    const dcOfIp = (ip: string) => dcByIp.get(ip) ?? "";
    if (!rings.some(({ ring }) => replicatedIn(ring, dcs, dcOfIp))) continue;
    for (const { name, ring } of rings) {
      for (const range of ring) {
        if (!range.endpoints.some((ip) => live.has(ip))) {
          throw new ValidationError(
            `${name}: the whole replica set [${range.endpoints.join(" ")}] is filtered out, so the data owned by it can't be backed up`,
          );
        }
      }
    }
    units.push({ keyspace, tables: picked, allTables: picked.length === tables.length });
  }
  if (!units.some((u) => u.keyspace !== "system_schema")) {
    throw new ValidationError("no keyspace matched criteria", {
      hint: props.keyspace.length > 0 ? `check --keyspace ${props.keyspace.join(",")}` : undefined,
    });
  }
  return units;
}

/** The target as SM's `BackupTarget` JSON (dry run, `GET /tasks/backup/target`). */
export function targetToJson(clusterId: string, target: BackupTarget, size?: number): BackupTargetJson {
  const p = target.properties;
  return {
    cluster_id: clusterId,
    dc: target.dcs,
    location: target.locations.map(locationString),
    retention: p.retention.retention,
    retention_days: p.retention.retentionDays,
    rate_limit: p.rateLimit.map(dcLimitString),
    snapshot_parallel: p.snapshotParallel.map(dcLimitString),
    upload_parallel: p.uploadParallel.map(dcLimitString),
    units: target.units.map((u) => ({ keyspace: u.keyspace, tables: u.tables, all_tables: u.allTables })),
    ...(size === undefined ? {} : { size }),
    transfers: p.transfers,
    purge_only: p.purgeOnly,
    skip_schema: p.skipSchema,
    method: p.method,
    retention_lock_mode: p.retentionLockMode,
    override_retention_lock: p.overrideRetentionLock,
    with_hosts: target.hosts.map((h) => h.ip),
  };
}
