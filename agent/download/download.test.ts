import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { decodeManifest, sstVersionDir } from "../../src/backup/layout/index.ts";
import { type Captured, captureCommand } from "../offline/testing.ts";
import { runDownloadFiles } from "./command.ts";

// download-files over a bucket holding SM's own manifests (the shared vectors: two clusters, old manifests without
// the newer header fields) plus generated SSTable files, served by the agent's localstorage provider.
const VECTORS = join(import.meta.dir, "../../../shared/vectors/sm-backup-list");
const present = existsSync(VECTORS);
if (!present)
  console.log(`skipping download-files over SM's vector manifests: ${VECTORS} is absent (no ../shared checkout)`);

const CLUSTER = "f840add7-e01a-41ac-bda6-016b1c5d9222";
const NODE = "66767979-d7bc-4426-b086-a66f40a1f2d7";
const TAGS = ["sm_20210602083539UTC", "sm_20210602083541UTC", "sm_20210602083754UTC"] as const;
let root: string;
let config: string;

function run(...argv: string[]): Promise<Captured> {
  return captureCommand(runDownloadFiles, ["-c", config, "-L", "localstorage:bucket", ...argv]);
}

function manifestFile(tag: string): string {
  return join(
    root,
    "bucket",
    `backup/meta/cluster/${CLUSTER}/dc/dc1/node/${NODE}/task_69537b2c-ceea-490f-bf3c-2f99eef46a08_tag_${tag}_manifest.json.gz`,
  );
}

/** The generated content of a file: whose it is, and which version (plain = the newest). */
function body(name: string, version: string): string {
  return `${name} ${version}\n`.repeat(name.length * 3);
}

