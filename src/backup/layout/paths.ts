/**
 * SM's bucket layout (`backupspec/paths.go`), relative to the bucket root:
 *
 * ```
 * backup/meta/cluster/<cluster>/dc/<dc>/node/<node>/task_<task>_tag_<tag>_manifest.json.gz[.tmp]
 * backup/schema/cluster/<cluster>/task_<task>_tag_<tag>_schema_with_internals.json.gz
 * backup/schema/cluster/<cluster>/task_<task>_tag_<tag>_alternator_schema.json.gz
 * backup/schema/cluster/<cluster>/task_<task>_tag_<tag>_schema.tar.gz            (legacy, only deleted)
 * backup/sst/cluster/<cluster>/dc/<dc>/node/<node>/keyspace/<ks>/table/<table>/<version>/<files>
 * backup/sst/.../<version>/tag_<tag>_node_<node>_manifest.json                   (Scylla's manifest, renamed)
 * ```
 *
 * plus the strict manifest-path parser: anything that is not exactly a manifest path (`.version` files, v1
 * manifests) is not a manifest, and listings skip it silently.
 * @module
 */
import { isUuid } from "../../util/uuid.ts";
import { isSnapshotTag } from "./tags.ts";

/** Name of an SM manifest file (SM's `backupspec.Manifest`). */
export const MANIFEST_FILE = "manifest.json.gz";
/** Suffix of temporary files (a manifest while its snapshot is uploading). */
export const TEMP_SUFFIX = ".tmp";
/** CQL schema file suffix (Scylla >= 6.0). */
export const SCHEMA_FILE = "schema_with_internals.json.gz";
/** Legacy schema archive suffix; never written, only deleted by purge. */
export const UNSAFE_SCHEMA_FILE = "schema.tar.gz";
/** Alternator schema file suffix. */
export const ALTERNATOR_SCHEMA_FILE = "alternator_schema.json.gz";
/** Scylla's own snapshot manifest in a local snapshot dir. */
export const SCYLLA_MANIFEST_FILE = "manifest.json";
/** Scylla's schema file in a local snapshot dir (SM deletes it before listing). */
export const SCYLLA_SCHEMA_FILE = "schema.cql";
/** The agent's remote for the node's Scylla data directory. */
export const DATA_FS = "data:";
/** Root of everything SM writes in a bucket. */
export const BACKUP_DIR = "backup";
/** `backup/meta`: every manifest lives below it. */
export const META_DIR = "backup/meta";
/** `backup/schema`. */
export const SCHEMA_DIR = "backup/schema";
/** `backup/sst`. */
export const SST_DIR = "backup/sst";

/** `backup/meta/cluster/<cluster>`. */
export function metaClusterDir(clusterId: string): string {
  return `${META_DIR}/cluster/${clusterId}`;
}

/** `backup/meta/cluster/<cluster>/dc/<dc>/node/<node>`. */
export function metaNodeDir(clusterId: string, dc: string, nodeId: string): string {
  return `${metaClusterDir(clusterId)}/dc/${dc}/node/${nodeId}`;
}

/** `task_<task>_tag_<tag>_manifest.json.gz`. */
export function manifestFileName(taskId: string, tag: string): string {
  return `task_${taskId}_tag_${tag}_${MANIFEST_FILE}`;
}

/** Path of a node's manifest of one snapshot (add TEMP_SUFFIX for the temporary one). */
export function manifestPath(clusterId: string, dc: string, nodeId: string, taskId: string, tag: string): string {
  return `${metaNodeDir(clusterId, dc, nodeId)}/${manifestFileName(taskId, tag)}`;
}

/** `<file>.tmp`. */
export function tempPath(path: string): string {
  return path + TEMP_SUFFIX;
}

/** `backup/schema/cluster/<cluster>`. */
export function schemaDir(clusterId: string): string {
  return `${SCHEMA_DIR}/cluster/${clusterId}`;
}

/** `backup/schema/cluster/<cluster>/task_<task>_tag_<tag>_schema_with_internals.json.gz`. */
export function schemaPath(clusterId: string, taskId: string, tag: string): string {
  return `${schemaDir(clusterId)}/task_${taskId}_tag_${tag}_${SCHEMA_FILE}`;
}

/** The legacy `..._schema.tar.gz` of a snapshot. */
export function unsafeSchemaPath(clusterId: string, taskId: string, tag: string): string {
  return `${schemaDir(clusterId)}/task_${taskId}_tag_${tag}_${UNSAFE_SCHEMA_FILE}`;
}

/** `backup/schema/cluster/<cluster>/task_<task>_tag_<tag>_alternator_schema.json.gz`. */
export function alternatorSchemaPath(clusterId: string, taskId: string, tag: string): string {
  return `${schemaDir(clusterId)}/task_${taskId}_tag_${tag}_${ALTERNATOR_SCHEMA_FILE}`;
}

/** `backup/sst/cluster/<cluster>/dc/<dc>/node/<node>`. */
export function sstNodeDir(clusterId: string, dc: string, nodeId: string): string {
  return `${SST_DIR}/cluster/${clusterId}/dc/${dc}/node/${nodeId}`;
}

