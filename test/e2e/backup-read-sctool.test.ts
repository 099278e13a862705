/**
 * `sctool backup list|files|delete` end to end: sctool → our REST server → our agents on the emulator (listing and
 * reading the bucket through the rclone API). `list` and `files` over SM's own manifests (../shared/vectors, mounted
 * read-only as a localstorage bucket) must print exactly the golden texts in testdata/ (SM's rendering of those
 * manifests); `delete` runs on a bucket our encoder wrote.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { parseLocation } from "../../src/backup/layout/location.ts";
import type { Manifest } from "../../src/backup/layout/manifest.ts";
import { encodeManifest } from "../../src/backup/layout/manifest-codec.ts";
import { manifestPath, sstVersionDir } from "../../src/backup/layout/paths.ts";
import type { Manager } from "../../src/manager/manager.ts";
import { type EmulatedCluster, startCluster } from "../emulator/index.ts";
import { callApi, startInProcessServer } from "../support/in-process-server.ts";
import { runSctool } from "../support/run-sctool.ts";

const VECTORS = join(import.meta.dir, "../../../shared/vectors");
const present = existsSync(join(VECTORS, "sm-backup-list"));
if (!present) console.log(`skipping sctool backup list/files goldens: ${VECTORS} is absent (no ../shared checkout)`);
const TOKEN = "layout-e2e";

let dir: string;
let emu: EmulatedCluster;
let server: ReturnType<typeof Bun.serve>;
let manager: Manager;
let app: Awaited<ReturnType<typeof startInProcessServer>>["app"];
let apiUrl = "";
let clusterId = "";

const sctool = (...argv: string[]) => runSctool(apiUrl, argv);

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "layout-e2e-"));
  // The agents' localstorage root holds two buckets: a copy of SM's vectors, and one we write.
  const store = join(dir, "store");
  mkdirSync(join(store, "ours"), { recursive: true });
  if (present) cpSync(join(VECTORS, "sm-backup-list"), join(store, "sm-backup-list"), { recursive: true });
  emu = await startCluster({
    dcs: [2],
    ipPrefix: "127.7.1.",
    dir: join(dir, "emu"),
    agents: { authToken: TOKEN, config: { localstorage: { path: store } } },
  });
  const started = await startInProcessServer();
  manager = started.manager;
  app = started.app;
  server = Bun.serve({ hostname: "127.7.1.100", port: 0, fetch: started.app.fetch });
  apiUrl = `http://127.7.1.100:${server.port}/api/v1`;
  const add = await sctool(
    "cluster",
    "add",
    "--host",
    emu.nodes[0]?.ip ?? "",
    "--name",
    "layout",
    "--auth-token",
    TOKEN,
  );
  expect(add.code).toBe(0);
  clusterId = add.stdout.trim();
}, 60_000);

afterAll(async () => {
  server?.stop(true);
  await manager?.close();
  await emu?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe("SM's manifests through our agents", () => {
  test.skipIf(!present)("backup list --all-clusters prints SM's listing", async () => {
    const out = await sctool("backup", "list", "-c", "layout", "-L", "localstorage:sm-backup-list", "--all-clusters");
    expect(out.stderr).toBe("");
    expect(out.code).toBe(0);
    expect(out.stdout).toBe(
      readFileSync(join(import.meta.dir, "testdata/backup-list-all-clusters.golden.txt"), "utf8"),
    );
    const tables = await sctool(
      "backup",
      "list",
      "-c",
      "layout",
      "-L",
      "localstorage:sm-backup-list",
      "--all-clusters",
      "--show-tables",
    );
    expect(tables.stdout).toBe(
      readFileSync(join(import.meta.dir, "testdata/backup-list-all-clusters-show-tables.golden.txt"), "utf8"),
    );
  });

  test.skipIf(!present)("backup files -T prints every file of the snapshot, schema first", async () => {
    const out = await sctool(
      "backup",
      "files",
      "-c",
      "layout",
      "-L",
      "localstorage:sm-backup-list",
      "--all-clusters",
      "-T",
      "sm_20210416130831UTC",
    );
    expect(out.code).toBe(0);
    expect(out.stdout).toBe(
      readFileSync(join(import.meta.dir, "testdata/backup-files-sm_20210416130831UTC.golden.txt"), "utf8"),
    );
  });

  test.skipIf(!present)("without --all-clusters only this cluster's backups: none here", async () => {
    const out = await sctool("backup", "list", "-c", "layout", "-L", "localstorage:sm-backup-list");
    expect(out.code).toBe(0);
    expect(out.stdout).toBe("");
  });

  test.skipIf(!present)("REST filters answer SM's JSON", async () => {
    const q = "locations=localstorage:sm-backup-list&keyspace=backuptest_data&min_date=2021-06-02T08:35:40Z";
    const answer = await callApi(app, "GET", `/cluster/${clusterId}/backups?${q}`);
    expect(answer.status).toBe(200);
    expect(answer.json).toEqual([
      {
        cluster_id: "f840add7-e01a-41ac-bda6-016b1c5d9222",
        task_id: "69537b2c-ceea-490f-bf3c-2f99eef46a08",
        units: [{ keyspace: "backuptest_data", tables: ["big_table"], all_tables: false }],
        snapshot_info: [
          { snapshot_tag: "sm_20210602083754UTC", nodes: 3, size: 677634294 },
          { snapshot_tag: "sm_20210602083541UTC", nodes: 3, size: 3768102 },
        ],
      },
    ]);
  });
});

test.skipIf(!present)("the library: Backup.list and Backup.files answer what the REST API answers", async () => {
  const { Backup } = await import("../../src/backup/backup.ts");
  const { Cluster } = await import("../../src/cluster/cluster.ts");
  const cluster = await Cluster.connect({ host: emu.nodes[0]?.ip ?? "", authToken: TOKEN });
  try {
    const items = await Backup.list(cluster, { location: ["localstorage:sm-backup-list"] });
    const rest = await callApi(app, "GET", `/cluster/${clusterId}/backups?locations=localstorage:sm-backup-list`);
    expect(items).toEqual(rest.json);
    expect(items.length).toBe(2);
    const files = await Backup.files(cluster, {
      location: ["localstorage:sm-backup-list"],
      snapshotTag: "sm_20210416130831UTC",
    });
    expect(files.length).toBe(6);
  } finally {
    await cluster.close();
  }
});

describe("bad input", () => {
  test("no locations and no backup task: 400 missing locations", async () => {
    const answer = await callApi(app, "GET", `/cluster/${clusterId}/backups`);
    expect(answer.status).toBe(400);
    expect(answer.json.message).toContain("missing locations");
  });

  test("a malformed location, date or query cluster: 400 naming it", async () => {
    const bad = await sctool("backup", "list", "-c", "layout", "-L", "s3:Bad_Bucket");
    expect(bad.code).not.toBe(0);
    expect(bad.stderr).toContain("the bucket name must be DNS compliant");
    const date = await callApi(app, "GET", `/cluster/${clusterId}/backups?locations=s3:b&min_date=yesterday`);
    expect(date.status).toBe(400);
    expect(date.json.message).toContain("invalid min_date");
    const qc = await callApi(app, "GET", `/cluster/${clusterId}/backups?locations=s3:b&query_cluster_id=nope`);
    expect(qc.status).toBe(400);
    expect(qc.json.message).toContain("invalid query_cluster_id");
  });

  test("a location no node can read (a DC the cluster lacks): SM's no matching hosts message", async () => {
    const out = await sctool("backup", "list", "-c", "layout", "-L", "dc9:localstorage:sm-backup-list");
    expect(out.code).not.toBe(0);
    expect(out.stderr).toContain("no matching hosts found for location dc9:localstorage:sm-backup-list");
  });

  test("backup delete without tags, and of a tag nobody has", async () => {
    const none = await sctool("backup", "delete", "-c", "layout", "-L", "localstorage:ours");
    expect(none.code).not.toBe(0);
    expect(none.stderr).toContain('required flag(s) "snapshot-tag" not set');
    const missing = await sctool(
      "backup",
      "delete",
      "-c",
      "layout",
      "-L",
      "localstorage:ours",
      "-T",
      "sm_20200101000000UTC",
    );
    expect(missing.code).not.toBe(0);
    expect(missing.stderr).toContain("delete snapshots: not found");
  });
});

test("backup delete removes a snapshot of this cluster and keeps files another snapshot shares", async () => {
  const bucket = join(dir, "store", "ours");
  const node = emu.nodes[0]?.hostId ?? "";
  const task = "0f6f1b5e-8f1e-4a47-9d75-3c8b2f0f4a11";
  const version = "f34b6ff0f8f711eb9fcf000000000000";
  const sst = sstVersionDir(clusterId, "dc1", node, "ks", "t", version);
  const put = (rel: string, data: Uint8Array | string) => {
    mkdirSync(dirname(join(bucket, rel)), { recursive: true });
    writeFileSync(join(bucket, rel), data);
  };
  const manifest = (tag: string, files: string[]): Manifest => ({
    version: "v2",
    scylla_version: "",
    cluster_name: "layout",
    ip: emu.nodes[0]?.ip ?? "",
    size: files.length,
    tokens: null,
    schema: "",
    rack: "",
    shard_count: 0,
    cpu_count: 0,
    storage_size: 0,
    instance_details: {},
    dc: "dc1",
    cluster_id: clusterId,
    node_id: node,
    task_id: task,
    snapshot_tag: tag,
    index: [
      {
        keyspace: "ks",
        table: "t",
        replication_type: "vnodes",
        version,
        files,
        size: files.length,
        scylla_manifests: null,
      },
    ],
  });
  const [old, kept] = ["sm_20240101000000UTC", "sm_20240102000000UTC"];
  put(
    manifestPath(clusterId, "dc1", node, task, old),
    await encodeManifest(manifest(old, ["old-Data.db", "both-Data.db"])),
  );
  put(
    manifestPath(clusterId, "dc1", node, task, kept),
    await encodeManifest(manifest(kept, ["new-Data.db", "both-Data.db"])),
  );
  for (const f of ["old-Data.db", "new-Data.db", "both-Data.db"]) put(`${sst}/${f}`, "x");

  const list = await sctool("backup", "list", "-c", "layout", "-L", "localstorage:ours");
  expect(list.stdout).toContain(`backup/${task}\nSnapshots:\n  - ${kept} (2B, 1 nodes)\n  - ${old} (2B, 1 nodes)\n`);
  const del = await sctool("backup", "delete", "-c", "layout", "-L", "localstorage:ours", "-T", old);
  expect(del.stderr).toBe("");
  expect(del.code).toBe(0);
  expect(existsSync(join(bucket, manifestPath(clusterId, "dc1", node, task, old)))).toBe(false);
  expect(existsSync(join(bucket, `${sst}/old-Data.db`))).toBe(false);
  expect(existsSync(join(bucket, `${sst}/both-Data.db`))).toBe(true);
  expect(existsSync(join(bucket, `${sst}/new-Data.db`))).toBe(true);
  const after = await sctool("backup", "list", "-c", "layout", "-L", "localstorage:ours");
  expect(after.stdout).not.toContain(old);
  expect(parseLocation("localstorage:ours").bucket).toBe("ours");
});
