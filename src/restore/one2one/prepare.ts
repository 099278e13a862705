/**
 * The read-only part of a 1-1 restore run (SM's `parseTarget`, `getAllSnapshotManifestsAndTargetHosts`,
 * `validateClusters`, `prepareHostWorkload`): properties, keyspace filter with the auto excludes, no tablet keyspace
 * selected, the source cluster's manifests of the tag, every node UP, the node pairs checked (shards, storage, tokens)
 * and each target node's workload: its source node's tables. Nothing in the cluster changes here, so every error is
 * raised before any data moves.
 * @module
 */
import { listManifests, type ManifestInfo, readManifestAt } from "../../backup/layout/list.ts";
import type { Location } from "../../backup/layout/location.ts";
import type { FilesMeta, ManifestHeader } from "../../backup/layout/manifest.ts";
import type { CqlSession } from "../../clients/cql/session.ts";
import type { NodeState } from "../../cluster/topology.ts";
import { ValidationError } from "../../errors.ts";
import { keyspaceFilter } from "../../util/inexlist.ts";
import { autoExcludes } from "../init.ts";
import { checkAllNodesUp, selectSnapshotManifests } from "../target.ts";
import type { One2OneEnv } from "./env.ts";
import {
  checkKeyspaceFilter,
  type NodeMapping,
  type One2OneHost,
  type One2OneTarget,
  parseOne2OneProperties,
  supportsSkipCleanupAndReshape,
} from "./model.ts";
import { type NodeValidationInfo, type TargetNodeInfo, validateClusters } from "./validate.ts";

/** One target node's work: the manifest of its source node and the tables to restore from it. */
export interface HostWorkload {
  host: One2OneHost;
  manifest: ManifestInfo;
  header: ManifestHeader;
  tables: FilesMeta[];
}

/** A checked run plan. */
export interface One2OnePlan {
  target: One2OneTarget;
  /** Keyspace patterns incl. the auto excludes. */
  keyspace: string[];
  workload: HostWorkload[];
}

/** 1-1 restore also skips `system_replicated_keys` (scylla-enterprise#4168). */
const EXTRA_EXCLUDES = ["!system_replicated_keys"];

/** A node that can read `location`: any node for a DC-less location, else one in the DC its source DC maps to. */
export function nodeForLocation(
  nodes: readonly NodeState[],
  location: Location,
  mapping: readonly NodeMapping[],
): string {
  if (location.dc === "") {
    const first = nodes[0];
    if (!first) throw new ValidationError("no nodes in the cluster");
    return first.host;
  }
  const targetDc = mapping.find((m) => m.source.dc === location.dc)?.target.dc;
  if (targetDc === undefined) {
    throw new ValidationError(`invalid mappings: mapping for source DC is not found: ${location.dc}`);
  }
  const node = nodes.find((n) => n.dc === targetDc);
  if (!node)
    throw new ValidationError(`invalid mappings: node with access to location dc is not found: ${location.dc}`);
  return node.host;
}

/** Tablet keyspaces the patterns select: SM refuses them. */
export function checkNoTabletKeyspaces(patterns: readonly string[], tabletKeyspaces: readonly string[]): void {
  const filter = keyspaceFilter(patterns);
  for (const ks of tabletKeyspaces) {
    if (filter.matches(`${ks}.`)) {
      throw new ValidationError(`1-1-restore doesn't support tablet based replication. Keyspace: ${ks}`, {
        hint: "select only vnode keyspaces with --keyspace",
      });
    }
  }
}

async function targetInfo(env: One2OneEnv, node: NodeState): Promise<TargetNodeInfo & { version: string }> {
  const [rack, tokens, shards, info] = await Promise.all([
    env.scylla.rack(node.host, { host: node.host }),
    env.scylla.tokens(node.host, { host: node.host }),
    env.scylla.shardCount(node.host),
    env.nodeInfo(node.host),
  ]);
  return {
    host: node.host,
    hostId: node.hostId,
    dc: node.dc,
    rack,
    shardCount: shards,
    storageSize: info.storage_size,
    tokens: tokens.map((t) => BigInt(t)),
    version: info.scylla_version,
  };
}

