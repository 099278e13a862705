/**
 * The `1_1_restore` task (SM's `pkg/service/one2onerestore/model.go`): its properties, their validation with SM's
 * messages (the node mapping must be a bijection consistent at DC and DC/rack level), and the persisted shapes:
 * `one2onerestore_run_table_progress` (one row per host and table) and `one2onerestore_run_view_progress`.
 * @module
 */
import * as v from "valibot";
import { type Location, parseLocation } from "../../backup/layout/location.ts";
import { isSnapshotTag } from "../../backup/layout/tags.ts";
import { ValidationError } from "../../errors.ts";

const NodeSchema = v.object({
  dc: v.optional(v.string(), ""),
  rack: v.optional(v.string(), ""),
  host_id: v.optional(v.string(), ""),
});
const NodeMappingSchema = v.object({ source: NodeSchema, target: NodeSchema });

/** Task properties as stored and sent by sctool (SM's JSON names). */
export const One2OnePropertiesSchema = v.object({
  location: v.optional(v.nullable(v.array(v.string())), null),
  keyspace: v.optional(v.nullable(v.array(v.string())), null),
  source_cluster_id: v.optional(v.string(), ""),
  snapshot_tag: v.optional(v.string(), ""),
  nodes_mapping: v.optional(v.nullable(v.array(NodeMappingSchema)), null),
  unpin_agent_cpu: v.optional(v.boolean(), false),
});
export type One2OneProperties = v.InferOutput<typeof One2OnePropertiesSchema>;

/** One node of a mapping side. */
export type MappedNode = v.InferOutput<typeof NodeSchema>;
/** Source node → target node. */
export type NodeMapping = v.InferOutput<typeof NodeMappingSchema>;

/** Validated properties. */
export interface One2OneTarget {
  locations: Location[];
  /** Keyspace names (SM allows only existing keyspace names, or the default `*`). */
  keyspace: string[];
  sourceClusterId: string;
  snapshotTag: string;
  nodesMapping: NodeMapping[];
  unpinAgentCpu: boolean;
}

const NIL_UUID = "00000000-0000-0000-0000-000000000000";
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

const invalid = (message: string) => new ValidationError(`invalid target: ${message}`);

/**
 * Parses properties onto SM's defaults and checks what needs no cluster (location given, tag format, source
 * cluster id, the mapping's shape); the keyspace names are checked against the cluster by {@link checkKeyspaceFilter}.
 */
export function parseOne2OneProperties(value: unknown): One2OneTarget {
  const parsed = v.safeParse(One2OnePropertiesSchema, value ?? {});
  if (!parsed.success) {
    const issue = parsed.issues[0];
    const key = issue?.path?.map((p) => String(p.key)).join(".") ?? "";
    throw new ValidationError(`invalid 1_1_restore properties: ${key ? `${key}: ` : ""}${issue?.message ?? ""}`);
  }
  const p = parsed.output;
  if (!p.location || p.location.length === 0) throw invalid("missing location");
  const locations = p.location.map(parseLocation);
  if (!isSnapshotTag(p.snapshot_tag)) throw invalid(`unexpected snapshot-tag format: ${p.snapshot_tag}`);
  const sourceClusterId = p.source_cluster_id.trim().toLowerCase();
  if (sourceClusterId === "" || sourceClusterId === NIL_UUID) throw invalid("source cluster id is empty");
  if (!UUID.test(sourceClusterId)) throw invalid(`source cluster id is not a UUID: ${p.source_cluster_id}`);
  const nodesMapping = p.nodes_mapping ?? [];
  const mappingError = nodesMappingError(nodesMapping);
  if (mappingError) throw invalid(`nodes mapping: ${mappingError}`);
  return {
    locations,
    keyspace: p.keyspace && p.keyspace.length > 0 ? p.keyspace : ["*"],
    sourceClusterId,
    snapshotTag: p.snapshot_tag,
    nodesMapping,
    unpinAgentCpu: p.unpin_agent_cpu,
  };
}

/** 1-1 restore takes keyspace names only (no `ks.table`, no globs), each existing in the cluster, or the default `*`. */
export function checkKeyspaceFilter(filter: readonly string[], clusterKeyspaces: readonly string[]): void {
  if (filter.length === 1 && filter[0] === "*") return;
  for (const ks of filter) {
    if (!clusterKeyspaces.includes(ks)) {
      throw invalid(`keyspace filter: only existing keyspaces can be provided, but got: ${ks}`);
    }
  }
}

/**
 * SM's mapping rules, in SM's words: not empty; a source DC maps to one target DC and back (and likewise each
 * DC/rack pair); no host appears twice on either side. Undefined when the mapping is fine.
 */
