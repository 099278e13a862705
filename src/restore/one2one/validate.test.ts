import { describe, expect, test } from "bun:test";
import type { NodeMapping } from "./model.ts";
import { type NodeValidationInfo, type TargetNodeInfo, validateClusters } from "./validate.ts";

const source = (hostId: string, rack: string, tokens: bigint[]): NodeValidationInfo => ({
  hostId,
  dc: "dc1",
  rack,
  shardCount: 2,
  storageSize: 100,
  tokens,
});
const target = (host: string, hostId: string, rack: string, tokens: bigint[]): TargetNodeInfo => ({
  host,
  hostId,
  dc: "dc1",
  rack,
  shardCount: 2,
  storageSize: 100,
  tokens,
});
const map = (s: string, sr: string, t: string, tr: string): NodeMapping => ({
  source: { dc: "dc1", rack: sr, host_id: s },
  target: { dc: "dc1", rack: tr, host_id: t },
});
const SOURCES = [source("a", "r1", [5n, -3n]), source("b", "r2", [7n])];
const TARGETS = [target("10.0.0.1", "x", "r1", [-3n, 5n]), target("10.0.0.2", "y", "r2", [7n])];
const MAPPING = [map("a", "r1", "x", "r1"), map("b", "r2", "y", "r2")];

describe("1-1 restore cluster checks", () => {
  test("matching clusters pair every source node with its target (tokens compared sorted)", () => {
    const pairs = validateClusters(SOURCES, TARGETS, MAPPING);
    expect(pairs.get("a")?.host).toBe("10.0.0.1");
    expect(pairs.get("b")?.host).toBe("10.0.0.2");
  });

  test("each mismatch fails with SM's words and names the pair", () => {
    expect(() => validateClusters(SOURCES.slice(0, 1), TARGETS, MAPPING)).toThrow(
      "validate clusters: different node count in source and target clusters: 1 != 2",
    );
    expect(() => validateClusters(SOURCES, TARGETS, [MAPPING[0] as NodeMapping, map("b", "r2", "z", "r2")])).toThrow(
      "invalid node mappings: mapping for target node (y) is not found",
    );
    expect(() =>
      validateClusters(SOURCES, [TARGETS[0] as TargetNodeInfo, target("10.0.0.2", "y", "r3", [7n])], MAPPING),
    ).toThrow("invalid node mappings: mapping for target node is not found: dc1 r3 y");
    expect(() =>
      validateClusters(
        SOURCES,
        [TARGETS[0] as TargetNodeInfo, { ...(TARGETS[1] as TargetNodeInfo), shardCount: 4 }],
        MAPPING,
      ),
    ).toThrow("source ShardCount doesn't match target ShardCount: 2 != 4, source node b, target node y (10.0.0.2)");
    expect(() =>
      validateClusters(
        SOURCES,
        [TARGETS[0] as TargetNodeInfo, { ...(TARGETS[1] as TargetNodeInfo), storageSize: 99 }],
        MAPPING,
      ),
    ).toThrow("source StorageSize greater than target StorageSize");
    expect(() =>
      validateClusters(
        SOURCES,
        [TARGETS[0] as TargetNodeInfo, { ...(TARGETS[1] as TargetNodeInfo), tokens: [8n] }],
        MAPPING,
      ),
    ).toThrow("source Tokens doesn't match target Tokens, source node b, target node y (10.0.0.2)");
  });
});
