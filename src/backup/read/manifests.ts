/**
 * Manifests of the resolved locations, filtered as SM's `ListFilter` prunes them, in SM's order (cluster, task,
 * tag, node per location).
 * @module
 */
import {
  dropShadowedTemporary,
  isLockedAt,
  type ListedObject,
  type ManifestInfo,
  manifestsFromListing,
} from "../layout/list.ts";
import { formatLocationWithoutDc, locationRemotePath } from "../layout/location.ts";
import { META_DIR, metaClusterDir } from "../layout/paths.ts";
import { snapshotTagAt } from "../layout/tags.ts";
import type { BackupReadAccess, LocationHost } from "./access.ts";

/** SM's listing filter (`backup.ListFilter`). */
export interface BackupListFilter {
  /** Only this cluster's manifests; all clusters in the bucket when absent. */
  clusterId?: string;
  /** Keyspace/table globs (`ks`, `ks.t*`, `!ks.x`); empty = everything. */
  keyspace?: readonly string[];
  /** Only this snapshot (wins over the dates). */
  snapshotTag?: string;
  minDate?: Date;
  maxDate?: Date;
  /** Include temporary manifests (never for list/files). */
  temporary?: boolean;
}

/** A manifest with the host that reads it and its object-lock state. */
export interface LocatedManifest extends ManifestInfo {
  host: string;
  /** Under an event-based hold, or retained (retention mode with a future retain-until). */
  protected: boolean;
}

/** SM's manifest order within a location. */
export function compareManifests(a: ManifestInfo, b: ManifestInfo): number {
  const keys = (m: ManifestInfo) => [m.clusterId, m.taskId, m.snapshotTag, m.nodeId, m.temporary ? "1" : "0"];
  const ka = keys(a);
  const kb = keys(b);
  for (let i = 0; i < ka.length; i++) {
    if ((ka[i] as string) < (kb[i] as string)) return -1;
    if ((ka[i] as string) > (kb[i] as string)) return 1;
  }
  return 0;
}

/** Whether SM's ListFilter keeps a manifest (keyspaces are checked on the index, not here). */
export function keepManifest(m: ManifestInfo, filter: BackupListFilter): boolean {
  if (filter.clusterId !== undefined && m.clusterId !== filter.clusterId) return false;
  if (filter.snapshotTag !== undefined && filter.snapshotTag !== "") {
    if (m.snapshotTag !== filter.snapshotTag) return false;
  } else {
    if (filter.minDate !== undefined && m.snapshotTag < snapshotTagAt(filter.minDate)) return false;
    if (filter.maxDate !== undefined && m.snapshotTag > snapshotTagAt(filter.maxDate)) return false;
  }
  if (m.temporary && !filter.temporary) return false;
  return true;
}

/** Every manifest of the located buckets (each bucket listed once), in SM's order, unfiltered. */
export async function listLocatedManifests(
  access: BackupReadAccess,
  located: readonly LocationHost[],
  clusterId: string | undefined,
  nowMs = Date.now(),
): Promise<LocatedManifest[]> {
  const seen = new Set<string>();
  const out: LocatedManifest[] = [];
  for (const { location, host } of located) {
    const key = formatLocationWithoutDc(location);
    if (seen.has(key)) continue;
    seen.add(key);
    const base = clusterId === undefined ? META_DIR : metaClusterDir(clusterId);
    const lockInfo = location.provider === "gcs";
    const items = (await access.client.list(host, locationRemotePath(location, base), {
      recurse: true,
      filesOnly: true,
      ...(lockInfo ? { showRetentionInfo: true, showEventBasedHold: true } : {}),
    })) as readonly ListedObject[];
    const found = manifestsFromListing(location, base, items).map((m) => ({
      ...m,
      host,
      protected: isLockedAt(m.lock, nowMs),
    }));
    out.push(...found.sort(compareManifests));
  }
  return out;
}

/** Manifests for list and files: filtered, temporary ones (shadowed or not) left out. */
export async function listFilteredManifests(
  access: BackupReadAccess,
  located: readonly LocationHost[],
  filter: BackupListFilter,
): Promise<LocatedManifest[]> {
  const all = await listLocatedManifests(access, located, filter.clusterId);
  return dropShadowedTemporary(all).filter((m) => keepManifest(m, filter));
}
