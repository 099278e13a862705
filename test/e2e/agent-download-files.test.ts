import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import { gunzipSync } from "node:zlib";
import { runDownloadFiles } from "../../agent/download/command.ts";
import { type Captured, captureCommand } from "../../agent/offline/testing.ts";
import { Backup } from "../../src/backup/backup.ts";
import { decodeManifest, parseManifestPath } from "../../src/backup/layout/index.ts";
import { Cluster } from "../../src/cluster/cluster.ts";
import { type EmulatedCluster, startCluster } from "../emulator/index.ts";
import { digestFile } from "../emulator/storage/content.ts";
import { snapshotFiles } from "../emulator/storage/snapshot-digests.ts";
import { testSchemaSpec } from "../emulator/storage/testing.ts";

// `scylla-manager-agent download-files` over a bucket written by our own Backup through our agents on the emulator
// (3 nodes on 127.7.1.x, localstorage): listings, dumps, the dry-run plan, and downloads in each layout checked
// file by file against the bucket and the emulator's ledger (name, size, CRC).
const TOKEN = "download-files-e2e";
const TASK = "0c7e61c8-6a53-4a7b-9b43-2f5d0f7c3a01";
let dir: string;
let emu: EmulatedCluster;
let cluster: Cluster;
let config: string;
let tag = "";
let clusterId = "";
let node: { ip: string; hostId: string; dc: string; restPort: number };
let manifestFile = "";

function run(...argv: string[]): Promise<Captured> {
  return captureCommand(runDownloadFiles, ["-c", config, "-L", "localstorage:backups", ...argv]);
}

/** download-files for the tested node and the backup's snapshot. */
function snap(...argv: string[]): Promise<Captured> {
  return run("-n", node.hostId, "-T", tag, ...argv);
}

/** The manifest of the node the tests download, as stored in the bucket. */
function storedManifest() {
  return decodeManifest(readFileSync(join(dir, "store", "backups", manifestFile)));
}

function filesUnder(root: string): string[] {
  if (!existsSync(root)) return [];
  return readdirSync(root, { withFileTypes: true, recursive: true })
    .filter((e) => e.isFile())
    .map((e) => relative(root, join(e.parentPath, e.name)))
    .sort();
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "download-files-e2e-"));
  mkdirSync(join(dir, "store", "backups"), { recursive: true });
  emu = await startCluster({
    dcs: [3],
    ipPrefix: "127.7.1.",
    dir: join(dir, "emu"),
    schema: testSchemaSpec(),
    agents: { authToken: TOKEN, config: { localstorage: { path: join(dir, "store") } } },
  });
  cluster = await Cluster.connect({ host: emu.nodes[0]?.ip ?? "", authToken: TOKEN });
  const backup = await Backup.plan(cluster, {
    location: ["localstorage:backups"],
    keyspace: ["ks1", "ks3"],
    taskId: TASK,
  });
  tag = (await backup.run()).snapshotTag;
  const first = emu.nodes[1];
  if (!first) throw new Error("no node");
  node = first;
  manifestFile =
    filesUnder(join(dir, "store", "backups")).find(
      (f) => f.startsWith("backup/meta/") && f.includes(`/node/${node.hostId}/`),
    ) ?? "";
  clusterId = parseManifestPath(manifestFile)?.clusterId ?? "";
  // The agent config of a node: the location's provider, and Scylla's API for the local host ID.
  config = join(dir, "agent.yaml");
  writeFileSync(
    config,
    `localstorage:\n  path: ${join(dir, "store")}\nscylla:\n  api_address: ${node.ip}\n  api_port: ${node.restPort}\n`,
  );
}, 120_000);

