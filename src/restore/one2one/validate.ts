/**
 * Whether a 1-1 restore can run (SM's `worker_validate.go`), as pure rules over what the manifests say about the
 * source nodes and what the target nodes report: the same node count, every target node mapped, every source node
 * mapped onto the very node (DC, rack, host id) it is paired with, and per pair the same shard count, a source
 * storage size not above the target's, and identical sorted tokens. Errors are SM's, plus the pair they concern.
 * @module
 */
import { ValidationError } from "../../errors.ts";
import type { NodeMapping } from "./model.ts";

/** What the check needs of a node (source: from its manifest; target: from the node itself). */
export interface NodeValidationInfo {
  hostId: string;
  dc: string;
  rack: string;
  shardCount: number;
  storageSize: number;
  tokens: readonly bigint[];
}

/** A target node with its address. */
export interface TargetNodeInfo extends NodeValidationInfo {
  host: string;
}

const sorted = (tokens: readonly bigint[]) => [...tokens].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));

function fail(message: string, hint?: string): never {
  throw new ValidationError(`validate clusters: ${message}`, hint ? { hint } : {});
}

/** Source host id → the target node it restores into; every target node must be mapped. */
export function targetsBySource(
  targets: readonly TargetNodeInfo[],
  mapping: readonly NodeMapping[],
): Map<string, TargetNodeInfo> {
  const sourceByTarget = new Map(mapping.map((m) => [m.target.host_id, m.source.host_id]));
  const out = new Map<string, TargetNodeInfo>();
  for (const t of targets) {
    const source = sourceByTarget.get(t.hostId);
    if (source === undefined) fail(`invalid node mappings: mapping for target node (${t.hostId}) is not found`);
    out.set(source, t);
  }
  return out;
}

/** Throws SM's first error for the pair set; returns source host id → target node when a 1-1 restore can run. */
export function validateClusters(
  sources: readonly NodeValidationInfo[],
  targets: readonly TargetNodeInfo[],
  mapping: readonly NodeMapping[],
): Map<string, TargetNodeInfo> {
  if (sources.length !== targets.length) {
    fail(
      `different node count in source and target clusters: ${sources.length} != ${targets.length}`,
      "1-1 restore needs a target cluster with exactly one node per backed-up node",
    );
  }
  const bySource = targetsBySource(targets, mapping);
  for (const s of sources) {
    const t = bySource.get(s.hostId);
    const m = mapping.find((x) => x.source.dc === s.dc && x.source.rack === s.rack && x.source.host_id === s.hostId);
    if (t === undefined || m === undefined) {
      fail(`invalid node mappings: mapping for source node is not found: ${s.dc} ${s.rack} ${s.hostId}`);
    }
    if (m.target.dc !== t.dc || m.target.rack !== t.rack || m.target.host_id !== t.hostId) {
      fail(`invalid node mappings: mapping for target node is not found: ${t.dc} ${t.rack} ${t.hostId}`);
    }
    const pair = `source node ${s.hostId}, target node ${t.hostId} (${t.host})`;
    if (s.shardCount !== t.shardCount) {
      fail(`source ShardCount doesn't match target ShardCount: ${s.shardCount} != ${t.shardCount}, ${pair}`);
    }
    if (s.storageSize > t.storageSize) {
      fail(`source StorageSize greater than target StorageSize: ${s.storageSize} > ${t.storageSize}, ${pair}`);
    }
    const a = sorted(s.tokens);
    const b = sorted(t.tokens);
    if (a.length !== b.length || a.some((x, i) => x !== b[i])) {
      fail(
        `source Tokens doesn't match target Tokens, ${pair}`,
        "each target node must own exactly the tokens of its source node (set initial_token from the backup's manifest)",
      );
    }
  }
  return bySource;
}
