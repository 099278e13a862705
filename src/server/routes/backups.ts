/**
 * SM's backup read routes (`pkg/restapi/backup.go`): `GET /cluster/{id}/backups` (list), `GET .../backups/files`,
 * `DELETE .../backups` (snapshot tags) and `GET .../backups/schema`. Locations come from `locations` (comma
 * separated) or else from the cluster's enabled backup tasks.
 * @module
 */
import type { Context, Hono } from "hono";
import type { Location } from "../../backup/layout/location.ts";
import { parseLocation } from "../../backup/layout/location.ts";
import { isSnapshotTag } from "../../backup/layout/tags.ts";
import { readAccessOf } from "../../backup/read/cluster-access.ts";
import {
  type BackupListFilter,
  type BackupReadAccess,
  deleteSnapshots,
  describeBackupSchema,
  extractLocations,
  listBackupFiles,
  listBackups,
  resolveLocationHosts,
} from "../../backup/read/index.ts";
import { ManagerError, ValidationError } from "../../errors.ts";
import { type ClusterServicesDeps, ensureClusterServices } from "../../healthcheck/wiring.ts";
import type { ClusterRecord } from "../../store/store.ts";
import { isUuid } from "../../util/uuid.ts";
import { resolveClusterParam } from "../cluster-param.ts";
import { API_PREFIX } from "./clusters.ts";

/** A comma-separated query value as a list ("" → empty). */
function csv(c: Context, name: string): string[] {
  const value = c.req.query(name) ?? "";
  return value === "" ? [] : value.split(",");
}

/** Wraps a failure with SM's action prefix, keeping its class (status) and hint. */
function wrap(action: string, error: unknown): never {
  if (error instanceof ManagerError) {
    const Ctor = error.constructor as new (m: string, o: object) => ManagerError;
    throw new Ctor(`${action}: ${error.message}`, { hint: error.hint, details: error.details, cause: error });
  }
  throw new ManagerError(`${action}: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
}

/** Registers the backup read routes. */
export function registerBackupRoutes(app: Hono, deps: ClusterServicesDeps): void {
  const base = `${API_PREFIX}/cluster/:cluster_id/backups`;

  async function accessOf(cluster: ClusterRecord): Promise<BackupReadAccess> {
    const { clusters } = ensureClusterServices(deps);
    const { scylla, agent } = await clusters.clients(cluster.id);
    return readAccessOf(cluster.id, scylla, agent);
  }

  async function locationsOf(c: Context, cluster: ClusterRecord): Promise<Location[]> {
    const given = csv(c, "locations");
    if (given.length > 0) return given.map((text) => parseLocation(text));
    const tasks = await deps.store.listTasks(cluster.id, { type: "backup" });
    const found = extractLocations(
      tasks.filter((t) => t.enabled && !t.deleted).map((t) => t.properties),
      parseLocation,
    );
    if (found.length === 0) {
      throw new ValidationError("missing locations", { hint: "pass --location, or add a backup task with locations" });
    }
    return found;
  }

  function filterOf(c: Context, cluster: ClusterRecord): BackupListFilter {
    const filter: BackupListFilter = { keyspace: csv(c, "keyspace") };
    const tag = c.req.query("snapshot_tag");
    if (tag) filter.snapshotTag = tag;
    const query = c.req.query("query_cluster_id");
    if (query) {
      if (query === cluster.id || query === cluster.name) filter.clusterId = cluster.id;
      else if (isUuid(query)) filter.clusterId = query.toLowerCase();
      else throw new ValidationError(`invalid query_cluster_id: invalid UUID "${query}"`);
    }
    for (const key of ["min_date", "max_date"] as const) {
      const value = c.req.query(key);
      if (!value) continue;
      const ms = Date.parse(value);
      if (!/^\d{4}-\d{2}-\d{2}T/.test(value) || Number.isNaN(ms)) {
        throw new ValidationError(`invalid ${key}: "${value}" is not an RFC3339 date`);
      }
      if (key === "min_date") filter.minDate = new Date(ms);
      else filter.maxDate = new Date(ms);
    }
    return filter;
  }

  app.get(base, async (c) => {
    const cluster = await resolveClusterParam(deps.store, c.req.param("cluster_id"));
    const locations = await locationsOf(c, cluster);
    const filter = filterOf(c, cluster);
    const access = await accessOf(cluster);
    const located = await resolveLocationHosts(access, locations).catch((e) => wrap("resolve hosts", e));
    return c.json(await listBackups(access, located, filter));
  });

  app.get(`${base}/files`, async (c) => {
    const cluster = await resolveClusterParam(deps.store, c.req.param("cluster_id"));
    const locations = await locationsOf(c, cluster);
    const filter = filterOf(c, cluster);
    const access = await accessOf(cluster);
    const located = await resolveLocationHosts(access, locations).catch((e) => wrap("resolve hosts", e));
    return c.json(await listBackupFiles(access, located, filter));
  });

  app.delete(base, async (c) => {
    const cluster = await resolveClusterParam(deps.store, c.req.param("cluster_id"));
    const locations = await locationsOf(c, cluster);
    const tags = csv(c, "snapshot_tags");
    if (tags.length === 0) throw new ValidationError("missing snapshot tags", { hint: "pass --snapshot-tag" });
    const access = await accessOf(cluster);
    try {
      const located = await resolveLocationHosts(access, locations).catch((e) => wrap("resolve hosts", e));
      await deleteSnapshots(access, located, tags);
    } catch (error) {
      wrap("delete snapshots", error);
    }
    return c.body(null, 200);
  });

  app.get(`${base}/schema`, async (c) => {
    const cluster = await resolveClusterParam(deps.store, c.req.param("cluster_id"));
    const tag = c.req.query("snapshot_tag") ?? "";
    if (tag === "") throw new ValidationError("no snapshot_tag specified");
    if (!isSnapshotTag(tag)) throw new ValidationError(`${tag} is not a snapshot tag`);
    const raw = c.req.query("location") ?? "";
    if (raw === "") throw new ValidationError("no location specified");
    let location: Location;
    try {
      location = parseLocation(raw);
    } catch (error) {
      wrap("parse location", error);
    }
    const uuidOf = (name: string): string | undefined => {
      const value = c.req.query(name) ?? "";
      if (value === "") return undefined;
      if (!isUuid(value)) throw new ValidationError(`parse ${name}: invalid UUID "${value}"`);
      return value.toLowerCase();
    };
    const filter = { clusterId: uuidOf("query_cluster_id"), taskId: uuidOf("query_task_id") };
    const access = await accessOf(cluster);
    try {
      let hosts = access.hosts;
      if (location.dc !== "") {
        const dcs = await Promise.all(hosts.map((h) => access.datacenterOf(h).catch(() => "")));
        hosts = hosts.filter((_, i) => dcs[i] === location.dc);
        if (hosts.length === 0) throw new ManagerError(`get host for location: no nodes in DC ${location.dc}`);
      }
      const host = hosts[0];
      if (host === undefined) throw new ManagerError("get host for location: no nodes in cluster");
      return c.json(await describeBackupSchema(access, host, location, tag, filter));
    } catch (error) {
      wrap("get schema", error);
    }
  });
}
