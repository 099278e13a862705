/**
 * The v2 manifest (SM's `backupspec.ManifestContentWithIndex`): one gzip JSON file per node and snapshot. Field
 * names are SM's wire names. Readers are lenient (older v2 manifests lack `scylla_version`, `rack`,
 * `replication_type`, `scylla_manifests`...: absent fields get Go's zero values); tokens are int64 and therefore
 * bigint here (a JS number loses them).
 * @module
 */

/** Cloud instance details (both omitted when empty, as SM's `omitempty`). */
export interface InstanceDetails {
  cloud_provider?: string;
  instance_type?: string;
}

/** SSTables of one table of one node (SM's `FilesMeta`). */
export interface FilesMeta {
  keyspace: string;
  table: string;
  /** `"vnodes"` or `"tablets"`; "" in older manifests. */
  replication_type: string;
  /** Table schema id, 32 lowercase hex digits: the sst dir name. */
  version: string;
  /** Component file names (never versioned names, never Scylla manifests); null as Go's nil slice. */
  files: string[] | null;
  /** Sum of the files' sizes, bytes. */
  size: number;
  /** Scylla's renamed snapshot manifests `tag_<tag>_node_<node>_manifest.json`; null when absent. */
  scylla_manifests: string[] | null;
  /** Only in API answers of `backup files`: the sst version dir. Omitted when empty. */
  path?: string;
}

/** Everything of a manifest but its index. */
export interface ManifestHeader {
  /** Always `"v2"`. */
  version: string;
  scylla_version: string;
  cluster_name: string;
  ip: string;
  /** Sum of the index sizes, bytes. */
  size: number;
  /** The node's tokens; null as Go's nil slice. */
  tokens: bigint[] | null;
  /** Bucket-relative path of the CQL schema file; "" when the schema was skipped. */
  schema: string;
  rack: string;
  shard_count: number;
  cpu_count: number;
  /** Disk bytes of the node. */
  storage_size: number;
  instance_details: InstanceDetails;
  dc: string;
  cluster_id: string;
  node_id: string;
  task_id: string;
  snapshot_tag: string;
}

/** A whole manifest. */
export interface Manifest extends ManifestHeader {
  index: FilesMeta[] | null;
}

/** Go's zero UUID, what an absent `cluster_id`/`task_id` decodes to. */
const NIL = "00000000-0000-0000-0000-000000000000";

/** A header with every field at its zero value (as Go decodes `{}`). */
export function emptyManifestHeader(): ManifestHeader {
  return {
    version: "",
    scylla_version: "",
    cluster_name: "",
    ip: "",
    size: 0,
    tokens: null,
    schema: "",
    rack: "",
    shard_count: 0,
    cpu_count: 0,
    storage_size: 0,
    instance_details: {},
    dc: "",
    cluster_id: NIL,
    node_id: "",
    task_id: NIL,
    snapshot_tag: "",
  };
}

/** Sets one decoded header field, with Go's lenience (unknown keys ignored, null → zero value). */
export function setHeaderField(header: ManifestHeader, key: string, value: unknown): void {
  switch (key) {
    case "version":
    case "scylla_version":
    case "cluster_name":
    case "ip":
    case "schema":
    case "rack":
    case "dc":
    case "node_id":
    case "snapshot_tag":
      header[key] = str(value, key);
      break;
    case "cluster_id":
    case "task_id":
      header[key] = value === null ? NIL : str(value, key).toLowerCase();
      break;
    case "size":
    case "shard_count":
    case "cpu_count":
    case "storage_size":
      header[key] = num(value, key);
      break;
    case "tokens":
      header.tokens = value === null ? null : arr(value, key).map((t) => toBigInt(t, key));
      break;
    case "instance_details": {
      const details = value === null ? {} : obj(value, key);
      const out: InstanceDetails = {};
      if (typeof details.cloud_provider === "string" && details.cloud_provider !== "") {
        out.cloud_provider = details.cloud_provider;
      }
      if (typeof details.instance_type === "string" && details.instance_type !== "") {
        out.instance_type = details.instance_type;
      }
      header.instance_details = out;
      break;
    }
    default:
      break;
  }
}

/** Converts one decoded index entry (lenient, as Go). */
export function toFilesMeta(value: unknown): FilesMeta {
  const o = obj(value, "index[]");
  const meta: FilesMeta = {
    keyspace: str(o.keyspace ?? "", "keyspace"),
    table: str(o.table ?? "", "table"),
    replication_type: str(o.replication_type ?? "", "replication_type"),
    version: str(o.version ?? "", "version"),
    files: o.files == null ? null : arr(o.files, "files").map((f) => str(f, "files[]")),
    size: num(o.size ?? 0, "size"),
    scylla_manifests:
      o.scylla_manifests == null
        ? null
        : arr(o.scylla_manifests, "scylla_manifests").map((f) => str(f, "scylla_manifests[]")),
  };
  if (typeof o.path === "string" && o.path !== "") meta.path = o.path;
  return meta;
}

/** Builds a manifest from a plain decoded object (the in-memory path; see decodeManifest for bytes). */
export function toManifest(value: unknown): Manifest {
  const o = obj(value, "manifest");
  const header = emptyManifestHeader();
  for (const [key, field] of Object.entries(o)) setHeaderField(header, key, field);
  const index = o.index == null ? null : arr(o.index, "index").map(toFilesMeta);
  return { ...header, index };
}

/** The header part of a manifest (a copy without the index). */
export function manifestHeaderOf(manifest: Manifest): ManifestHeader {
  const { index: _index, ...header } = manifest;
  return header;
}

/** A manifest decode problem: the field and what was found. */
export class ManifestFormatError extends Error {}

function str(value: unknown, key: string): string {
  if (value === null) return "";
  if (typeof value !== "string") throw new ManifestFormatError(`manifest field ${key}: expected a string`);
  return value;
}

function num(value: unknown, key: string): number {
  if (value === null) return 0;
  if (typeof value === "bigint") return Number(value);
  if (typeof value !== "number") throw new ManifestFormatError(`manifest field ${key}: expected a number`);
  return value;
}

function toBigInt(value: unknown, key: string): bigint {
  if (typeof value === "bigint") return value;
  if (typeof value === "number" && Number.isInteger(value)) return BigInt(value);
  throw new ManifestFormatError(`manifest field ${key}: expected integers`);
}

function arr(value: unknown, key: string): unknown[] {
  if (!Array.isArray(value)) throw new ManifestFormatError(`manifest field ${key}: expected an array`);
  return value;
}

function obj(value: unknown, key: string): Record<string, unknown> {
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    throw new ManifestFormatError(`manifest field ${key}: expected an object`);
  }
  return value as Record<string, unknown>;
}
