/**
 * The restore target's pure rules (SM's `pkg/service/restore/worker.go` and `worker_manifest.go` behaviour):
 * snapshot selection by tag across the whole bucket, temp manifests, DC mapping and its validation, which hosts
 * restore which source DC, the excluded-tables patterns and the restored units.
 * @module
 */
import { ManagerError, ValidationError } from "../errors.ts";
import type { RestoreUnit } from "./model.ts";

/** A manifest found in a location's listing (what the path says). */
export interface ManifestRef {
  clusterId: string;
  dc: string;
  nodeId: string;
  taskId: string;
  snapshotTag: string;
  temporary: boolean;
  /** Path relative to the bucket root. */
  path: string;
}

const manifestIdentity = (m: ManifestRef) => `${m.clusterId}/${m.dc}/${m.nodeId}/${m.taskId}/${m.snapshotTag}`;

/**
 * The regular manifests of `tag` in one location's listing, across every cluster and task in the bucket. A temp
 * manifest of the tag with no regular one beside it means a partial backup: error. No manifest at all: error.
 */
export function selectSnapshotManifests<T extends ManifestRef>(listing: readonly T[], tag: string): T[] {
  const regular = new Map<string, T>();
  const temporary: T[] = [];
  for (const m of listing) {
    if (m.snapshotTag !== tag) continue;
    if (m.temporary) temporary.push(m);
    else regular.set(manifestIdentity(m), m);
  }
  for (const tmp of temporary) {
    if (!regular.has(manifestIdentity(tmp))) {
      throw new ManagerError(
        `temporary manifest ${tmp.path} is not shadowed by regular manifest. This might mean that snapshot ${tag} wasn't fully uploaded or that it was partially deleted. Validate snapshot correctness and remove/promote the temporary manifest before proceeding.`,
      );
    }
  }
  const out = [...regular.values()];
  if (out.length === 0) throw new ValidationError(`no snapshot with tag ${tag}`);
  return out;
}

/** With a DC mapping only manifests of mapped source DCs stay; without one, all. */
export function filterManifestsByMapping<T extends ManifestRef>(
  manifests: readonly T[],
  mapping: Record<string, string>,
): T[] {
  if (Object.keys(mapping).length === 0) return [...manifests];
  return manifests.filter((m) => Object.hasOwn(mapping, m.dc));
}

/** Every source DC and target DC of the mapping exists, and neither side repeats (SM's texts). */
export function validateDcMapping(
  mapping: Record<string, string>,
  sourceDcs: readonly string[],
  targetDcs: readonly string[],
): void {
  const seenTargets = new Set<string>();
  for (const [source, target] of Object.entries(mapping)) {
    if (!sourceDcs.includes(source)) throw new ValidationError(`No such dc in source cluster: ${source}`);
    if (!targetDcs.includes(target)) throw new ValidationError(`No such dc in target cluster: ${target}`);
    if (seenTargets.has(target)) throw new ValidationError(`DC mapping contains duplicates in target DCs: ${target}`);
    seenTargets.add(target);
  }
}

/**
 * Source DC → hosts that restore it. Without a mapping every host that can read the location restores every DC in
 * it; with one, a host restores only the source DC mapped to its own DC.
 */
export function hostsBySourceDc(
  nodes: ReadonlyArray<{ host: string; dc: string }>,
  mapping: Record<string, string>,
  locationDcs: readonly string[],
): Map<string, string[]> {
  const out = new Map<string, string[]>();
  if (Object.keys(mapping).length === 0) {
    for (const dc of locationDcs)
      out.set(
        dc,
        nodes.map((n) => n.host),
      );
    return out;
  }
  const targetToSource = new Map(Object.entries(mapping).map(([s, t]) => [t, s]));
  for (const node of nodes) {
    const source = targetToSource.get(node.dc);
    if (source === undefined || !locationDcs.includes(source)) continue;
    out.set(source, [...(out.get(source) ?? []), node.host]);
  }
  return out;
}

