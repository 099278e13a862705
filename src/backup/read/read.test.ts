import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, relative } from "node:path";
import { gunzipSync, gzipSync } from "node:zlib";
import { NotFoundError, ValidationError } from "../../errors.ts";
import type { ListedObject } from "../layout/list.ts";
import { parseLocation } from "../layout/location.ts";
import type { Manifest } from "../layout/manifest.ts";
import { encodeManifest } from "../layout/manifest-codec.ts";
import { manifestPath, schemaPath, sstVersionDir } from "../layout/paths.ts";
import { localBucketClient } from "../layout/testing.ts";
import type { BackupReadAccess, BucketClient } from "./access.ts";
import { extractLocations, resolveLocationHosts } from "./access.ts";
import { deleteSnapshots } from "./delete.ts";
import { listBackups } from "./list-backups.ts";
import { listBackupFiles } from "./list-files.ts";
import { describeBackupSchema } from "./schema.ts";

const VECTORS = join(import.meta.dir, "../../../../shared/vectors");
const present = existsSync(join(VECTORS, "sm-backup-list"));
if (!present) console.log(`skipping SM vector listings: ${VECTORS} is absent (no ../shared checkout)`);

function accessOver(client: BucketClient, clusterId = "00000000-0000-0000-0000-000000000001"): BackupReadAccess {
  return { clusterId, client, hosts: ["h1"], datacenterOf: async () => "dc1" };
}

/** Every manifest of the vectors, read with JSON.parse (an independent reading; sizes are small integers). */
function rawVectors() {
  const base = join(VECTORS, "sm-backup-list");
  const out: Array<{ path: string; cluster: string; task: string; tag: string; index: any[]; schema: string }> = [];
  for (const e of readdirSync(base, { recursive: true, withFileTypes: true })) {
    if (!e.isFile() || !e.name.endsWith(".gz")) continue;
    const full = join(e.parentPath, e.name);
    const rel = relative(base, full);
    const parts = rel.split("/");
    const json = JSON.parse(gunzipSync(readFileSync(full)).toString("utf8"));
    out.push({
      path: rel,
      cluster: parts[3] as string,
      task: e.name.split("_")[1] as string,
      tag: `sm_${e.name.split("_")[4]}`,
      index: json.index,
      schema: json.schema,
    });
  }
  return out;
}

