/**
 * Restore's INIT (SM's `worker.init`): nodes with access to each location, the snapshot's manifests, DC mapping,
 * the keyspace patterns with the auto excludes, every node UP, and (first run only) the units with their
 * tombstone_gc modes and the views of restored tables. Read-only: nothing in the cluster changes here.
 * @module
 */

import { listManifests, type ManifestInfo, readManifestAt } from "../backup/layout/list.ts";
import {
  formatLocation,
  formatLocationWithoutDc,
  type Location,
  locationRemotePath,
} from "../backup/layout/location.ts";
import type { CqlSession } from "../clients/cql/session.ts";
import { ManagerError, ValidationError } from "../errors.ts";
import { keyspaceFilter } from "../util/inexlist.ts";
import type { RestoreEnv } from "./env.ts";
import type { RestoreTarget, RestoreUnit, RestoreView } from "./model.ts";
import {
  addToUnits,
  checkAllNodesUp,
  checkUnitsExist,
  filterManifestsByMapping,
  hostsBySourceDc,
  selectSnapshotManifests,
  skipRestorePatterns,
  tombstoneGcMode,
  validateDcMapping,
} from "./target.ts";

/** One location with the snapshot's manifests in it and who restores what. */
export interface LocationInfo {
  location: Location;
  /** Source DCs of the manifests kept. */
  dcs: string[];
  /** Source DC → hosts that restore it. */
  dcHosts: Map<string, string[]>;
  manifests: ManifestInfo[];
  /** A host that can read the location. */
  anyHost: string;
}

/** The resolved target of a run. */
export interface ResolvedTarget {
  target: RestoreTarget;
  /** Keyspace patterns incl. the auto excludes. */
  keyspace: string[];
  locations: LocationInfo[];
  /** Host → DC of every node. */
  hostDc: Map<string, string>;
}

/** Hosts (of `candidates`) that pass check-permissions at the bucket root. */
async function hostsWithAccess(env: RestoreEnv, candidates: readonly string[], location: Location): Promise<string[]> {
  const path = locationRemotePath(location);
  const results = await Promise.allSettled(candidates.map((h) => env.rclone.checkPermissions(h, path)));
  const ok = candidates.filter((_, i) => results[i]?.status === "fulfilled");
  if (ok.length > 0) return ok;
  const first = results.find((r) => r.status === "rejected") as PromiseRejectedResult | undefined;
  const message = first?.reason instanceof Error ? first.reason.message : String(first?.reason ?? "");
  if (message.includes("NoSuchBucket")) {
    throw new ValidationError(`specified bucket does not exist: ${formatLocation(location)}`);
  }
  throw new ValidationError(
    candidates.length === 0
      ? `no nodes with location ${formatLocation(location)} access`
      : `location ${formatLocation(location)} is not accessible: ${message}`,
    {
      hint: `make sure the location is correct and credentials are set, to debug SSH to ${candidates[0] ?? "a node"} and run "scylla-manager-agent check-location -L ${formatLocation(location)} --debug"`,
    },
  );
}

/** Resolves locations, manifests, hosts and keyspace patterns (no units). */
export async function resolveTarget(env: RestoreEnv, target: RestoreTarget, cql: CqlSession): Promise<ResolvedTarget> {
  const nodes = await env.nodes();
  const hostDc = new Map(nodes.map((n) => [n.host, n.dc]));
  const mapping = target.dcMapping;
  const useLocationDc = Object.keys(mapping).length > 0;
  const locations: LocationInfo[] = [];
  for (const location of target.locations) {
    const candidates = nodes
      .filter((n) => n.status.startsWith("U"))
      .filter((n) => !useLocationDc || location.dc === "" || n.dc === location.dc)
      .map((n) => n.host);
    const hosts = await hostsWithAccess(env, candidates, location);
    const listing = await listManifests(env.rclone, hosts[0] as string, location);
    const manifests = filterManifestsByMapping(selectSnapshotManifests(listing, target.snapshotTag), mapping);
    const dcs = [...new Set(manifests.map((m) => m.dc))].sort();
    const dcHosts = hostsBySourceDc(
      hosts.map((host) => ({ host, dc: hostDc.get(host) ?? "" })),
      mapping,
      dcs,
    );
    locations.push({ location, dcs, dcHosts, manifests, anyHost: hosts[0] as string });
  }
  let keyspace = target.keyspace ?? ["*"];
  if (target.restoreSchema) keyspace = ["system_schema"];
  if (target.restoreTables) keyspace = [...keyspace, ...(await autoExcludes(env, cql))];
  checkAllNodesUp(nodes.map((n) => ({ host: n.host, up: n.status === "UN" })));
  if (target.restoreTables && useLocationDc) {
    const sourceDcs = [...new Set(locations.flatMap((l) => l.dcs))];
    validateDcMapping(mapping, sourceDcs, [...new Set(nodes.map((n) => n.dc))]);
  }
  return { target, keyspace, locations, hostDc };
}

/** The auto excludes as `!` patterns (SM's `skipRestorePatterns` inputs read from the cluster). */
export async function autoExcludes(env: RestoreEnv, cql: CqlSession): Promise<string[]> {
  const [allKeyspaces, nonLocalKeyspaces, userKeyspaces, tables] = await Promise.all([
    env.scylla.keyspaces({ type: "all" }),
    env.scylla.keyspaces({ type: "non_local_strategy" }),
    env.scylla.keyspaces({ type: "user" }),
    env.scylla.tables(),
  ]);
  const views = (await cql.execute("SELECT keyspace_name, view_name FROM system_schema.views")).rows.map(
    (r) => `${r.keyspace_name}.${r.view_name}`,
  );
  return skipRestorePatterns({ allKeyspaces, nonLocalKeyspaces, userKeyspaces, tables, views });
}

