/**
 * The read side for the library's `Backup` class (list, files, delete, validate over a connected `Cluster`, no
 * daemon): option types and the functions its static methods call.
 * @module
 */
import type { Cluster } from "../../cluster/cluster.ts";
import { parseLocation } from "../layout/location.ts";
import type { ValidateHostProgress } from "../validate/model.ts";
import { type ValidateResult, validateBackup } from "../validate/run.ts";
import { resolveLocationHosts } from "./access.ts";
import { readAccessOf } from "./cluster-access.ts";
import { type DeleteSnapshotsResult, deleteSnapshots } from "./delete.ts";
import { type BackupListItem, listBackups } from "./list-backups.ts";
import { type BackupFilesInfo, listBackupFiles } from "./list-files.ts";

/** Options shared by list, files and delete. */
export interface BackupReadOptions {
  /** `[dc:]provider:bucket` entries to read. */
  location: string[];
  /** Keyspace/table globs; default everything. */
  keyspace?: string[];
  /** Only this cluster's backups (list/files); default every cluster in the bucket. */
  clusterId?: string;
}

/** Lists backups (SM's `backup list`). */
export async function listClusterBackups(
  cluster: Cluster,
  ownClusterId: string,
  options: BackupReadOptions & { minDate?: Date; maxDate?: Date },
): Promise<BackupListItem[]> {
  const access = readAccessOf(ownClusterId, cluster.scylla, cluster.agent);
  const located = await resolveLocationHosts(access, options.location.map(parseLocation));
  return listBackups(access, located, {
    clusterId: options.clusterId,
    keyspace: options.keyspace,
    minDate: options.minDate,
    maxDate: options.maxDate,
  });
}

/** Files of one snapshot (SM's `backup files`). */
export async function listClusterBackupFiles(
  cluster: Cluster,
  ownClusterId: string,
  options: BackupReadOptions & { snapshotTag: string },
): Promise<BackupFilesInfo[]> {
  const access = readAccessOf(ownClusterId, cluster.scylla, cluster.agent);
  const located = await resolveLocationHosts(access, options.location.map(parseLocation));
  return listBackupFiles(access, located, {
    clusterId: options.clusterId,
    keyspace: options.keyspace,
    snapshotTag: options.snapshotTag,
  });
}

/** Deletes snapshots of `clusterId` (SM's `backup delete`). */
export async function deleteClusterSnapshots(
  cluster: Cluster,
  clusterId: string,
  options: { location: string[]; snapshotTags: string[] },
): Promise<DeleteSnapshotsResult> {
  const access = readAccessOf(clusterId, cluster.scylla, cluster.agent);
  const located = await resolveLocationHosts(access, options.location.map(parseLocation));
  return deleteSnapshots(access, located, options.snapshotTags);
}

/** Validates the backups of `clusterId` (SM's `validate_backup`). */
export async function validateClusterBackups(
  cluster: Cluster,
  clusterId: string,
  options: {
    location: string[];
    deleteOrphanedFiles?: boolean;
    onProgress?: (row: ValidateHostProgress) => void;
    signal?: AbortSignal;
  },
): Promise<ValidateResult> {
  const base = readAccessOf(clusterId, cluster.scylla, cluster.agent);
  return validateBackup(
    { ...base, hostIds: () => cluster.scylla.hostIds(), liveHosts: () => cluster.scylla.liveEndpoints() },
    {
      locations: options.location.map(parseLocation),
      deleteOrphanedFiles: options.deleteOrphanedFiles ?? false,
      onProgress: options.onProgress,
      signal: options.signal,
    },
  );
}
