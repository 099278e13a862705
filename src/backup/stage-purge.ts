/**
 * PURGE (SM's `worker_purge.go` + `purge.go`): the run's local snapshots are dropped on every host, then every
 * manifest of the cluster in each location the run used is read, stale tags are decided per task (`purge.ts`),
 * and per node directory the unreferenced SSTables, old versioned files, stale schema files and finally the stale
 * manifests are deleted — SSTables before their manifest, so a crash leaves a stale manifest, never a kept one
 * pointing at a missing file.
 * @module
 */
import type { RcloneClient } from "../clients/agent/rclone.ts";
import { deleteSnapshot } from "../clients/scylla/snapshots.ts";
import type { Logger } from "../util/log.ts";
import {
  decodeManifest,
  type Location,
  listManifests,
  type ManifestPathInfo,
  manifestPath,
  sstNodeDir as nodeDir,
  locationRemotePath as remotePath,
  tempPath,
} from "./layout/index.ts";

function manifestPathOfInfo(info: ManifestPathInfo): string {
  const path = manifestPath(info.clusterId, info.dc, info.nodeId, info.taskId, info.snapshotTag);
  return info.temporary ? tempPath(path) : path;
}

import type { RetentionPolicy } from "./properties.ts";
import { type PurgeManifest, planNodePurge, protectedTags, staleSchemaFiles, staleTags } from "./purge.ts";
import { inParallel, type RunEnv } from "./worker.ts";

/** Inputs of a retention purge of one location. */
export interface PurgeLocationInput {
  rclone: RcloneClient;
  /** Host whose agent reaches the location. */
  host: string;
  location: Location;
  clusterId: string;
  policyOf(taskId: string): RetentionPolicy | undefined;
  nowMs: number;
  signal?: AbortSignal;
  logger?: Logger;
}

/** What a purge deleted. */
export interface PurgeResult {
  staleTags: string[];
  deletedFiles: number;
  deletedManifests: number;
}

/** Every manifest of the cluster in the location, with its index. */
export async function loadManifests(
  rclone: RcloneClient,
  host: string,
  location: Location,
  clusterId: string,
  signal?: AbortSignal,
): Promise<PurgeManifest[]> {
  const reader = {
    list: (h: string, path: string, options?: Parameters<RcloneClient["list"]>[2]) =>
      rclone.list(h, path, options, { signal }),
    cat: (h: string, path: string) => rclone.cat(h, path, { signal }),
  };
  const infos = await listManifests(reader, host, location, { clusterId, lockInfo: true });
  const out: PurgeManifest[] = [];
  await inParallel(infos, 16, async (info) => {
    const content = await decodeManifest(await reader.cat(host, remotePath(location, info.path)));
    out.push({ info, index: content.index ?? [], schema: content.schema });
  });
  return out;
}

/** Retention purge of one location. */
export async function purgeLocation(input: PurgeLocationInput): Promise<PurgeResult> {
  const { rclone, host, location, signal } = input;
  const manifests = await loadManifests(rclone, host, location, input.clusterId, signal);
  const protect = protectedTags(manifests, input.nowMs);
  const { stale } = staleTags(manifests, input.policyOf, input.nowMs, protect);
  if (protect.size > 0) input.logger?.info("purge: protected snapshots are kept", { tags: [...protect].sort() });
  const byNode = new Map<string, PurgeManifest[]>();
  for (const m of manifests) {
    const key = `${m.info.dc}/${m.info.nodeId}`;
    const list = byNode.get(key) ?? [];
    list.push(m);
    byNode.set(key, list);
  }
  let deletedFiles = 0;
  let deletedManifests = 0;
  for (const list of byNode.values()) {
    const node = list[0]?.info;
    if (!node) continue;
    const dir = nodeDir(node.clusterId, node.dc, node.nodeId);
    const versioned = (
      await rclone.list(
        host,
        remotePath(location, dir),
        { recurse: true, filesOnly: true, versionedOnly: true },
        { signal },
      )
    ).map((item) => item.Path);
    const plan = planNodePurge(list, stale, versioned);
    await inParallel([...plan.files], 100, async ([sstDir, names]) => {
      deletedFiles += await rclone.deletePaths(host, remotePath(location, sstDir), names, { signal });
    });
    for (const m of plan.manifests) {
      if (await rclone.deleteFile(host, remotePath(location, manifestPathOfInfo(m.info)), { signal }))
        deletedManifests++;
    }
  }
  for (const schema of staleSchemaFiles(manifests, stale)) {
    await rclone.deleteFile(host, remotePath(location, schema), { signal });
  }
  return { staleTags: [...stale].sort(), deletedFiles, deletedManifests };
}

export async function purgeStage(
  env: RunEnv,
  policyOf: (taskId: string) => RetentionPolicy | undefined,
): Promise<void> {
  const tag = env.run.snapshot_tag;
  await Promise.all(
    env.hosts.map((h) =>
      deleteSnapshot(env.cluster.scylla, h.ip, tag, undefined, [], { signal: env.signal }).catch((error) =>
        env.logger.warn("delete local snapshot", { host: h.ip, tag, error: String(error) }),
      ),
    ),
  );
  const byLocation = new Map<string, { host: string; location: Location }>();
  for (const h of env.hosts) {
    const key = remotePath(h.location, "");
    if (!byLocation.has(key)) byLocation.set(key, { host: h.ip, location: h.location });
  }
  for (const { host, location } of byLocation.values()) {
    const result = await purgeLocation({
      rclone: env.rclone,
      host,
      location,
      clusterId: env.clusterId,
      policyOf,
      nowMs: Date.now(),
      signal: env.signal,
      logger: env.logger,
    });
    env.metrics?.purge(env.clusterId, host, result.deletedFiles);
    env.logger.info("purge", { location: remotePath(location, ""), ...result });
  }
}
