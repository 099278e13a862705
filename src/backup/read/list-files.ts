/**
 * `GET /cluster/{id}/backups/files` (SM's `Service.ListFiles`): per manifest of the snapshot, its location without
 * the DC, its schema file and the matching tables' files with their sst dir in `path`.
 * @module
 */
import { keyspaceFilter } from "../../util/inexlist.ts";
import { readManifestAt } from "../layout/list.ts";
import { formatLocationWithoutDc } from "../layout/location.ts";
import type { FilesMeta } from "../layout/manifest.ts";
import { sstVersionDir } from "../layout/paths.ts";
import { type BackupReadAccess, type LocationHost, mapLimit } from "./access.ts";
import { type BackupListFilter, listFilteredManifests } from "./manifests.ts";

/** SM's `FilesInfo`. */
export interface BackupFilesInfo {
  /** `provider:bucket` (the DC is dropped). */
  location: string;
  schema: string;
  files: FilesMeta[];
}

/** Lists the files of the manifests that match `filter` (SM requires a snapshot tag for this call). */
export async function listBackupFiles(
  access: BackupReadAccess,
  located: readonly LocationHost[],
  filter: BackupListFilter,
): Promise<BackupFilesInfo[]> {
  const manifests = await listFilteredManifests(access, located, filter);
  const match = keyspaceFilter(filter.keyspace ?? []);
  const infos = await mapLimit(manifests, 4, async (m): Promise<BackupFilesInfo | undefined> => {
    const files: FilesMeta[] = [];
    const read = await readManifestAt(access.client, m.host, m, (meta) => {
      if (!match.matches(`${meta.keyspace}.${meta.table}`)) return;
      files.push({
        ...meta,
        path: sstVersionDir(m.clusterId, m.dc, m.nodeId, meta.keyspace, meta.table, meta.version),
      });
    });
    if (files.length === 0) return undefined;
    return { location: formatLocationWithoutDc(m.location), schema: read.header.schema, files };
  });
  return infos.filter((i): i is BackupFilesInfo => i !== undefined);
}
