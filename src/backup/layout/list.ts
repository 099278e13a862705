/**
 * Listing a location into manifests: the pure part (which listed objects are manifests, shadowed temporary
 * manifests, grouping by snapshot) and the I/O part over any `LocationReader` (the agent's rclone API on one host:
 * `operations/list` and `operations/cat`).
 * @module
 */
import { formatLocationWithoutDc, type Location, locationRemotePath } from "./location.ts";
import type { FilesMeta, ManifestHeader } from "./manifest.ts";
import { type ManifestSource, readManifest } from "./manifest-codec.ts";
import { type ManifestPathInfo, META_DIR, metaClusterDir, parseManifestPath, TEMP_SUFFIX } from "./paths.ts";

/** One listed object, as the agent's `operations/list` answers (rclone's ListJSONItem). */
export interface ListedObject {
  /** Path relative to the listed directory. */
  Path: string;
  Size: number;
  IsDir: boolean;
  ModTime?: string;
  /** GCS with `showRetentionInfo`: "" (none), `unlocked` or `locked`, and the retain-until time. */
  RetentionMode?: string;
  RetainUntil?: string;
  /** GCS with `showEventBasedHold`. */
  eventBasedHold?: boolean;
}

/** An object's lock state, as listed. */
export interface ObjectLockState {
  retentionMode: string;
  retainUntil: string;
  eventBasedHold: boolean;
}

/**
 * Whether a listed object may not be deleted now: under an event-based hold, or with a retention mode and a
 * retain-until time in the future (SM's protected manifests).
 */
export function isLockedAt(lock: ObjectLockState | undefined, nowMs: number): boolean {
  if (lock === undefined) return false;
  if (lock.eventBasedHold) return true;
  const mode = lock.retentionMode.toLowerCase();
  if (mode === "" || mode === "none") return false;
  const until = Date.parse(lock.retainUntil);
  return Number.isFinite(until) && until > nowMs;
}

/** The lock state a listing entry carries (undefined when listed without lock info, or with none). */
export function listedLock(item: ListedObject): ObjectLockState | undefined {
  if (item.RetentionMode === undefined && item.eventBasedHold === undefined) return undefined;
  return {
    retentionMode: item.RetentionMode ?? "",
    retainUntil: item.RetainUntil ?? "",
    eventBasedHold: item.eventBasedHold === true,
  };
}

/** Listing switches of `operations/list`. */
export interface ListOptions {
  recurse?: boolean;
  filesOnly?: boolean;
  dirsOnly?: boolean;
  /** Leave out versioned files (`*.sm_<tag>UTC`). */
  newestOnly?: boolean;
  /** Only versioned files. */
  versionedOnly?: boolean;
  /** GCS: add each object's retention mode and retain-until time. */
  showRetentionInfo?: boolean;
  /** GCS: add each object's event-based hold flag. */
  showEventBasedHold?: boolean;
}

/**
 * What the layout needs from storage, with rclone remote paths (`provider:bucket/dir`). The backup's
 * `RcloneClient` (`src/clients/agent/rclone.ts`) has this shape; tests can read a local directory instead.
 */
export interface LocationReader {
  /** Lists `path` on `host`'s agent; a missing directory lists as empty. */
  list(host: string, path: string, options?: ListOptions): Promise<readonly ListedObject[]>;
  /** Reads one object (`operations/cat`: only `backup/meta/`, `backup/schema/` and `*.crc32`). */
  cat(host: string, path: string): Promise<Uint8Array>;
}

/** A manifest found in a location. */
export interface ManifestInfo extends ManifestPathInfo {
  location: Location;
  /** Bucket-relative path of the manifest file (with `.tmp` for a temporary one). */
  path: string;
  /** Size of the manifest file, bytes (-1 when unknown). */
  fileSize: number;
  /** Its object-lock state, when listed with lock info (GCS). */
  lock?: ObjectLockState;
}

/** A manifest with its header read (the index is streamed on demand). */
export interface ManifestWithHeader extends ManifestInfo {
  header: ManifestHeader;
}

/**
 * The manifests among objects listed (recursively) under `baseDir` of `location`; objects that are not exactly
 * a v2 manifest path are skipped silently, as SM does (`.version` files, v1 manifests, stray files).
 */
