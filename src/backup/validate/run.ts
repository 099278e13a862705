/**
 * One `validate_backup` run (SM's `Service.Validate`): every live node (of the locations' DCs) checks its own node
 * directory of its location, then takes over directories of nodes that are gone (replaced, decommissioned) from the
 * same location until none is left; per node: read its manifests, list its sst dir (newest files only, with
 * modification times), `checkNode`, and delete orphans when asked. Progress rows are reported per (dc, host,
 * location); the run fails with SM's `broken snapshots: t1, t2` and/or `orphaned files` (the latter only when not
 * deleting them).
 * @module
 */
import { ValidationError } from "../../errors.ts";
import { dropShadowedTemporary, readManifestAt } from "../layout/list.ts";
import {
  formatLocation,
  formatLocationWithoutDc,
  type Location,
  locationForDc,
  locationRemotePath,
} from "../layout/location.ts";
import type { FilesMeta } from "../layout/manifest.ts";
import { sstNodeDir } from "../layout/paths.ts";
import { type BackupReadAccess, mapLimit } from "../read/access.ts";
import { type LocatedManifest, listLocatedManifests } from "../read/manifests.ts";
import { type CheckedManifest, checkNode } from "./check.ts";
import type { ValidateHostProgress } from "./model.ts";

/** What validate needs beyond the read side: the cluster's live nodes and their host IDs. */
export interface ValidateAccess extends BackupReadAccess {
  /** IP → host ID of every node. */
  hostIds(): Promise<Map<string, string>>;
  /** IPs of the live nodes. */
  liveHosts(): Promise<string[]>;
}

export interface ValidateOptions {
  locations: readonly Location[];
  deleteOrphanedFiles: boolean;
  /** Called with a host's row whenever it changes (persist it). */
  onProgress?: (row: ValidateHostProgress) => void | Promise<void>;
  signal?: AbortSignal;
  /** Injected clock, ms. Default Date.now. */
  now?: () => number;
}

export interface ValidateResult {
  rows: ValidateHostProgress[];
  brokenSnapshots: string[];
  orphanedFiles: number;
}

interface HostTarget {
  host: string;
  dc: string;
  hostId: string;
  location: Location;
}