export function nodesMappingError(mapping: readonly NodeMapping[]): string | undefined {
  if (mapping.length === 0) return "empty";
  const maps = {
    sourceDc: new Map<string, string>(),
    targetDc: new Map<string, string>(),
    sourceRack: new Map<string, string>(),
    targetRack: new Map<string, string>(),
  };
  const sourceHosts = new Set<string>();
  const targetHosts = new Set<string>();
  const check = (map: Map<string, string>, from: [string, string], to: [string, string]): string | undefined => {
    const key = JSON.stringify(from);
    const mapped = map.get(key);
    if (mapped === undefined) {
      map.set(key, JSON.stringify(to));
      return undefined;
    }
    if (mapped === JSON.stringify(to)) return undefined;
    const [dc, rack] = JSON.parse(mapped) as [string, string];
    return `${from[0]} ${from[1]} is already mapped to ${dc} ${rack}`;
  };
  for (const { source: s, target: t } of mapping) {
    const error =
      check(maps.sourceDc, [s.dc, ""], [t.dc, ""]) ??
      check(maps.targetDc, [t.dc, ""], [s.dc, ""]) ??
      check(maps.sourceRack, [s.dc, s.rack], [t.dc, t.rack]) ??
      check(maps.targetRack, [t.dc, t.rack], [s.dc, s.rack]);
    if (error) return error;
    if (sourceHosts.has(s.host_id)) return `host is already mapped: ${s.host_id}`;
    sourceHosts.add(s.host_id);
    if (targetHosts.has(t.host_id)) return `host is already mapped: ${t.host_id}`;
    targetHosts.add(t.host_id);
  }
  return undefined;
}

/** A target host of the run with what the workers need. */
export interface One2OneHost {
  /** Address the agent is reached at. */
  host: string;
  hostId: string;
  dc: string;
  shards: number;
  /** Scylla > 2025.2.0 (or a master build): refresh with `skip_cleanup` and `skip_reshape`. */
  skipCleanupAndReshape: boolean;
}

/** A view of a restored table (SM's `View`): dropped before the data, recreated after. */
export interface One2OneView {
  keyspace: string;
  /** For secondary indexes the index name. */
  view: string;
  type: "MaterializedView" | "SecondaryIndex";
  base_table: string;
  create_stmt: string;
}

/** `one2onerestore_run_table_progress` value: one table on one host. */
export interface TableProgressRow {
  started_at: string | null;
  completed_at: string | null;
  keyspace_name: string;
  table_name: string;
  host: string;
  error: string;
  table_size: number;
  downloaded: number;
  versioned_downloaded: number;
  is_refreshed: boolean;
}

/** `one2onerestore_run_view_progress` value. */
export interface ViewProgressRow {
  started_at: string | null;
  completed_at: string | null;
  keyspace_name: string;
  table_name: string;
  view_name: string;
  view_type: string;
  /** `UNKNOWN`, `STARTED` or `SUCCESS`. */
  view_build_status: string;
  error: string;
}

/**
 * Our run record (SM keeps none for 1-1 restore): the tag and mapping the run used, the views it dropped (so a later
 * run recreates them even though they are gone from the schema) and whether it finished.
 */
export interface One2OneRunState {
  id: string;
  snapshot_tag: string;
  source_cluster_id: string;
  /** The mapping, serialised: a later run resumes only with the same one. */
  mapping: string;
  views: One2OneView[];
  done: boolean;
}

/** Store kinds: SM's table names, plus our run record. */
export const ONE2ONE_TABLE_PROGRESS_KIND = "one2onerestore_run_table_progress";
export const ONE2ONE_VIEW_PROGRESS_KIND = "one2onerestore_run_view_progress";
export const ONE2ONE_RUN_KIND = "one2onerestore_run";

/** Row keys in SM's clustering order (views add the name: SM's key would let two views of one type collide). */
export const tableRowKey = (r: Pick<TableProgressRow, "keyspace_name" | "table_name" | "host">) =>
  `${r.keyspace_name}|${r.table_name}|${r.host}`;
export const viewRowKey = (r: Pick<ViewProgressRow, "keyspace_name" | "table_name" | "view_type" | "view_name">) =>
  `${r.keyspace_name}|${r.table_name}|${r.view_type}|${r.view_name}`;

/** `true` when Scylla's refresh takes `skip_cleanup`/`skip_reshape`: > 2025.2.0, or a master/dev build. */
export function supportsSkipCleanupAndReshape(version: string): boolean {
  const m = /^(\d+)\.(\d+)\.(\d+)/.exec(version.trim());
  if (!m) return /dev|master/i.test(version);
  const [major, minor, patch] = [Number(m[1]), Number(m[2]), Number(m[3])];
  if (major < 2000) return false;
  if (major !== 2025) return major > 2025;
  if (minor !== 2) return minor > 2;
  return patch > 0;
}
