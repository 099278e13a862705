import { describe, expect, test } from "bun:test";
import { formatNodesMapping, parseNodesMapping } from "./mapping-file.ts";
import {
  checkKeyspaceFilter,
  type NodeMapping,
  nodesMappingError,
  parseOne2OneProperties,
  supportsSkipCleanupAndReshape,
} from "./model.ts";

const node = (dc: string, rack: string, host_id: string) => ({ dc, rack, host_id });
const pair = (s: [string, string, string], t: [string, string, string]): NodeMapping => ({
  source: node(...s),
  target: node(...t),
});
const GOOD = [pair(["dc1", "r1", "a"], ["dcA", "rA", "x"]), pair(["dc1", "r2", "b"], ["dcA", "rB", "y"])];
const PROPS = {
  location: ["s3:bucket"],
  snapshot_tag: "sm_20250101000000UTC",
  source_cluster_id: "0d7d0c0e-1111-4222-8333-444455556666",
  nodes_mapping: GOOD,
};

describe("1-1 restore properties", () => {
  test("defaults and a valid target", () => {
    const t = parseOne2OneProperties(PROPS);
    expect(t.keyspace).toEqual(["*"]);
    expect(t.unpinAgentCpu).toBe(false);
    expect(t.locations[0]?.bucket).toBe("bucket");
  });

  test("SM's messages for missing or bad values", () => {
    expect(() => parseOne2OneProperties({ ...PROPS, location: [] })).toThrow("invalid target: missing location");
    expect(() => parseOne2OneProperties({ ...PROPS, snapshot_tag: "x" })).toThrow(
      "invalid target: unexpected snapshot-tag format: x",
    );
    expect(() => parseOne2OneProperties({ ...PROPS, source_cluster_id: "" })).toThrow(
      "invalid target: source cluster id is empty",
    );
    expect(() => parseOne2OneProperties({ ...PROPS, nodes_mapping: [] })).toThrow(
      "invalid target: nodes mapping: empty",
    );
    expect(() => parseOne2OneProperties({ ...PROPS, nodes_mapping: "x" })).toThrow("invalid 1_1_restore properties");
  });

  test("the mapping must be a bijection consistent at DC and DC/rack level", () => {
    expect(nodesMappingError(GOOD)).toBeUndefined();
    expect(nodesMappingError([...GOOD, pair(["dc1", "r3", "c"], ["dcB", "rC", "z"])])).toBe(
      "dc1  is already mapped to dcA ",
    );
    expect(nodesMappingError([...GOOD, pair(["dc2", "r9", "c"], ["dcA", "rC", "z"])])).toBe(
      "dcA  is already mapped to dc1 ",
    );
    expect(nodesMappingError([...GOOD, pair(["dc1", "r1", "c"], ["dcA", "rB", "z"])])).toBe(
      "dc1 r1 is already mapped to dcA rA",
    );
    expect(nodesMappingError([...GOOD, pair(["dc1", "r1", "a"], ["dcA", "rA", "z"])])).toBe(
      "host is already mapped: a",
    );
    expect(nodesMappingError([...GOOD, pair(["dc1", "r1", "c"], ["dcA", "rA", "x"])])).toBe(
      "host is already mapped: x",
    );
  });

  test("keyspace filter takes existing keyspace names only", () => {
    expect(() => checkKeyspaceFilter(["*"], [])).not.toThrow();
    expect(() => checkKeyspaceFilter(["ks1"], ["ks1", "ks2"])).not.toThrow();
    expect(() => checkKeyspaceFilter(["ks1.t"], ["ks1"])).toThrow(
      "invalid target: keyspace filter: only existing keyspaces can be provided, but got: ks1.t",
    );
  });

  test("skip_cleanup/skip_reshape only after 2025.2.0 (or on master builds)", () => {
    expect(supportsSkipCleanupAndReshape("2025.1.3")).toBe(false);
    expect(supportsSkipCleanupAndReshape("2025.2.0-0.20250101.abc")).toBe(false);
    expect(supportsSkipCleanupAndReshape("2025.2.1")).toBe(true);
    expect(supportsSkipCleanupAndReshape("2025.3.0")).toBe(true);
    expect(supportsSkipCleanupAndReshape("6.2.0")).toBe(false);
    expect(supportsSkipCleanupAndReshape("9999.enterprise_dev")).toBe(true);
  });
});

describe("the --nodes-mapping file", () => {
  test("lines <dc>:<rack>:<host_id>=<dc>:<rack>:<host_id>, trimmed; round trip", () => {
    const text = "dc1:r1:a = dcA:rA:x\ndc1 : r2 : b=dcA:rB:y\n";
    expect(parseNodesMapping(text)).toEqual(GOOD);
    expect(parseNodesMapping(formatNodesMapping(GOOD))).toEqual(GOOD);
  });

  test("SM's errors", () => {
    expect(() => parseNodesMapping("dc1:r1:a\n")).toThrow("source and target mappings must be split by '='");
    expect(() => parseNodesMapping("dc1:r1=dcA:rA:x\n")).toThrow("invalid node format, must be <dc>:<rack>:<host_id>");
    expect(() => parseNodesMapping("dc1:r1:a=dcA:rA:x\n\n")).toThrow("source and target mappings must be split by '='");
  });
});
