import { expect, test } from "bun:test";
import type { FilesMeta } from "../layout/manifest.ts";
import { checkNode, nodeRelativePath } from "./check.ts";

const meta = (files: string[], scylla: string[] | null = null): FilesMeta => ({
  keyspace: "ks",
  table: "t",
  replication_type: "vnodes",
  version: "v1",
  files,
  size: files.length,
  scylla_manifests: scylla,
});
const path = (f: string) => nodeRelativePath(meta([]), f);
const START = Date.parse("2026-01-01T00:00:00Z");
const old = START - 60_000;

test("present files are fine; missing ones break every regular snapshot naming them", () => {
  const result = checkNode(
    [
      { snapshotTag: "sm_20251230000000UTC", temporary: false, index: [meta(["a", "shared"], ["m1"])] },
      { snapshotTag: "sm_20251231000000UTC", temporary: false, index: [meta(["b", "shared"])] },
    ],
    [
      { path: path("a"), size: 1, modTimeMs: old },
      { path: path("b"), size: 1, modTimeMs: old },
      { path: path("m1"), size: 1, modTimeMs: old },
    ],
    START,
  );
  expect(result).toEqual({
    scannedFiles: 3,
    missingFiles: 1,
    orphanedFiles: 0,
    orphanedBytes: 0,
    brokenSnapshots: ["sm_20251230000000UTC", "sm_20251231000000UTC"],
    orphans: [],
  });
});

test("orphans: not in any manifest, not in a temporary manifest, not newer than the validation start", () => {
  const result = checkNode(
    [
      { snapshotTag: "sm_20251230000000UTC", temporary: false, index: [meta(["a"])] },
      { snapshotTag: "sm_20251231000000UTC", temporary: true, index: [meta(["uploading"])] },
    ],
    [
      { path: path("a"), size: 1, modTimeMs: old },
      { path: path("uploading"), size: 5, modTimeMs: old },
      { path: path("fresh"), size: 7, modTimeMs: START + 1 },
      { path: path("stray"), size: 11, modTimeMs: old },
      { path: "keyspace/other/table/x/v9/lost", size: 13, modTimeMs: Number.NaN },
    ],
    START,
  );
  expect(result.orphans).toEqual([path("stray"), "keyspace/other/table/x/v9/lost"]);
  expect(result.orphanedBytes).toBe(24);
  expect(result.missingFiles).toBe(0);
  expect(result.brokenSnapshots).toEqual([]);
});
