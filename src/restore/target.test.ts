import { describe, expect, test } from "bun:test";
import {
  checkUnitsExist,
  hostsBySourceDc,
  type ManifestRef,
  selectSnapshotManifests,
  skipRestorePatterns,
  tombstoneGcMode,
  validateDcMapping,
} from "./target.ts";

const TAG = "sm_20240101000000UTC";
const m = (over: Partial<ManifestRef>): ManifestRef => ({
  clusterId: "c1",
  dc: "dc1",
  nodeId: "n1",
  taskId: "t1",
  snapshotTag: TAG,
  temporary: false,
  path: "backup/meta/x",
  ...over,
});

describe("restore target", () => {
  test("snapshot selection: by tag across clusters and tasks; shadowed temp manifests ignored", () => {
    const listing = [
      m({}),
      m({ temporary: true }),
      m({ clusterId: "c2", taskId: "t9", nodeId: "n7" }),
      m({ snapshotTag: "sm_20230101000000UTC", nodeId: "n2" }),
    ];
    const out = selectSnapshotManifests(listing, TAG);
    expect(out.map((x) => `${x.clusterId}/${x.nodeId}`).sort()).toEqual(["c1/n1", "c2/n7"]);
  });

  test("an unshadowed temp manifest (partial backup) and a tag with no snapshot are errors", () => {
    expect(() => selectSnapshotManifests([m({}), m({ nodeId: "n2", temporary: true, path: "p.tmp" })], TAG)).toThrow(
      `temporary manifest p.tmp is not shadowed by regular manifest. This might mean that snapshot ${TAG} wasn't fully uploaded`,
    );
    expect(() => selectSnapshotManifests([m({})], "sm_20990101000000UTC")).toThrow(
      "no snapshot with tag sm_20990101000000UTC",
    );
  });

  test("dc mapping validation and the hosts of each source DC", () => {
    expect(() => validateDcMapping({ dcx: "dc1" }, ["dc1"], ["dc1"])).toThrow("No such dc in source cluster: dcx");
    expect(() => validateDcMapping({ dc1: "dcy" }, ["dc1"], ["dc1"])).toThrow("No such dc in target cluster: dcy");
    expect(() => validateDcMapping({ a: "x", b: "x" }, ["a", "b"], ["x"])).toThrow(
      "DC mapping contains duplicates in target DCs: x",
    );
    const nodes = [
      { host: "h1", dc: "east" },
      { host: "h2", dc: "west" },
    ];
    expect(hostsBySourceDc(nodes, {}, ["dc1", "dc2"])).toEqual(
      new Map([
        ["dc1", ["h1", "h2"]],
        ["dc2", ["h1", "h2"]],
      ]),
    );
    expect(hostsBySourceDc(nodes, { dc1: "west" }, ["dc1", "dc2"])).toEqual(new Map([["dc1", ["h2"]]]));
  });

  test("a table missing in the target cluster: SM's suggestion", () => {
    expect(() =>
      checkUnitsExist([{ keyspace: "ks", size: 1, tables: [{ table: "t", size: 1, tombstone_gc: "" }] }], new Map()),
    ).toThrow("Please either exclude it from the restore (--keyspace '*,!ks.t'), or first restore its schema");
  });

  test("skip patterns and tombstone_gc modes", () => {
    expect(
      skipRestorePatterns({
        allKeyspaces: ["system", "system_distributed", "ks"],
        nonLocalKeyspaces: ["system_distributed", "ks"],
        userKeyspaces: ["ks"],
        tables: new Map([
          ["system_distributed", ["cdc_streams_descriptions_v2", "view_build_status"]],
          ["ks", ["t"]],
        ]),
        views: ["ks.mv"],
      }),
    ).toEqual([
      "!system",
      "!system_auth",
      "!system_distributed.service_levels",
      "!system_distributed.cdc_streams_descriptions_v2",
      "!*.*_scylla_cdc_log",
      "!system.paxos",
      "!*.*$paxos",
      "!ks.mv",
    ]);
    expect(tombstoneGcMode(undefined)).toBe("timeout");
    expect(tombstoneGcMode("{'mode':'repair','propagation_delay_in_seconds':'3600'}")).toBe("repair");
  });
});
