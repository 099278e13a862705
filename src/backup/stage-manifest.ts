/**
 * MANIFEST, SCHEMA and MOVE_MANIFEST (SM's `worker_manifest.go`, `worker_schema.go`, `service.go`): the temp
 * manifest (`.tmp`, listing every file of the snapshot) is in the bucket before any SSTable is uploaded; Scylla's
 * per-table `manifest.json` moves beside the SSTables as `tag_<tag>_node_<id>_manifest.json`; the schema file goes
 * once to each distinct location; after the upload every temp manifest is promoted, all or nothing.
 * @module
 */
import { isNotFound } from "../clients/agent/rclone.ts";
import {
  encodeManifest,
  type FilesMeta,
  manifestPath as layoutManifestPath,
  type Manifest,
  locationRemotePath as remotePath,
  schemaPath,
  scyllaManifestName,
  sstVersionDir,
  tempPath,
} from "./layout/index.ts";
import { mapLimit } from "./read/access.ts";
import { type HostInfo, inParallel, onHost, type RunEnv } from "./worker.ts";

/** SM builds at most this many manifests at once (`MaxManifestInMemory`). */
const MAX_MANIFESTS_IN_MEMORY = 12;
/** Scylla manifests of one host moved to the location at once. */
const SCYLLA_MANIFEST_MOVES_AT_ONCE = 8;

export function manifestPath(env: RunEnv, h: HostInfo, temp: boolean): string {
  const path = layoutManifestPath(env.clusterId, h.dc, h.hostId, env.taskId, env.run.snapshot_tag);
  return remotePath(h.location, temp ? tempPath(path) : path);
}

async function buildManifest(env: RunEnv, h: HostInfo, tabletKeyspaces: ReadonlySet<string>): Promise<Manifest> {
  const { scylla, agent } = env.cluster;
  const call = { signal: env.signal };
  const info = h.nodeInfo ?? (await env.cluster.nodeInfo(h.ip));
  const [tokens, rack, shards, cloud] = await Promise.all([
    scylla.tokens(h.ip, { ...call, host: h.ip }),
    scylla.rack(h.ip, call).catch(() => ""),
    scylla.shardCount(h.ip, call).catch(() => 0),
    agent.cloudMetadata(h.ip, { ...call, noRetry: true }).catch(() => ({ cloud_provider: "", instance_type: "" })),
  ]);
  const index: FilesMeta[] = (env.dirs.get(h.ip) ?? []).map((dir) => ({
    keyspace: dir.keyspace,
    table: dir.table,
    replication_type: tabletKeyspaces.has(dir.keyspace) ? "tablets" : "vnodes",
    version: dir.version,
    files: dir.files.map((f) => f.name),
    size: dir.files.reduce((sum, f) => sum + f.size, 0),
    scylla_manifests: dir.scyllaManifests.length > 0 ? [scyllaManifestName(env.run.snapshot_tag, h.hostId)] : null,
  }));
  const instance: Manifest["instance_details"] = {};
  if (cloud.cloud_provider) instance.cloud_provider = cloud.cloud_provider;
  if (cloud.instance_type) instance.instance_type = cloud.instance_type;
  return {
    version: "v2",
    scylla_version: info.scylla_version,
    cluster_name: env.cluster.clusterName,
    ip: h.ip,
    size: index.reduce((sum, meta) => sum + meta.size, 0),
    tokens: tokens.map((t) => BigInt(t)),
    schema: env.skipSchema || !env.schema ? "" : schemaPath(env.clusterId, env.taskId, env.run.snapshot_tag),
    rack,
    shard_count: shards,
    cpu_count: info.cpu_count,
    storage_size: info.storage_size,
    instance_details: instance,
    dc: h.dc,
    cluster_id: env.clusterId,
    node_id: h.hostId,
    task_id: env.taskId,
    snapshot_tag: env.run.snapshot_tag,
    index,
  };
}

export async function manifestStage(env: RunEnv): Promise<void> {
  const tabletKeyspaces = new Set(
    await env.cluster.scylla.keyspaces({ type: "all", replication: "tablets" }, { signal: env.signal }).catch(() => []),
  );
  await inParallel(env.hosts, MAX_MANIFESTS_IN_MEMORY, (h) =>
    onHost(h.ip, () => uploadManifests(env, h, tabletKeyspaces), env.signal),
  );
}

/** The temp manifest of one host, then Scylla's manifests renamed for the tag (SM's order). */
async function uploadManifests(env: RunEnv, h: HostInfo, tabletKeyspaces: ReadonlySet<string>): Promise<void> {
  const content = await buildManifest(env, h, tabletKeyspaces);
  await env.rclone.put(h.ip, manifestPath(env, h, true), await encodeManifest(content), { signal: env.signal });
  // One move per table dir, a few at once (each is an agent round trip that waits on the location).
  await mapLimit(env.dirs.get(h.ip) ?? [], SCYLLA_MANIFEST_MOVES_AT_ONCE, async (dir) => {
    for (const name of dir.scyllaManifests) {
      const dst = remotePath(
        h.location,
        `${sstVersionDir(env.clusterId, h.dc, h.hostId, dir.keyspace, dir.table, dir.version)}/${scyllaManifestName(env.run.snapshot_tag, h.hostId)}`,
      );
      await env.rclone.moveFile(h.ip, `data:${dir.path}/${name}`, dst, { signal: env.signal });
    }
    dir.scyllaManifests = [];
  });
}

/** SCHEMA: the schema dump, once per distinct location (uploaded from a host of that location). */
export async function schemaStage(env: RunEnv): Promise<void> {
  const schema = env.schema;
  if (env.skipSchema || !schema) return;
  const done = new Set<string>();
  for (const h of env.hosts) {
    const target = remotePath(h.location, schemaPath(env.clusterId, env.taskId, env.run.snapshot_tag));
    if (done.has(target)) continue;
    done.add(target);
    await env.rclone.put(h.ip, target, schema, { signal: env.signal });
  }
}

/** MOVE_MANIFEST: `.tmp` → final on every host; any failure moves the promoted ones back, then fails. */
export async function moveManifestStage(env: RunEnv): Promise<void> {
  const moved: HostInfo[] = [];
  try {
    await inParallel(env.hosts, 0, async (h) => {
      const tmp = manifestPath(env, h, true);
      const final = manifestPath(env, h, false);
      try {
        await env.rclone.moveFile(h.ip, tmp, final, { signal: env.signal });
      } catch (error) {
        // Resume: the source is gone because the previous run moved it already.
        if (!isNotFound(error) || !(await exists(env, h, final))) throw error;
      }
      moved.push(h);
    });
  } catch (error) {
    await Promise.allSettled(
      moved.map((h) => env.rclone.moveFile(h.ip, manifestPath(env, h, false), manifestPath(env, h, true))),
    );
    throw error;
  }
}

async function exists(env: RunEnv, h: HostInfo, path: string): Promise<boolean> {
  const slash = path.lastIndexOf("/");
  const items = await env.rclone.list(h.ip, path.slice(0, slash), { filesOnly: true }, { signal: env.signal });
  return items.some((item) => item.Name === path.slice(slash + 1));
}