/** `.../node/<node>/keyspace/<ks>/table/<table>`. */
export function sstTableDir(clusterId: string, dc: string, nodeId: string, keyspace: string, table: string): string {
  return `${sstNodeDir(clusterId, dc, nodeId)}/keyspace/${keyspace}/table/${table}`;
}

/** `.../keyspace/<ks>/table/<table>/<version>`: where a table's SSTables of a node live. */
export function sstVersionDir(
  clusterId: string,
  dc: string,
  nodeId: string,
  keyspace: string,
  table: string,
  version: string,
): string {
  return `${sstTableDir(clusterId, dc, nodeId, keyspace, table)}/${version}`;
}

/** `tag_<tag>_node_<node>_manifest.json`: Scylla's snapshot manifest renamed into the sst dir. */
export function scyllaManifestName(tag: string, nodeId: string): string {
  return `tag_${tag}_node_${nodeId}_${SCYLLA_MANIFEST_FILE}`;
}

/** `data:<ks>/<table>-<version>/snapshots/<tag>`: a table's local snapshot dir on a node. */
export function localSnapshotDir(keyspace: string, table: string, version: string, tag: string): string {
  return `${DATA_FS}${keyspace}/${table}-${version}/snapshots/${tag}`;
}

/** `data:<ks>/<table>-<version>/upload`: a table's restore staging dir on a node. */
export function localUploadDir(keyspace: string, table: string, version: string): string {
  return `${DATA_FS}${keyspace}/${table}-${version}/upload`;
}

/** A local table dir name `<table>-<32 hex>` split; undefined for anything else. */
export function parseTableDirName(name: string): { table: string; version: string } | undefined {
  const match = /^([A-Za-z0-9_.-]+)-([a-f0-9]{32})$/.exec(name);
  if (match === null) return undefined;
  return { table: match[1] as string, version: match[2] as string };
}

/** What a manifest path names. */
export interface ManifestPathInfo {
  clusterId: string;
  dc: string;
  nodeId: string;
  taskId: string;
  snapshotTag: string;
  /** The `.tmp` manifest of a snapshot still uploading (or of a failed run). */
  temporary: boolean;
}

/**
 * Parses a manifest path relative to the bucket root (leading `/` and `.`/empty segments tolerated as Go's
 * path.Clean does). Undefined when the path is not exactly an SM v2 manifest path.
 */
export function parseManifestPath(path: string): ManifestPathInfo | undefined {
  const parts = path.split("/").filter((s) => s !== "" && s !== ".");
  if (parts.length !== 9) return undefined;
  const [backup, meta, cluster, clusterId, dcKey, dc, nodeKey, nodeId, file] = parts as [
    string,
    string,
    string,
    string,
    string,
    string,
    string,
    string,
    string,
  ];
  if (backup !== "backup" || meta !== "meta" || cluster !== "cluster" || dcKey !== "dc" || nodeKey !== "node") {
    return undefined;
  }
  if (!isUuid(clusterId)) return undefined;
  const name = parseManifestFileName(file);
  if (name === undefined) return undefined;
  return { clusterId: clusterId.toLowerCase(), dc, nodeId, ...name };
}

/** Parses `task_<uuid>_tag_sm_<14 digits>UTC_manifest.json.gz[.tmp]`. */
export function parseManifestFileName(
  file: string,
): { taskId: string; snapshotTag: string; temporary: boolean } | undefined {
  const parts = file.split("_");
  if (parts.length !== 6) return undefined;
  const [task, taskId, tag, sm, stamp, rest] = parts as [string, string, string, string, string, string];
  if (task !== "task" || tag !== "tag" || sm !== "sm" || !isUuid(taskId)) return undefined;
  const snapshotTag = `sm_${stamp}`;
  if (!isSnapshotTag(snapshotTag)) return undefined;
  if (rest !== MANIFEST_FILE && rest !== tempPath(MANIFEST_FILE)) return undefined;
  return { taskId: taskId.toLowerCase(), snapshotTag, temporary: rest !== MANIFEST_FILE };
}

/** Parses a schema file name `task_<task>_tag_<tag>_(schema_with_internals|alternator_schema).json.gz`. */
export function parseSchemaFileName(
  file: string,
): { taskId: string; snapshotTag: string; kind: "cql" | "alternator" } | undefined {
  const kind = file.endsWith(`_${SCHEMA_FILE}`)
    ? "cql"
    : file.endsWith(`_${ALTERNATOR_SCHEMA_FILE}`)
      ? "alternator"
      : undefined;
  if (kind === undefined) return undefined;
  const match = /^task_(.*)_tag_(.*)_/.exec(
    file.slice(0, file.length - (kind === "cql" ? SCHEMA_FILE : ALTERNATOR_SCHEMA_FILE).length),
  );
  if (match === null) return undefined;
  const [taskId, snapshotTag] = [match[1] as string, match[2] as string];
  if (!isUuid(taskId) || !isSnapshotTag(snapshotTag)) return undefined;
  return { taskId: taskId.toLowerCase(), snapshotTag, kind };
}