export function manifestsFromListing(
  location: Location,
  baseDir: string,
  items: readonly ListedObject[],
): ManifestInfo[] {
  const prefix = baseDir.replace(/\/+$/, "");
  const out: ManifestInfo[] = [];
  for (const item of items) {
    if (item.IsDir) continue;
    const path = prefix === "" ? item.Path : `${prefix}/${item.Path}`;
    const info = parseManifestPath(path);
    if (info === undefined) continue;
    const lock = listedLock(item);
    out.push({ ...info, location, path, fileSize: item.Size, ...(lock === undefined ? {} : { lock }) });
  }
  return out;
}

/** Drops temporary manifests that have a regular manifest of the same node, task and tag (SM's "shadowed"). */
export function dropShadowedTemporary<T extends ManifestInfo>(manifests: readonly T[]): T[] {
  const key = (m: ManifestInfo, path: string) => `${bucketKey(m)}/${path}`;
  const regular = new Set(manifests.filter((m) => !m.temporary).map((m) => key(m, m.path)));
  return manifests.filter((m) => !m.temporary || !regular.has(key(m, m.path.slice(0, -TEMP_SUFFIX.length))));
}

/** Only regular (non-temporary) manifests. */
export function regularOnly<T extends ManifestInfo>(manifests: readonly T[]): T[] {
  return manifests.filter((m) => !m.temporary);
}

/** Manifests of one snapshot tag. */
export interface SnapshotGroup<T extends ManifestInfo = ManifestInfo> {
  snapshotTag: string;
  manifests: T[];
}

/** Groups manifests by snapshot tag, newest tag first; manifests inside a group keep their order. */
export function groupBySnapshot<T extends ManifestInfo>(manifests: readonly T[]): SnapshotGroup<T>[] {
  const groups = new Map<string, T[]>();
  for (const m of manifests) {
    const list = groups.get(m.snapshotTag);
    if (list === undefined) groups.set(m.snapshotTag, [m]);
    else list.push(m);
  }
  return [...groups.entries()]
    .sort(([a], [b]) => (a < b ? 1 : a > b ? -1 : 0))
    .map(([snapshotTag, list]) => ({ snapshotTag, manifests: list }));
}

/** Sorts manifests as a stable, readable order: cluster, dc, node, task, tag, regular before temporary. */
export function sortManifests<T extends ManifestInfo>(manifests: T[]): T[] {
  return manifests.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}

/** Options of listManifests. */
export interface ListManifestsOptions {
  /** Only this cluster's manifests; all clusters in the bucket when absent. */
  clusterId?: string;
  /** On GCS, list each manifest's retention and hold (`lock`); other providers have no object locks. */
  lockInfo?: boolean;
}

/**
 * Lists the manifests of a location through one host's agent: one recursive, files-only listing of
 * `backup/meta[/cluster/<id>]`.
 */
export async function listManifests(
  reader: LocationReader,
  host: string,
  location: Location,
  options: ListManifestsOptions = {},
): Promise<ManifestInfo[]> {
  const baseDir = options.clusterId === undefined ? META_DIR : metaClusterDir(options.clusterId);
  const lockInfo = options.lockInfo === true && location.provider === "gcs";
  const items = await reader.list(host, locationRemotePath(location, baseDir), {
    recurse: true,
    filesOnly: true,
    ...(lockInfo ? { showRetentionInfo: true, showEventBasedHold: true } : {}),
  });
  return manifestsFromListing(location, baseDir, items);
}

/** Reads a manifest's bytes through the agent (`operations/cat`). */
export function catManifest(reader: LocationReader, host: string, info: ManifestInfo): Promise<Uint8Array> {
  return reader.cat(host, locationRemotePath(info.location, info.path));
}

/**
 * Reads a manifest: its header, and each index entry handed to `onIndex` as it streams by (never all in memory).
 */
export async function readManifestAt(
  reader: LocationReader,
  host: string,
  info: ManifestInfo,
  onIndex?: (meta: FilesMeta) => void,
): Promise<ManifestWithHeader> {
  const bytes: ManifestSource = await catManifest(reader, host, info);
  const { header } = await readManifest(bytes, onIndex);
  return { ...info, header };
}

/** `provider:bucket` key of a manifest's location, for maps keyed by bucket. */
export function bucketKey(info: ManifestInfo): string {
  return formatLocationWithoutDc(info.location);
}
