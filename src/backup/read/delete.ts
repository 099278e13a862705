/**
 * `DELETE /cluster/{id}/backups?snapshot_tags=` (SM's `Service.DeleteSnapshot`): removes the given snapshots of
 * the cluster from every location with the retention purge's reference counting — per node directory, files of the
 * deleted manifests minus files still referenced by any other manifest of that node (any task), versioned files
 * no kept snapshot needs, the schema files, then the manifests. Refuses any tag that is protected (event-based hold
 * or an unexpired retention lock on any of its manifests, temporary ones included).
 * @module
 */
import { NotFoundError, ValidationError } from "../../errors.ts";
import { dropShadowedTemporary, readManifestAt } from "../layout/list.ts";
import { formatLocationWithoutDc, locationRemotePath } from "../layout/location.ts";
import type { FilesMeta } from "../layout/manifest.ts";
import { sstNodeDir } from "../layout/paths.ts";
import { type PurgeManifest, planNodePurge, staleSchemaFiles } from "../purge.ts";
import { type BackupReadAccess, type LocationHost, mapLimit } from "./access.ts";
import { type LocatedManifest, listLocatedManifests } from "./manifests.ts";

/** Tags of protected manifests (SM's `protectedTags`). */
export function protectedTags(manifests: readonly LocatedManifest[]): Set<string> {
  return new Set(manifests.filter((m) => m.protected).map((m) => m.snapshotTag));
}

/** What a delete removed. */
export interface DeleteSnapshotsResult {
  deletedManifests: number;
  deletedFiles: number;
}

/**
 * Deletes snapshots `tags` of `access.clusterId` in the located buckets.
 * @throws ValidationError for a protected tag; NotFoundError (SM's 404 `not found`) when no manifest was deleted.
 */
export async function deleteSnapshots(
  access: BackupReadAccess,
  located: readonly LocationHost[],
  tags: readonly string[],
  nowMs = Date.now(),
): Promise<DeleteSnapshotsResult> {
  const wanted = new Set(tags);
  const all = await listLocatedManifests(access, located, access.clusterId, nowMs);
  const locked = [...protectedTags(all)].filter((t) => wanted.has(t)).sort();
  if (locked.length > 0) {
    throw new ValidationError(
      `snapshots protected by retention lock or event based hold cannot be deleted: [${locked.join(" ")}]`,
    );
  }
  const manifests = dropShadowedTemporary(all);
  const stale = new Set(manifests.filter((m) => wanted.has(m.snapshotTag)).map((m) => `${m.taskId}/${m.snapshotTag}`));
  let deletedManifests = 0;
  let deletedFiles = 0;
  const byLocation = new Map<string, LocatedManifest[]>();
  for (const m of all) {
    const key = formatLocationWithoutDc(m.location);
    const list = byLocation.get(key) ?? [];
    list.push(m);
    byLocation.set(key, list);
  }
  for (const list of byLocation.values()) {
    const byNode = new Map<string, LocatedManifest[]>();
    for (const m of list) {
      const key = `${m.dc}/${m.nodeId}`;
      byNode.set(key, [...(byNode.get(key) ?? []), m]);
    }
    for (const nodeManifests of byNode.values()) {
      if (!nodeManifests.some((m) => wanted.has(m.snapshotTag))) continue;
      const first = nodeManifests[0] as LocatedManifest;
      const { host, location } = first;
      const loaded: PurgeManifest[] = await mapLimit(nodeManifests, 8, async (m) => {
        const index: FilesMeta[] = [];
        const read = await readManifestAt(access.client, host, m, (meta) => index.push(meta));
        return {
          info: m,
          index: index.map((meta) => ({ ...meta, files: meta.files ?? [] })),
          schema: read.header.schema,
        };
      });
      const nodeDir = sstNodeDir(first.clusterId, first.dc, first.nodeId);
      const versioned = (
        await access.client.list(host, locationRemotePath(location, nodeDir), {
          recurse: true,
          filesOnly: true,
          versionedOnly: true,
        })
      ).map((item) => item.Path);
      const plan = planNodePurge(loaded, stale, versioned);
      await mapLimit([...plan.files], 16, async ([dir, names]) => {
        deletedFiles += await access.client.deletePaths(host, locationRemotePath(location, dir), names);
      });
      for (const schema of staleSchemaFiles(loaded, stale)) {
        await access.client.deleteFile(host, locationRemotePath(location, schema));
      }
      for (const m of plan.manifests) {
        if (await access.client.deleteFile(host, locationRemotePath(location, (m.info as LocatedManifest).path))) {
          deletedManifests++;
        }
      }
    }
  }
  if (deletedManifests === 0) throw new NotFoundError("not found");
  return { deletedManifests, deletedFiles };
}