/** What the cluster holds that restore tables never touches (SM's `skipRestorePatterns`), as `!` patterns. */
export function skipRestorePatterns(input: {
  /** `storage_service/keyspaces?type=all`. */
  allKeyspaces: readonly string[];
  /** `?type=non_local_strategy`. */
  nonLocalKeyspaces: readonly string[];
  /** `?type=user`. */
  userKeyspaces: readonly string[];
  /** keyspace → tables. */
  tables: ReadonlyMap<string, readonly string[]>;
  /** Existing views and index views, `ks.name`. */
  views: readonly string[];
}): string[] {
  const skip: string[] = [];
  for (const ks of input.allKeyspaces) if (!input.nonLocalKeyspaces.includes(ks)) skip.push(ks);
  skip.push("system_auth", "system_distributed.service_levels");
  for (const [ks, tables] of input.tables) {
    if (!input.nonLocalKeyspaces.includes(ks) || input.userKeyspaces.includes(ks)) continue;
    for (const t of tables) if (isCdcSystemTable(t)) skip.push(`${ks}.${t}`);
  }
  skip.push("*.*_scylla_cdc_log", "system.paxos", "*.*$paxos");
  skip.push(...input.views);
  return skip.map((p) => `!${p}`);
}

/** System CDC tables (`system_distributed.cdc_*` and friends). */
function isCdcSystemTable(table: string): boolean {
  return [
    "cdc_streams_descriptions",
    "cdc_streams_descriptions_v2",
    "cdc_generation_descriptions",
    "cdc_generation_timestamps",
    "cdc_generations_v2",
    "cdc_generations_v3",
    "cdc_local",
  ].includes(table);
}

/** Adds one manifest entry (`ks.table`, bytes) to the units being built. */
export function addToUnits(units: RestoreUnit[], keyspace: string, table: string, size: number): void {
  let unit = units.find((u) => u.keyspace === keyspace);
  if (!unit) {
    unit = { keyspace, size: 0, tables: [] };
    units.push(unit);
  }
  unit.size += size;
  const t = unit.tables.find((x) => x.table === table);
  if (t) t.size += size;
  else unit.tables.push({ table, tombstone_gc: "", size });
}

/** Every restored table must exist in the cluster, else SM's error with its suggestion. */
export function checkUnitsExist(
  units: readonly RestoreUnit[],
  clusterTables: ReadonlyMap<string, readonly string[]>,
): void {
  for (const u of units) {
    for (const t of u.tables) {
      if (!(clusterTables.get(u.keyspace) ?? []).includes(t.table)) {
        throw new ValidationError(
          `table ${u.keyspace}.${t.table}, which is a part of restored backup, is missing in the restored cluster. Please either exclude it from the restore (--keyspace '*,!${u.keyspace}.${t.table}'), or first restore its schema (--restore-schema)`,
        );
      }
    }
  }
}

/** `unavailable nodes: [a b]` unless every node is UP (SM's `VerifyNodesAvailability`). */
export function checkAllNodesUp(nodes: ReadonlyArray<{ host: string; up: boolean }>): void {
  const down = nodes.filter((n) => !n.up).map((n) => n.host);
  if (down.length > 0) {
    throw new ManagerError(`verify all nodes availability: unavailable nodes: [${down.join(" ")}]`, {
      hint: "restore needs every node of the cluster UP; start the nodes or remove them from the cluster first",
    });
  }
}

/**
 * The tombstone_gc mode of a table from its `system_schema.tables.extensions["tombstone_gc"]` value: the first of
 * disabled, timeout, repair, immediate the text contains (absent ⇒ `timeout`, Scylla's default).
 */
export function tombstoneGcMode(extension: string | undefined): string {
  if (extension === undefined) return "timeout";
  const mode = ["disabled", "timeout", "repair", "immediate"].find((m) => extension.includes(m));
  if (mode === undefined) throw new ManagerError(`unrecognised tombstone_gc mode: ${extension}`);
  return mode;
}