describe.skipIf(!present)("download-files over SM's vector manifests", () => {
  beforeAll(async () => {
    root = mkdtempSync(join(tmpdir(), "download-files-vectors-"));
    cpSync(join(VECTORS, "backup"), join(root, "bucket", "backup"), { recursive: true });
    // Each file of the newest snapshot exists plainly; the files of the two older snapshots were replaced by it, so
    // their contents live on as `<name>.sm_20210602083754UTC` (what SM's backup leaves when an SSTable ID clashes).
    const newest = await decodeManifest(readFileSync(manifestFile(TAGS[2] as string)));
    const older = await decodeManifest(readFileSync(manifestFile(TAGS[0] as string)));
    for (const meta of newest.index ?? []) {
      const dir = join(root, "bucket", sstVersionDir(CLUSTER, "dc1", NODE, meta.keyspace, meta.table, meta.version));
      mkdirSync(dir, { recursive: true });
      for (const name of meta.files ?? []) writeFileSync(join(dir, name), body(name, "newest"));
      for (const name of older.index?.[0]?.files ?? []) {
        writeFileSync(join(dir, `${name}.${TAGS[2]}`), body(name, "older"));
      }
    }
    config = join(root, "agent.yaml");
    writeFileSync(config, `localstorage:\n  path: ${root}\n`);
  });

  afterAll(() => {
    if (root) rmSync(root, { recursive: true, force: true });
  });

  test("--list-nodes prints SM's listing: clusters by ID, then DC, nodes by IP", async () => {
    const r = await run("--list-nodes");
    expect(r.err).toBe("");
    expect(r.out).toBe(
      [
        "Cluster: test_cluster (2e4ac82f-a7b5-4b6d-ab5e-0a1553a50a21)",
        "dc1:",
        "  - 192.168.100.11 (28e61d9d-dd4e-4d3a-b564-51237c24fd00)",
        "  - 192.168.100.12 (3dbad07e-1b04-4a3d-ade6-bf6044a4488f)",
        "  - 192.168.100.13 (01741e67-c4a5-4076-a2f8-464440a34317)",
        "dc2:",
        "  - 192.168.100.21 (88d4c3ac-da6a-4111-8579-b5e16b816b2c)",
        "  - 192.168.100.22 (35ba4eaf-1799-401c-a9ad-102bc98435e2)",
        "  - 192.168.100.23 (6fff60d0-bd0d-4f02-aae1-f24e8deacb50)",
        "",
        "Cluster: test_cluster (f840add7-e01a-41ac-bda6-016b1c5d9222)",
        "dc1:",
        "  - 192.168.100.11 (f141217b-36b4-47cc-9020-934e25de235e)",
        "  - 192.168.100.12 (e54ce0b1-7afd-4bf9-94ac-838d993413d9)",
        "  - 192.168.100.13 (66767979-d7bc-4426-b086-a66f40a1f2d7)",
        "",
      ].join("\n"),
    );
  });

  test("--list-snapshots: newest first, filtered by keyspace globs", async () => {
    expect((await run("-n", NODE, "--list-snapshots")).out).toBe(`${[...TAGS].reverse().join("\n")}\n`);
    expect((await run("-n", NODE, "--list-snapshots", "-K", "backuptest_*")).out).toBe(
      `${[...TAGS].reverse().join("\n")}\n`,
    );
    expect(await run("-n", NODE, "--list-snapshots", "-K", "system_auth")).toEqual({ code: 0, out: "", err: "" });
  });

  test("--dump-manifest fills the fields an old manifest lacks with their zero values, as SM's encoder", async () => {
    const r = await run("-n", NODE, "-T", TAGS[1] as string, "--dump-manifest");
    expect(r.code).toBe(0);
    const lines = r.out.split("\n");
    expect(lines.slice(0, 5)).toEqual([
      "{",
      '  "version": "v2",',
      '  "scylla_version": "",',
      '  "cluster_name": "test_cluster",',
      '  "ip": "192.168.100.13",',
    ]);
    expect(r.out).toContain('\n  "instance_details": {},\n');
    expect(r.out).toContain('\n  "cluster_id": "00000000-0000-0000-0000-000000000000",\n');
    expect(r.out).toContain('\n      "replication_type": "",\n');
    expect(r.out).toEndWith("\n  ]\n}\n");
    // The first token keeps all its int64 digits.
    expect(lines[7]).toBe("    -9078676821455972090,");
  });

  test("--dry-run takes cluster, DC, node and time from the manifest's path", async () => {
    const data = join(root, "dry");
    mkdirSync(data);
    const r = await run("-n", NODE, "-T", TAGS[1] as string, "--dry-run", "-d", data);
    expect(r.err).toBe("");
    expect(r.out).toBe(
      [
        `Cluster:\ttest_cluster (${CLUSTER})`,
        "Datacenter:\tdc1",
        `Node:\t\t192.168.100.13 (${NODE})`,
        "Time:\t\t2021-06-02 08:35:41 +0000 UTC",
        "Size:\t\t1.198M",
        "",
        "Download:",
        `  - backuptest_data.big_table (1.198M) to ${data}/backuptest_data/big_table-80f329c0c37d11ebab66000000000000`,
        "",
      ].join("\n"),
    );
  });

  test("an older snapshot gets the versions of its files that a later backup replaced, under their plain names", async () => {
    for (const [tag, version] of [
      [TAGS[0], "older"],
      [TAGS[2], "newest"],
    ] as const) {
      const data = join(root, `data-${tag}`);
      mkdirSync(data);
      const r = await run("-n", NODE, "-T", tag, "-d", data, "--mode", "sstableloader", "--rate-limit", "100");
      expect(r.code).toBe(0);
      const manifest = await decodeManifest(readFileSync(manifestFile(tag)));
      for (const name of manifest.index?.[0]?.files ?? []) {
        expect(readFileSync(join(data, "backuptest_data/big_table", name), "utf8")).toBe(body(name, version));
      }
    }
  });

  test("a second run finds every file in place and downloads nothing again", async () => {
    const data = join(root, "data-resume");
    mkdirSync(data);
    const tag = TAGS[2] as string;
    expect((await run("-n", NODE, "-T", tag, "-d", data)).code).toBe(0);
    const manifest = await decodeManifest(readFileSync(manifestFile(tag)));
    const dir = join(data, "backuptest_data/big_table-80f329c0c37d11ebab66000000000000");
    const files = manifest.index?.[0]?.files ?? [];
    const before = files.map((f) => statSync(join(dir, f)).mtimeMs);
    const again = await run("-n", NODE, "-T", tag, "-d", data);
    expect(again.code).toBe(0);
    expect(again.out).toContain(`${files.length} / ${files.length}, 100% (${files.length} already in place)`);
    expect(files.map((f) => statSync(join(dir, f)).mtimeMs)).toEqual(before);
  });

  test("a manifest naming a file the bucket lacks fails, naming the table and the file", async () => {
    const data = join(root, "data-missing");
    mkdirSync(data);
    const manifest = await decodeManifest(readFileSync(manifestFile(TAGS[2] as string)));
    const name = manifest.index?.[0]?.files?.[0] as string;
    const dir = join(
      root,
      "bucket",
      sstVersionDir(CLUSTER, "dc1", NODE, "backuptest_data", "big_table", manifest.index?.[0]?.version as string),
    );
    rmSync(join(dir, name));
    const r = await run("-n", NODE, "-T", TAGS[2] as string, "-d", data);
    expect(r.code).toBe(1);
    expect(r.err).toContain(`STARTUP ERROR: download table backuptest_data.big_table: file ${name} is not present`);
    writeFileSync(join(dir, name), body(name, "newest"));
  });
});