afterAll(async () => {
  await cluster?.close();
  await emu?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe("download-files over a backup made by our code", () => {
  test("--list-nodes prints every node of the cluster under its DC", async () => {
    const r = await run("--list-nodes");
    expect(r).toMatchObject({ code: 0, err: "" });
    const ips = emu.nodes.map((n) => ({ ip: n.ip, id: n.hostId })).sort((a, b) => (a.ip < b.ip ? -1 : 1));
    const name = (await storedManifest()).cluster_name;
    expect(r.out).toBe(
      `Cluster: ${name === "" ? clusterId : `${name} (${clusterId})`}\n${emu.nodes[0]?.dc}:\n${ips.map((n) => `  - ${n.ip} (${n.id})\n`).join("")}`,
    );
  });

  test("--list-snapshots asks Scylla for the local host ID when --node is not given", async () => {
    expect(await run("--list-snapshots")).toEqual({ code: 0, out: `${tag}\n`, err: "" });
    expect(await run("--list-snapshots", "-K", "nothing_like_this")).toEqual({ code: 0, out: "", err: "" });
  });

  test("--dump-manifest prints the stored manifest JSON indented; --dump-tokens its tokens", async () => {
    const stored = gunzipSync(readFileSync(join(dir, "store", "backups", manifestFile))).toString("utf8");
    const dump = await snap("--dump-manifest");
    expect(dump.code).toBe(0);
    expect(dump.out).toContain('\n  "snapshot_tag": ');
    // Whitespace outside strings removed, the dump is byte for byte the stored JSON (int64 tokens included).
    expect(dump.out.replace(/\s+(?=(?:[^"]*"[^"]*")*[^"]*$)/g, "")).toBe(stored.trimEnd());
    const tokens = await snap("--dump-tokens");
    const manifest = await storedManifest();
    expect(tokens.out).toBe(`${(manifest.tokens ?? []).join(",")}\n`);
    expect(tokens.out.split(",").length).toBe(manifest.tokens?.length ?? -1);
  });

  test("--dry-run prints SM's plan and touches nothing", async () => {
    const data = join(dir, "dry");
    mkdirSync(data);
    const r = await snap("-d", data, "-K", "ks1", "--dry-run");
    expect(r.err).toBe("");
    expect(r.code).toBe(0);
    const manifest = await storedManifest();
    const tables = (manifest.index ?? []).filter((m) => m.keyspace === "ks1" && (m.files ?? []).length > 0);
    const lines = r.out.split("\n");
    expect(lines.slice(0, 3)).toEqual([
      `Cluster:\t${manifest.cluster_name === "" ? clusterId : `${manifest.cluster_name} (${clusterId})`}`,
      `Datacenter:\t${node.dc}`,
      `Node:\t\t${node.ip} (${node.hostId})`,
    ]);
    expect(lines[3]).toMatch(/^Time:\t\t\d{4}-\d\d-\d\d \d\d:\d\d:\d\d \+0000 UTC$/);
    expect(lines[4]).toMatch(/^Size:\t\t[0-9.]+[kMG]?$/);
    expect(lines.slice(5, 7)).toEqual(["", "Download:"]);
    expect(lines.slice(7, -1).sort()).toEqual(
      tables.map((t) =>
        expect.stringMatching(new RegExp(`^  - ks1\\.${t.table} \\(.+\\) to ${data}/ks1/${t.table}-${t.version}$`)),
      ),
    );
    expect(filesUnder(data)).toEqual([]);
  });

  test("download into Scylla's layout, the upload dirs and sstableloader's: right names, sizes and CRCs", async () => {
    const manifest = await storedManifest();
    for (const mode of ["", "upload", "sstableloader"] as const) {
      const data = join(dir, `data-${mode || "default"}`);
      mkdirSync(data);
      const r = await snap("-d", data, "-K", "ks1,ks3", "-p", "3", ...(mode ? ["--mode", mode] : []));
      expect(r.err).toBe("");
      expect(r.code).toBe(0);
      expect(r.out).toContain("Transferred:");
      const expected: string[] = [];
      for (const meta of manifest.index ?? []) {
        if (meta.keyspace === "system_schema") continue;
        const sub =
          mode === "sstableloader"
            ? `${meta.keyspace}/${meta.table}`
            : `${meta.keyspace}/${meta.table}-${meta.version}${mode === "upload" ? "/upload" : ""}`;
        const captured = snapshotFiles(emu.ledger, tag, meta.keyspace, meta.table)
          .filter((c) => c.host === node.ip)
          .map((c) => ({ name: c.name, size: c.size, crc32: c.digest }))
          .sort((a, b) => a.name.localeCompare(b.name));
        const landed = (meta.files ?? [])
          .map((name) => {
            const d = digestFile(join(data, sub, name));
            return { name, size: d.size, crc32: d.crc32 };
          })
          .sort((a, b) => a.name.localeCompare(b.name));
        expect(landed).toEqual(captured);
        for (const name of meta.files ?? []) expected.push(`${sub}/${name}`);
      }
      // Nothing else was written: no system_schema (filtered out), no manifests, no partial files.
      expect(filesUnder(data)).toEqual(expected.sort());
    }
  }, 60_000);

  test("--clear-tables removes the old files of every version dir of the table first", async () => {
    const manifest = await storedManifest();
    const meta = (manifest.index ?? []).find((m) => m.keyspace === "ks1" && (m.files ?? []).length > 0);
    if (!meta) throw new Error("no ks1 table in the manifest");
    const data = join(dir, "data-clear");
    const oldVersion = join(data, "ks1", `${meta.table}-${"0".repeat(32)}`);
    const current = join(data, "ks1", `${meta.table}-${meta.version}`);
    mkdirSync(oldVersion, { recursive: true });
    mkdirSync(join(current, "snapshots"), { recursive: true });
    writeFileSync(join(oldVersion, "me-1-big-Data.db"), "stale");
    writeFileSync(join(current, "me-9-big-Data.db"), "stale");
    writeFileSync(join(current, "snapshots", "keep.db"), "kept");
    const plan = await snap("-d", data, "-K", `ks1.${meta.table}`, "--clear-tables", "--dry-run");
    expect(plan.code).toBe(0);
    expect(plan.out).toContain(
      `\nClear:\n  - ks1.${meta.table} at ${oldVersion}\n  - ks1.${meta.table} at ${current}\n`,
    );
    expect(existsSync(join(current, "me-9-big-Data.db"))).toBe(true);
    const r = await snap("-d", data, "-K", `ks1.${meta.table}`, "--clear-tables");
    expect(r.code).toBe(0);
    expect(filesUnder(oldVersion)).toEqual([]);
    expect(filesUnder(current)).toEqual([...(meta.files ?? []), "snapshots/keep.db"].sort());
  });

  test("bad input: SM's errors on stderr and exit code 1", async () => {
    const cases: Array<[string[], string]> = [
      [
        ["--list-nodes", "--dry-run"],
        'you can specify only one of the flags: "dry-run", "dump-manifest", "dump-tokens", "list-snapshots", "list-nodes"',
      ],
      [["-n", node.hostId], 'required flag(s) "snapshot-tag" not set'],
      [["-n", node.hostId, "-T", "sm_20000101000000UTC", "--dry-run"], "lookup manifest: no manifests found"],
      [["-n", node.hostId, "-T", tag, "-K", "nope", "--dry-run", "-d", dir], "no data matching filters nope.*"],
      [
        ["-n", node.hostId, "-T", tag, "--dry-run", "-d", join(dir, "missing")],
        `stat ${join(dir, "missing")}: no such file or directory`,
      ],
      [
        ["-T", "yesterday"],
        'invalid argument "yesterday" for "-T, --snapshot-tag" flag: not a Scylla Manager snapshot tag',
      ],
      [["--mode", "flat"], 'invalid argument "flat" for "--mode" flag: unsupported table dir mode'],
      [["--bogus"], "unknown flag: --bogus"],
    ];
    for (const [argv, message] of cases) {
      const r = await run(...argv);
      expect({ argv, code: r.code, out: r.out }).toEqual({ argv, code: 1, out: "" });
      expect(r.err).toStartWith(`\nSTARTUP ERROR: ${message}`);
      expect(r.err).toEndWith("\n\n");
    }
    let err = "";
    const code = await runDownloadFiles(["--list-nodes"], { out: () => {}, err: (t) => (err += t) });
    expect(code).toBe(1);
    expect(err).toBe('\nSTARTUP ERROR: required flag(s) "location" not set\n\n');
  });
});
