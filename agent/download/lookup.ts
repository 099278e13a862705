/**
 * Finding manifests in a location for `download-files` (SM's `pkg/downloader/lookup.go`): every regular (not
 * temporary) manifest under `backup/meta`, read through the agent's storage backend with the layout codec.
 * @module
 */
import type { Readable } from "node:stream";
import {
  decodeManifest,
  type FilesMeta,
  type ListedObject,
  type Location,
  type Manifest,
  type ManifestHeader,
  type ManifestInfo,
  META_DIR,
  manifestsFromListing,
  readManifest,
  sortManifests,
} from "../../src/backup/layout/index.ts";
import { keyspaceFilter } from "../../src/util/inexlist.ts";
import { type Backend, NotFoundBackendError } from "../providers/provider.ts";

/** A location as the downloader reads it: the backend of its provider and the bucket. */
export interface SourceLocation {
  backend: Backend;
  location: Location;
}

/** Every regular manifest of the location, in path order (a location without `backup/meta` has none). */
export async function listRegularManifests(source: SourceLocation): Promise<ManifestInfo[]> {
  const items: ListedObject[] = [];
  try {
    for await (const e of source.backend.list(`${source.location.bucket}/${META_DIR}`, {
      recurse: true,
      filesOnly: true,
    })) {
      items.push({ Path: e.path, Size: e.size, IsDir: e.isDir });
    }
  } catch (error) {
    if (!(error instanceof NotFoundBackendError)) throw error;
  }
  return sortManifests(manifestsFromListing(source.location, META_DIR, items).filter((m) => !m.temporary));
}

function open(source: SourceLocation, info: ManifestInfo): Promise<Readable> {
  return source.backend.read(`${source.location.bucket}/${info.path}`);
}

/** A manifest's header (the index streams by and is dropped, or handed to `onIndex`). */
export async function readHeader(
  source: SourceLocation,
  info: ManifestInfo,
  onIndex?: (meta: FilesMeta) => void,
): Promise<ManifestHeader> {
  return (await readManifest(await open(source, info), onIndex)).header;
}

/** A whole manifest, index included. */
export async function readWholeManifest(source: SourceLocation, info: ManifestInfo): Promise<Manifest> {
  return decodeManifest(await open(source, info));
}

/** One node as `--list-nodes` shows it. */
export interface NodeInfo {
  clusterId: string;
  clusterName: string;
  dc: string;
  nodeId: string;
  ip: string;
}

/** Every node that has a manifest, one entry per node ID, sorted by cluster ID, DC, IP and node ID. */
export async function listNodes(source: SourceLocation): Promise<NodeInfo[]> {
  const seen = new Set<string>();
  const nodes: NodeInfo[] = [];
  for (const info of await listRegularManifests(source)) {
    if (seen.has(info.nodeId)) continue;
    const header = await readHeader(source, info);
    seen.add(info.nodeId);
    nodes.push({
      clusterId: info.clusterId,
      clusterName: header.cluster_name,
      dc: info.dc,
      nodeId: info.nodeId,
      ip: header.ip,
    });
  }
  const cmp = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
  return nodes.sort(
    (a, b) => cmp(a.clusterId, b.clusterId) || cmp(a.dc, b.dc) || cmp(a.ip, b.ip) || cmp(a.nodeId, b.nodeId),
  );
}

/**
 * Snapshot tags of a node, newest first; with keyspace patterns only snapshots holding a matching table (each
 * manifest is read then).
 */
export async function listNodeSnapshots(
  source: SourceLocation,
  nodeId: string,
  keyspace: readonly string[] | undefined,
): Promise<string[]> {
  const filter = keyspace === undefined ? undefined : keyspaceFilter(keyspace);
  const tags: string[] = [];
  for (const info of await listRegularManifests(source)) {
    if (info.nodeId !== nodeId) continue;
    if (filter !== undefined) {
      let any = false;
      await readHeader(source, info, (meta) => {
        any ||= filter.matches(`${meta.keyspace}.${meta.table}`);
      });
      if (!any) continue;
    }
    tags.push(info.snapshotTag);
  }
  return tags.sort((a, b) => (a < b ? 1 : a > b ? -1 : 0));
}

/** A manifest as read (`content`) and with the node's identity taken from its path (`manifest`). */
export interface FoundManifest {
  info: ManifestInfo;
  /** The file's content as stored (what `--dump-manifest` prints). */
  content: Manifest;
  /**
   * The content with cluster, DC, node, task and snapshot tag from the manifest's path, as SM's
   * `ManifestInfoWithContent` uses them (older manifests lack some of these fields in their content).
   */
  manifest: Manifest;
}

/** The manifest of a node and snapshot tag (the first in path order); throws "no manifests found". */
export async function lookupManifest(
  source: SourceLocation,
  nodeId: string,
  snapshotTag: string,
): Promise<FoundManifest> {
  const info = (await listRegularManifests(source)).find((m) => m.nodeId === nodeId && m.snapshotTag === snapshotTag);
  if (info === undefined) throw new Error("lookup manifest: no manifests found");
  const content = await readWholeManifest(source, info);
  const manifest: Manifest = {
    ...content,
    cluster_id: info.clusterId,
    dc: info.dc,
    node_id: info.nodeId,
    task_id: info.taskId,
    snapshot_tag: info.snapshotTag,
  };
  return { info, content, manifest };
}
