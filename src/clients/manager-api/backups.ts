/**
 * Backup read calls for sctool: `GET /cluster/{id}/backups`, `GET .../backups/files`, `DELETE .../backups`.
 * Absent or null fields read as Go's zero values.
 * @module
 */
import * as v from "valibot";
import { type ManagerApiClient, parseAnswer } from "./client.ts";

const text = () => v.nullish(v.string());
const num = () => v.nullish(v.number());
const strings = () => v.nullish(v.array(v.string()));

const BackupListItemSchema = v.object({
  cluster_id: text(),
  task_id: text(),
  units: v.nullish(v.array(v.object({ keyspace: text(), tables: strings(), all_tables: v.nullish(v.boolean()) }))),
  snapshot_info: v.nullish(v.array(v.object({ snapshot_tag: text(), nodes: num(), size: num() }))),
});

const BackupFilesInfoSchema = v.object({
  location: text(),
  schema: text(),
  files: v.nullish(
    v.array(
      v.object({ keyspace: text(), table: text(), version: text(), path: text(), files: strings(), size: num() }),
    ),
  ),
});

/** One `backup list` item. */
export interface ApiBackupListItem {
  cluster_id: string;
  task_id: string;
  units: { keyspace: string; tables: string[]; all_tables: boolean }[];
  snapshot_info: { snapshot_tag: string; nodes: number; size: number }[];
}

/** One manifest's files as `backup files` gets them. */
export interface ApiBackupFilesInfo {
  location: string;
  schema: string;
  files: { keyspace: string; table: string; version: string; path: string; files: string[]; size: number }[];
}

/** Query of list and files (`queryClusterId` undefined = all clusters). */
export interface BackupQuery {
  locations: readonly string[];
  keyspace: readonly string[];
  queryClusterId?: string;
}

function baseQuery(q: BackupQuery): Record<string, string | readonly string[] | undefined> {
  return {
    locations: q.locations.length > 0 ? q.locations : undefined,
    keyspace: q.keyspace.length > 0 ? q.keyspace : undefined,
    query_cluster_id: q.queryClusterId,
  };
}

/** `GET /cluster/{id}/backups`. */
export async function listBackups(
  client: ManagerApiClient,
  cluster: string,
  q: BackupQuery & { minDate?: string; maxDate?: string },
): Promise<ApiBackupListItem[]> {
  const answer = await client.request("GET", `/cluster/${encodeURIComponent(cluster)}/backups`, {
    query: { ...baseQuery(q), min_date: q.minDate, max_date: q.maxDate },
  });
  return parseAnswer(v.array(BackupListItemSchema), answer ?? [], "list backups").map((item) => ({
    cluster_id: item.cluster_id ?? "",
    task_id: item.task_id ?? "",
    units: (item.units ?? []).map((u) => ({
      keyspace: u.keyspace ?? "",
      tables: u.tables ?? [],
      all_tables: u.all_tables ?? false,
    })),
    snapshot_info: (item.snapshot_info ?? []).map((s) => ({
      snapshot_tag: s.snapshot_tag ?? "",
      nodes: s.nodes ?? 0,
      size: s.size ?? 0,
    })),
  }));
}

/** `GET /cluster/{id}/backups/files`. */
export async function listBackupFiles(
  client: ManagerApiClient,
  cluster: string,
  q: BackupQuery & { snapshotTag: string },
): Promise<ApiBackupFilesInfo[]> {
  const answer = await client.request("GET", `/cluster/${encodeURIComponent(cluster)}/backups/files`, {
    query: { ...baseQuery(q), snapshot_tag: q.snapshotTag },
  });
  return parseAnswer(v.array(BackupFilesInfoSchema), answer ?? [], "list backup files").map((info) => ({
    location: info.location ?? "",
    schema: info.schema ?? "",
    files: (info.files ?? []).map((f) => ({
      keyspace: f.keyspace ?? "",
      table: f.table ?? "",
      version: f.version ?? "",
      path: f.path ?? "",
      files: f.files ?? [],
      size: f.size ?? 0,
    })),
  }));
}

/** `DELETE /cluster/{id}/backups?snapshot_tags=`. */
export async function deleteBackupSnapshots(
  client: ManagerApiClient,
  cluster: string,
  locations: readonly string[],
  snapshotTags: readonly string[],
): Promise<void> {
  await client.request("DELETE", `/cluster/${encodeURIComponent(cluster)}/backups`, {
    query: { locations: locations.length > 0 ? locations : undefined, snapshot_tags: snapshotTags },
  });
}
