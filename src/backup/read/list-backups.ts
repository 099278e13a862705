/**
 * `GET /cluster/{id}/backups` (SM's `Service.List`): per (cluster, task) the snapshots with their node count and
 * size, and the keyspaces and tables they hold, over the manifests that match the filter. A manifest without any
 * table matching the keyspace filter is left out; size is the sum of the matching tables' sizes.
 * @module
 */
import { keyspaceFilter } from "../../util/inexlist.ts";
import { readManifestAt } from "../layout/list.ts";
import { type BackupReadAccess, type LocationHost, mapLimit } from "./access.ts";
import { type BackupListFilter, type LocatedManifest, listFilteredManifests } from "./manifests.ts";

/** SM's `SnapshotInfo`. */
export interface SnapshotInfo {
  snapshot_tag: string;
  nodes: number;
  size: number;
}

/** SM's `backup.Unit` as listed. */
export interface BackupListUnit {
  keyspace: string;
  tables: string[];
  all_tables: boolean;
}

/** SM's `BackupListItem`. */
export interface BackupListItem {
  cluster_id: string;
  task_id: string;
  units: BackupListUnit[];
  snapshot_info: SnapshotInfo[];
}

/** What one manifest contributes: its matching size and tables (undefined when nothing matched). */
export interface ManifestSummary {
  manifest: Pick<LocatedManifest, "clusterId" | "taskId" | "snapshotTag">;
  size: number;
  tables: Map<string, Set<string>>;
}

/** Folds manifest summaries (in SM's manifest order) into list items, as SM does. Pure. */
export function aggregateBackupList(summaries: readonly ManifestSummary[]): BackupListItem[] {
  const items: Array<{ item: BackupListItem; units: Map<string, Set<string>> }> = [];
  for (const { manifest, size, tables } of summaries) {
    let entry = items.find((e) => e.item.cluster_id === manifest.clusterId && e.item.task_id === manifest.taskId);
    if (entry === undefined) {
      entry = {
        item: { cluster_id: manifest.clusterId, task_id: manifest.taskId, units: [], snapshot_info: [] },
        units: new Map(),
      };
      items.push(entry);
    }
    const snapshot = entry.item.snapshot_info.find((s) => s.snapshot_tag === manifest.snapshotTag);
    if (snapshot === undefined) entry.item.snapshot_info.push({ snapshot_tag: manifest.snapshotTag, nodes: 1, size });
    else {
      snapshot.nodes++;
      snapshot.size += size;
    }
    for (const [keyspace, names] of tables) {
      const set = entry.units.get(keyspace) ?? new Set<string>();
      for (const name of names) set.add(name);
      entry.units.set(keyspace, set);
    }
  }
  return items.map(({ item, units }) => ({
    ...item,
    snapshot_info: [...item.snapshot_info].sort((a, b) => (a.snapshot_tag < b.snapshot_tag ? 1 : -1)),
    // SM builds units from a Go map (random order); sorted by keyspace here so the answer is stable.
    units: [...units.keys()].sort().map((keyspace) => ({
      keyspace,
      tables: [...(units.get(keyspace) ?? [])].sort(),
      all_tables: false,
    })),
  }));
}

/** How many manifests are read at once. */
const READ_PARALLEL = 8;

/** Lists backups in the located buckets. */
export async function listBackups(
  access: BackupReadAccess,
  located: readonly LocationHost[],
  filter: BackupListFilter,
): Promise<BackupListItem[]> {
  const manifests = await listFilteredManifests(access, located, filter);
  const match = keyspaceFilter(filter.keyspace ?? []);
  const summaries = await mapLimit(manifests, READ_PARALLEL, async (m): Promise<ManifestSummary | undefined> => {
    let size = 0;
    let visited = false;
    const tables = new Map<string, Set<string>>();
    await readManifestAt(access.client, m.host, m, (meta) => {
      if (!match.matches(`${meta.keyspace}.${meta.table}`)) return;
      visited = true;
      size += meta.size;
      const set = tables.get(meta.keyspace) ?? new Set<string>();
      set.add(meta.table);
      tables.set(meta.keyspace, set);
    });
    return visited ? { manifest: m, size, tables } : undefined;
  });
  return aggregateBackupList(summaries.filter((s): s is ManifestSummary => s !== undefined));
}