/** Runs a validation; throws SM's run error when snapshots are broken or orphans are kept. */
export async function validateBackup(access: ValidateAccess, options: ValidateOptions): Promise<ValidateResult> {
  if (options.locations.length === 0) throw new ValidationError("missing location");
  const now = options.now ?? Date.now;
  const startedAtMs = now();
  const [ids, live] = await Promise.all([access.hostIds(), access.liveHosts()]);
  const onlyDcs = options.locations.every((l) => l.dc !== "") ? new Set(options.locations.map((l) => l.dc)) : undefined;
  const targets: HostTarget[] = [];
  for (const host of access.hosts.filter((h) => live.includes(h))) {
    const dc = await access.datacenterOf(host);
    if (onlyDcs && !onlyDcs.has(dc)) continue;
    const location = locationForDc(options.locations, dc);
    if (location === undefined) continue;
    targets.push({ host, dc, hostId: ids.get(host) ?? "", location });
  }
  if (targets.length === 0) throw new ValidationError("no live nodes can validate the given locations");

  // Manifests of every bucket, grouped into node directories waiting to be validated.
  const queues = new Map<string, Map<string, LocatedManifest[]>>();
  for (const t of targets) {
    const bucket = formatLocationWithoutDc(t.location);
    if (queues.has(bucket)) continue;
    const manifests = dropShadowedTemporary(
      await listLocatedManifests(access, [{ location: t.location, host: t.host }], access.clusterId),
    );
    const byNode = new Map<string, LocatedManifest[]>();
    for (const m of manifests) byNode.set(`${m.dc}/${m.nodeId}`, [...(byNode.get(`${m.dc}/${m.nodeId}`) ?? []), m]);
    queues.set(bucket, byNode);
  }
  const pop = (t: HostTarget): LocatedManifest[] | undefined => {
    const queue = queues.get(formatLocationWithoutDc(t.location));
    if (queue === undefined) return undefined;
    const own = [...queue.keys()].find((k) => k === `${t.dc}/${t.hostId}`) ?? queue.keys().next().value;
    if (own === undefined) return undefined;
    const list = queue.get(own);
    queue.delete(own);
    return list;
  };

  const rows: ValidateHostProgress[] = [];
  const broken = new Set<string>();
  let orphanedTotal = 0;
  const hostOfNode = new Map([...ids].map(([ip, id]) => [id, ip]));

  await Promise.all(
    targets.map(async (t) => {
      for (;;) {
        options.signal?.throwIfAborted();
        const manifests = pop(t);
        if (manifests === undefined || manifests.length === 0) return;
        const first = manifests[0] as LocatedManifest;
        const loaded: (CheckedManifest & { ip: string })[] = await mapLimit(manifests, 8, async (m) => {
          const index: FilesMeta[] = [];
          const read = await readManifestAt(access.client, t.host, { ...m }, (meta) => index.push(meta));
          return { snapshotTag: m.snapshotTag, temporary: m.temporary, index, ip: read.header.ip };
        });
        const row: ValidateHostProgress = {
          dc: t.dc,
          host: hostOfNode.get(first.nodeId) ?? loaded.find((l) => l.ip !== "")?.ip ?? first.nodeId,
          location: formatLocation(t.location),
          manifests: manifests.length,
          scanned_files: 0,
          broken_snapshots: [],
          missing_files: 0,
          orphaned_files: 0,
          orphaned_bytes: 0,
          deleted_files: 0,
          started_at: new Date(now()).toISOString(),
          completed_at: null,
        };
        rows.push(row);
        await options.onProgress?.(row);
        const nodeDir = sstNodeDir(first.clusterId, first.dc, first.nodeId);
        const listed = await access.client.list(t.host, locationRemotePath(t.location, nodeDir), {
          recurse: true,
          filesOnly: true,
          newestOnly: true,
        });
        const result = checkNode(
          loaded,
          listed.map((item) => ({ path: item.Path, size: item.Size, modTimeMs: Date.parse(item.ModTime ?? "") })),
          startedAtMs,
        );
        Object.assign(row, {
          scanned_files: result.scannedFiles,
          missing_files: result.missingFiles,
          orphaned_files: result.orphanedFiles,
          orphaned_bytes: result.orphanedBytes,
          broken_snapshots: result.brokenSnapshots,
        });
        await options.onProgress?.(row);
        if (options.deleteOrphanedFiles && result.orphans.length > 0) {
          const byDir = new Map<string, string[]>();
          for (const path of result.orphans) {
            const slash = path.lastIndexOf("/");
            const dir = `${nodeDir}/${path.slice(0, slash)}`;
            byDir.set(dir, [...(byDir.get(dir) ?? []), path.slice(slash + 1)]);
          }
          for (const [dir, names] of byDir) {
            for (let i = 0; i < names.length; i += 1000) {
              row.deleted_files += await access.client.deletePaths(
                t.host,
                locationRemotePath(t.location, dir),
                names.slice(i, i + 1000),
              );
            }
          }
        }
        row.completed_at = new Date(now()).toISOString();
        await options.onProgress?.(row);
        for (const tag of result.brokenSnapshots) broken.add(tag);
        orphanedTotal += result.orphanedFiles;
      }
    }),
  );

  const brokenSnapshots = [...broken].sort();
  const messages: string[] = [];
  if (brokenSnapshots.length > 0) messages.push(`broken snapshots: ${brokenSnapshots.join(", ")}`);
  if (!options.deleteOrphanedFiles && orphanedTotal > 0) messages.push("orphaned files");
  if (messages.length > 0)
    throw new ValidateFailedError(messages.join(" and "), { rows, brokenSnapshots, orphanedFiles: orphanedTotal });
  return { rows, brokenSnapshots, orphanedFiles: orphanedTotal };
}

/** The run's failure, carrying what was found. */
export class ValidateFailedError extends Error {
  readonly result: ValidateResult;

  constructor(message: string, result: ValidateResult) {
    super(message);
    this.name = "ValidateFailedError";
    this.result = result;
  }
}