/** The restored units: tables of the snapshot that match the patterns, with sizes and tombstone_gc modes. */
export async function initUnits(env: RestoreEnv, resolved: ResolvedTarget, cql: CqlSession): Promise<RestoreUnit[]> {
  const filter = keyspaceFilter(resolved.keyspace);
  const units: RestoreUnit[] = [];
  for (const l of resolved.locations) {
    for (const m of l.manifests) {
      await readManifestAt(env.rclone, l.anyHost, m, (fm) => {
        if (filter.matches(`${fm.keyspace}.${fm.table}`)) addToUnits(units, fm.keyspace, fm.table, fm.size);
      });
    }
  }
  if (units.length === 0) throw new ValidationError("no data in backup locations match given keyspace pattern");
  checkUnitsExist(units, await env.scylla.tables());
  for (const u of units) {
    for (const t of u.tables) {
      const rs = await cql.execute(
        "SELECT extensions FROM system_schema.tables WHERE keyspace_name = ? AND table_name = ?",
        [u.keyspace, t.table],
        { prepare: true },
      );
      const ext = rs.rows[0]?.extensions as Record<string, Buffer | string> | null | undefined;
      const raw = ext?.tombstone_gc;
      t.tombstone_gc = tombstoneGcMode(raw === undefined || raw === null ? undefined : String(raw));
    }
  }
  return units;
}

/** MVs and secondary indexes of restored tables with `CREATE ... IF NOT EXISTS` statements (from DESCRIBE). */
export async function initViews(units: readonly RestoreUnit[], cql: CqlSession): Promise<RestoreView[]> {
  const restored = new Set(units.flatMap((u) => u.tables.map((t) => `${u.keyspace}.${t.table}`)));
  const views: RestoreView[] = [];
  const mvs = (await cql.execute("SELECT keyspace_name, view_name, base_table_name FROM system_schema.views")).rows;
  const indexes = (await cql.execute("SELECT keyspace_name, table_name, index_name FROM system_schema.indexes")).rows;
  // A secondary index is backed by a view `<index>_index` that system_schema.views lists too; it is restored as the
  // index (the driver metadata SM reads leaves these views out of a keyspace's views).
  const indexViews = new Set(indexes.map((r) => `${r.keyspace_name}.${r.index_name}_index`));
  const keyspaces = new Set<string>();
  for (const r of mvs) if (restored.has(`${r.keyspace_name}.${r.base_table_name}`)) keyspaces.add(r.keyspace_name);
  for (const r of indexes) if (restored.has(`${r.keyspace_name}.${r.table_name}`)) keyspaces.add(r.keyspace_name);
  for (const ks of keyspaces) {
    const described = (await cql.execute(`DESCRIBE KEYSPACE "${ks.replaceAll('"', '""')}"`)).rows;
    const stmtOf = (type: string, name: string) =>
      described.find((d) => d.type === type && d.name === name)?.create_statement as string | undefined;
    for (const r of indexes) {
      if (r.keyspace_name !== ks || !restored.has(`${ks}.${r.table_name}`)) continue;
      const stmt = stmtOf("index", r.index_name);
      if (!stmt) throw new ManagerError(`get index ${ks}.${r.index_name} create statement: not described`);
      views.push({
        keyspace: ks,
        view: r.index_name,
        type: "SecondaryIndex",
        base_table: r.table_name,
        create_stmt: addIfNotExists(stmt, "SecondaryIndex"),
      });
    }
    for (const r of mvs) {
      if (r.keyspace_name !== ks || !restored.has(`${ks}.${r.base_table_name}`)) continue;
      if (indexViews.has(`${ks}.${r.view_name}`)) continue;
      const stmt = stmtOf("view", r.view_name);
      if (!stmt) throw new ManagerError(`get view ${ks}.${r.view_name} create statement: not described`);
      views.push({
        keyspace: ks,
        view: r.view_name,
        type: "MaterializedView",
        base_table: r.base_table_name,
        create_stmt: addIfNotExists(stmt, "MaterializedView"),
      });
    }
  }
  return views;
}

/** Inserts `IF NOT EXISTS` after `CREATE [CUSTOM] INDEX` / `CREATE MATERIALIZED VIEW` (restore may be resumed). */
export function addIfNotExists(stmt: string, type: RestoreView["type"]): string {
  const trimmed = stmt.trim().replace(/;\s*$/, "");
  if (/IF\s+NOT\s+EXISTS/i.test(trimmed)) return trimmed;
  const re = type === "MaterializedView" ? /CREATE\s+MATERIALIZED\s+VIEW/i : /CREATE\s+(CUSTOM\s+)?INDEX/i;
  const m = re.exec(trimmed);
  if (!m) throw new ManagerError(`unknown create view statement ${stmt}`);
  const end = m.index + m[0].length;
  return `${trimmed.slice(0, end)} IF NOT EXISTS${trimmed.slice(end)}`;
}

/** `provider:bucket` of a location, for workload keys. */
export function bucketOf(location: Location): string {
  return formatLocationWithoutDc(location);
}