describe("list and files over SM's manifests", () => {
  const location = parseLocation("localstorage:sm-backup-list");

  test.skipIf(!present)(
    "all clusters: one item per (cluster, task), snapshots newest first, sizes summed",
    async () => {
      const access = accessOver(localBucketClient(VECTORS));
      const items = await listBackups(access, [{ location, host: "h1" }], {});
      const raw = rawVectors();
      expect(items.map((i) => [i.cluster_id, i.task_id])).toEqual([
        ["2e4ac82f-a7b5-4b6d-ab5e-0a1553a50a21", "b3fcfce2-d3ae-4de7-96b0-e222125d8558"],
        ["f840add7-e01a-41ac-bda6-016b1c5d9222", "69537b2c-ceea-490f-bf3c-2f99eef46a08"],
      ]);
      for (const item of items) {
        for (const s of item.snapshot_info) {
          const mine = raw.filter((r) => r.task === item.task_id && r.tag === s.snapshot_tag);
          expect(s.nodes).toBe(mine.length);
          expect(s.size).toBe(mine.flatMap((r) => r.index).reduce((sum, m) => sum + m.size, 0));
        }
        const tags = item.snapshot_info.map((s) => s.snapshot_tag);
        expect(tags).toEqual([...tags].sort().reverse());
      }
      expect(items[0]?.units.map((u) => [u.keyspace, u.tables.length])).toEqual([
        ["backuptest_restore", 1],
        ["system_schema", 13],
      ]);
    },
  );

  test.skipIf(!present)("filters: cluster, keyspace globs, date range", async () => {
    const access = accessOver(localBucketClient(VECTORS));
    const located = [{ location, host: "h1" }];
    const one = await listBackups(access, located, { clusterId: "f840add7-e01a-41ac-bda6-016b1c5d9222" });
    expect(one.map((i) => i.task_id)).toEqual(["69537b2c-ceea-490f-bf3c-2f99eef46a08"]);
    const schemaOnly = await listBackups(access, located, { keyspace: ["system_schema.t*"] });
    expect(schemaOnly.length).toBe(1);
    expect(schemaOnly[0]?.units).toEqual([
      { keyspace: "system_schema", tables: ["tables", "triggers", "types"], all_tables: false },
    ]);
    const dated = await listBackups(access, located, {
      minDate: new Date("2021-06-02T08:35:40Z"),
      maxDate: new Date("2021-06-02T08:36:00Z"),
    });
    expect(dated.flatMap((i) => i.snapshot_info.map((s) => s.snapshot_tag))).toEqual(["sm_20210602083541UTC"]);
  });

  test.skipIf(!present)("files of one snapshot: location without DC, schema, sst dir per table", async () => {
    const access = accessOver(localBucketClient(VECTORS));
    const dcLocation = parseLocation("dc1:localstorage:sm-backup-list");
    const infos = await listBackupFiles(access, [{ location: dcLocation, host: "h1" }], {
      snapshotTag: "sm_20210602083754UTC",
    });
    expect(infos.length).toBe(3);
    for (const info of infos) {
      expect(info.location).toBe("localstorage:sm-backup-list");
      expect(info.schema).toContain("_tag_sm_20210602083754UTC_schema.tar.gz");
      expect(info.files[0]?.path).toMatch(
        /^backup\/sst\/cluster\/f840add7-e01a-41ac-bda6-016b1c5d9222\/dc\/dc1\/node\/[0-9a-f-]{36}\/keyspace\/backuptest_data\/table\/big_table\/[0-9a-f]{32}$/,
      );
      expect(info.files[0]?.files?.length).toBe(36);
    }
  });
});

describe("hosts per location", () => {
  test("the first host that can list the location; a DC location only tries that DC", async () => {
    const tried: string[] = [];
    const client = {
      async list(host: string) {
        tried.push(host);
        if (host !== "h3") throw new Error("no access");
        return [];
      },
    } as unknown as BucketClient;
    const access: BackupReadAccess = {
      clusterId: "c",
      client,
      hosts: ["h1", "h2", "h3"],
      datacenterOf: async (h) => (h === "h1" ? "dc1" : "dc2"),
    };
    expect(await resolveLocationHosts(access, [parseLocation("s3:b")])).toEqual([
      { location: parseLocation("s3:b"), host: "h3" },
    ]);
    await expect(resolveLocationHosts(access, [parseLocation("dc1:s3:b")])).rejects.toThrow(
      "no matching hosts found for location dc1:s3:b",
    );
    await expect(resolveLocationHosts(access, [])).rejects.toThrow("missing locations");
  });

  test("locations of enabled tasks' properties, deduplicated, bad ones skipped", () => {
    const found = extractLocations(
      [{ location: ["s3:a", "dc1:s3:b"] }, { location: ["s3:a", "bad location"] }, null, { keyspace: [] }],
      parseLocation,
    );
    expect(found.map((l) => `${l.dc}|${l.bucket}`)).toEqual(["|a", "dc1|b"]);
  });
});

