import { describe, expect, test } from "bun:test";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import {
  dropShadowedTemporary,
  groupBySnapshot,
  isLockedAt,
  type ListedObject,
  listManifests,
  manifestsFromListing,
  readManifestAt,
  regularOnly,
  sortManifests,
} from "./list.ts";
import { parseLocation } from "./location.ts";
import { manifestPath, tempPath } from "./paths.ts";
import { localDirReader } from "./testing.ts";

const VECTORS = join(import.meta.dir, "../../../../shared/vectors");
const C = "3e99d4a8-67d2-45fe-87fb-87b1b90ea2dc";
const T = "f70117d8-c10e-4e90-9606-2587936b3757";
const location = parseLocation("s3:bucket");

function item(path: string, size = 10): ListedObject {
  return { Path: path, Size: size, IsDir: false };
}

describe("manifestsFromListing (pure)", () => {
  test("keeps exactly the manifest paths, relative to the listed dir", () => {
    const m1 = manifestPath(C, "dc1", "n1", T, "sm_20210809095541UTC");
    const items = [
      item(m1.replace("backup/meta/", "")),
      item(tempPath(m1).replace("backup/meta/", "")),
      item(`cluster/${C}/dc/dc1/node/n1/.version`),
      { Path: `cluster/${C}/dc/dc1/node/n1`, Size: -1, IsDir: true },
    ];
    const found = manifestsFromListing(location, "backup/meta", items);
    expect(found.map((m) => [m.path, m.temporary, m.fileSize])).toEqual([
      [m1, false, 10],
      [tempPath(m1), true, 10],
    ]);
  });

  test("temporary manifests shadowed by a regular one are dropped; unshadowed ones stay", () => {
    const a = manifestPath(C, "dc1", "n1", T, "sm_20210809095541UTC");
    const b = manifestPath(C, "dc1", "n2", T, "sm_20210809095541UTC");
    const found = manifestsFromListing(location, "", [item(a), item(tempPath(a)), item(tempPath(b))]);
    expect(dropShadowedTemporary(found).map((m) => m.path)).toEqual([a, tempPath(b)]);
    expect(regularOnly(found).map((m) => m.path)).toEqual([a]);
    // The same path in another bucket does not shadow.
    const other = manifestsFromListing(parseLocation("gcs:other"), "", [item(tempPath(a))]);
    expect(dropShadowedTemporary([...found.slice(0, 1), ...other]).length).toBe(2);
  });

  test("grouped by snapshot, newest first", () => {
    const tags = ["sm_20210809095541UTC", "sm_20210910000000UTC", "sm_20210809095541UTC"];
    const found = manifestsFromListing(
      location,
      "",
      tags.map((tag, i) => item(manifestPath(C, "dc1", `n${i}`, T, tag))),
    );
    expect(groupBySnapshot(found).map((g) => [g.snapshotTag, g.manifests.map((m) => m.nodeId)])).toEqual([
      ["sm_20210910000000UTC", ["n1"]],
      ["sm_20210809095541UTC", ["n0", "n2"]],
    ]);
  });
});

describe("SM's ListManifests golden (../shared/vectors)", () => {
  const present = existsSync(join(VECTORS, "sm-backup-list-golden.json"));
  if (!present) console.log(`skipping SM listing vectors: ${VECTORS} is absent (no ../shared checkout)`);

  test.skipIf(!present)("listing one cluster gives exactly SM's manifests", async () => {
    const golden = JSON.parse(readFileSync(join(VECTORS, "sm-backup-list-golden.json"), "utf8")) as Array<
      Record<string, unknown>
    >;
    const reader = localDirReader(VECTORS);
    // SM's test bucket is `testdata:list`; the same files here are the bucket `sm-backup-list`.
    const found = await listManifests(reader, "any-host", parseLocation("localstorage:sm-backup-list"), {
      clusterId: "2e4ac82f-a7b5-4b6d-ab5e-0a1553a50a21",
    });
    const shape = (m: Record<string, unknown>) => JSON.stringify(m);
    const ours = found.map((m) =>
      shape({
        CleanPath: m.path.split("/"),
        DC: m.dc,
        ClusterID: m.clusterId,
        NodeID: m.nodeId,
        TaskID: m.taskId,
        SnapshotTag: m.snapshotTag,
        Temporary: m.temporary,
      }),
    );
    const theirs = golden.map(({ CleanPath, DC, ClusterID, NodeID, TaskID, SnapshotTag, Temporary }) =>
      shape({ CleanPath, DC, ClusterID, NodeID, TaskID, SnapshotTag, Temporary }),
    );
    expect(ours.sort()).toEqual(theirs.sort());
  });

  test.skipIf(!present)("the whole bucket: two clusters, four snapshots; headers read through cat", async () => {
    const reader = localDirReader(VECTORS);
    const found = sortManifests(await listManifests(reader, "h", parseLocation("localstorage:sm-backup-list")));
    expect(found.length).toBe(15);
    expect(groupBySnapshot(found).map((g) => [g.snapshotTag, g.manifests.length])).toEqual([
      ["sm_20210602083754UTC", 3],
      ["sm_20210602083541UTC", 3],
      ["sm_20210602083539UTC", 3],
      ["sm_20210416130831UTC", 6],
    ]);
    let tables = 0;
    const read = await readManifestAt(reader, "h", found[0] as (typeof found)[number], () => tables++);
    expect(read.header.cluster_name).toBe("test_cluster");
    expect(tables).toBeGreaterThan(0);
  });
});

describe("listManifests with lock info", () => {
  const m1 = manifestPath(C, "dc1", "n1", T, "sm_20210809095541UTC");
  const listed: ListedObject[] = [
    {
      ...item(m1.slice(`backup/meta/cluster/${C}/`.length)),
      RetentionMode: "locked",
      RetainUntil: "2999-01-01T00:00:00Z",
      eventBasedHold: false,
    },
  ];
  const readerFor = (sent: unknown[]) => ({
    list: async (_h: string, _p: string, options?: unknown) => {
      sent.push(options);
      return listed;
    },
    cat: async () => new Uint8Array(),
  });

  test("asks GCS for retention and holds, and keeps them on each manifest", async () => {
    const sent: unknown[] = [];
    const found = await listManifests(readerFor(sent), "h", parseLocation("gcs:b"), { clusterId: C, lockInfo: true });
    expect(sent).toEqual([{ recurse: true, filesOnly: true, showRetentionInfo: true, showEventBasedHold: true }]);
    expect(found[0]?.lock).toEqual({
      retentionMode: "locked",
      retainUntil: "2999-01-01T00:00:00Z",
      eventBasedHold: false,
    });
    expect(isLockedAt(found[0]?.lock, Date.UTC(2998, 0, 1))).toBe(true);
    expect(isLockedAt(found[0]?.lock, Date.UTC(2999, 0, 2))).toBe(false);
  });

  test("other providers have no object locks: nothing extra is asked", async () => {
    const sent: unknown[] = [];
    await listManifests(readerFor(sent), "h", parseLocation("s3:b"), { clusterId: C, lockInfo: true });
    expect(sent).toEqual([{ recurse: true, filesOnly: true }]);
  });
});