/** Resolves and checks everything; throws SM's errors before anything in the cluster changes. */
export async function prepareOne2One(env: One2OneEnv, properties: unknown, cql: CqlSession): Promise<One2OnePlan> {
  const target = parseOne2OneProperties(properties);
  checkKeyspaceFilter(target.keyspace, await env.scylla.keyspaces({}));
  const keyspace = [...target.keyspace, ...(await autoExcludes(env, cql)), ...EXTRA_EXCLUDES];
  checkNoTabletKeyspaces(keyspace, await env.scylla.keyspaces({ type: "user", replication: "tablets" }));

  const nodes = await env.nodes();
  const manifests: ManifestInfo[] = [];
  for (const location of target.locations) {
    const host = nodeForLocation(nodes, location, target.nodesMapping);
    const listing = await listManifests(env.rclone, host, location, { clusterId: target.sourceClusterId });
    manifests.push(...selectSnapshotManifests(listing, target.snapshotTag));
  }
  checkAllNodesUp(nodes.map((n) => ({ host: n.host, up: n.status === "UN" })));

  const filter = keyspaceFilter(keyspace);
  const reader = nodes[0]?.host as string;
  const sources = await Promise.all(
    manifests.map(async (m) => {
      const tables: FilesMeta[] = [];
      const { header } = await readManifestAt(env.rclone, reader, m, (fm) => {
        if (filter.matches(`${fm.keyspace}.${fm.table}`)) tables.push(fm);
      });
      return { manifest: m, header, tables };
    }),
  );
  const targets = await Promise.all(nodes.map((n) => targetInfo(env, n)));
  const sourceInfo = sources.map(
    ({ header }): NodeValidationInfo => ({
      hostId: header.node_id,
      dc: header.dc,
      rack: header.rack,
      shardCount: header.shard_count,
      storageSize: header.storage_size,
      tokens: header.tokens ?? [],
    }),
  );
  const bySource = validateClusters(sourceInfo, targets, target.nodesMapping);
  const workload = sources.map(({ manifest, header, tables }): HostWorkload => {
    const t = bySource.get(header.node_id) as TargetNodeInfo & { version: string };
    return {
      host: {
        host: t.host,
        hostId: t.hostId,
        dc: t.dc,
        shards: header.shard_count,
        skipCleanupAndReshape: supportsSkipCleanupAndReshape(t.version),
      },
      manifest,
      header,
      tables,
    };
  });
  await checkTableVersions(workload, cql);
  return { target, keyspace, workload };
}

/**
 * Files go to `<table>-<backup table id>/upload` and refresh reads the target table's own dir, so a table whose id
 * differs from the backup's (schema not restored from this backup) would silently load nothing: refuse it up front.
 */
async function checkTableVersions(workload: readonly HostWorkload[], cql: CqlSession): Promise<void> {
  const seen = new Map<string, string>();
  for (const w of workload) for (const t of w.tables) seen.set(`${t.keyspace}.${t.table}`, t.version);
  for (const [name, version] of seen) {
    const [keyspace, table] = [name.slice(0, name.indexOf(".")), name.slice(name.indexOf(".") + 1)];
    const rs = await cql.execute(
      "SELECT id FROM system_schema.tables WHERE keyspace_name = ? AND table_name = ?",
      [keyspace, table],
      { prepare: true },
    );
    const id = rs.rows[0]?.id;
    if (id === undefined || id === null) {
      throw new ValidationError(
        `table ${name}, which is a part of restored backup, is missing in the restored cluster`,
        {
          hint: "restore the schema first (sctool restore --restore-schema), then run 1-1-restore",
        },
      );
    }
    if (String(id).replaceAll("-", "") !== version) {
      throw new ValidationError(
        `table ${name} has id ${String(id)} in the restored cluster but ${version} in the backup, so its files would not be loaded`,
        { hint: "restore the schema of this backup first (sctool restore --restore-schema), then run 1-1-restore" },
      );
    }
  }
}