describe("delete and schema on a bucket written by our encoder", () => {
  let root: string;
  const C = "3e99d4a8-67d2-45fe-87fb-87b1b90ea2dc";
  const T = "f70117d8-c10e-4e90-9606-2587936b3757";
  const N = "01c9349e-89e6-4ceb-a727-4f27f9f2acce";
  const V = "f34b6ff0f8f711eb9fcf000000000000";
  const location = parseLocation("s3:bucket");
  const [T1, T2] = ["sm_20240101000000UTC", "sm_20240102000000UTC"];
  const dir = sstVersionDir(C, "dc1", N, "ks", "t", V);

  function manifest(tag: string, files: string[]): Manifest {
    return {
      version: "v2",
      scylla_version: "",
      cluster_name: "c",
      ip: "10.0.0.1",
      size: files.length,
      tokens: [1n],
      schema: schemaPath(C, T, tag),
      rack: "r",
      shard_count: 1,
      cpu_count: 1,
      storage_size: 0,
      instance_details: {},
      dc: "dc1",
      cluster_id: C,
      node_id: N,
      task_id: T,
      snapshot_tag: tag,
      index: [
        {
          keyspace: "ks",
          table: "t",
          replication_type: "vnodes",
          version: V,
          files,
          size: files.length,
          scylla_manifests: null,
        },
      ],
    };
  }
  const put = (rel: string, data: Uint8Array | string) => {
    const full = join(root, "bucket", rel);
    mkdirSync(dirname(full), { recursive: true });
    writeFileSync(full, data);
  };
  const has = (rel: string) => existsSync(join(root, "bucket", rel));

  beforeAll(async () => {
    root = mkdtempSync(join(tmpdir(), "layout-read-"));
    put(manifestPath(C, "dc1", N, T, T1), await encodeManifest(manifest(T1, ["a-Data.db", "shared-Data.db"])));
    put(manifestPath(C, "dc1", N, T, T2), await encodeManifest(manifest(T2, ["b-Data.db", "shared-Data.db"])));
    for (const f of ["a-Data.db", "b-Data.db", "shared-Data.db"]) put(`${dir}/${f}`, "x");
    for (const tag of [T1, T2]) {
      put(
        schemaPath(C, T, tag),
        gzipSync(
          JSON.stringify([{ keyspace: "ks", type: "table", name: "t", cql_stmt: `CREATE TABLE ks.t /*${tag}*/` }]),
        ),
      );
    }
  });
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  test("schema of a tag; none is 404", async () => {
    const access = accessOver(localBucketClient(root), C);
    const answer = await describeBackupSchema(access, "h1", location, T2, { clusterId: C });
    expect(answer.schema).toEqual([
      { keyspace: "ks", type: "table", name: "t", cql_stmt: `CREATE TABLE ks.t /*${T2}*/` },
    ]);
    await expect(describeBackupSchema(access, "h1", location, "sm_20200101000000UTC")).rejects.toBeInstanceOf(
      NotFoundError,
    );
  });

  test("deleting a snapshot keeps files another snapshot references; unknown tag is 404", async () => {
    const access = accessOver(localBucketClient(root), C);
    const located = [{ location, host: "h1" }];
    const result = await deleteSnapshots(access, located, [T1]);
    expect(result.deletedManifests).toBe(1);
    expect(has(manifestPath(C, "dc1", N, T, T1))).toBe(false);
    expect(has(`${dir}/a-Data.db`)).toBe(false);
    expect(has(`${dir}/shared-Data.db`)).toBe(true);
    expect(has(`${dir}/b-Data.db`)).toBe(true);
    expect(has(schemaPath(C, T, T1))).toBe(false);
    expect(has(manifestPath(C, "dc1", N, T, T2))).toBe(true);
    await expect(deleteSnapshots(access, located, [T1])).rejects.toBeInstanceOf(NotFoundError);
  });

  test("a protected tag (hold or unexpired retention on any manifest) is refused before anything is deleted", async () => {
    const inner = localBucketClient(root);
    const client: BucketClient = {
      ...inner,
      async list(host, path, options) {
        const items = (await inner.list(host, path, options)) as ListedObject[];
        return items.map((i) =>
          i.Path.includes(T2) ? { ...i, RetentionMode: "locked", RetainUntil: "2999-01-01T00:00:00Z" } : i,
        );
      },
    };
    const access = accessOver(client, C);
    await expect(deleteSnapshots(access, [{ location, host: "h1" }], [T2])).rejects.toThrow(
      `snapshots protected by retention lock or event based hold cannot be deleted: [${T2}]`,
    );
    await expect(deleteSnapshots(access, [{ location, host: "h1" }], [T2])).rejects.toBeInstanceOf(ValidationError);
    expect(has(manifestPath(C, "dc1", N, T, T2))).toBe(true);
  });
});
