/**
 * Backup through our server's REST API and sctool against the emulator with our agents (localstorage): the dry-run
 * plan, SM's errors for bad input before anything is snapshotted, a task run to DONE, its progress JSON checked
 * against SM's contract, `sctool progress` in SM's layout, `backup update`, and SM's metric names.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type NodeListener, startNodeListener } from "../../src/server/node-listener.ts";
import { type EmulatedCluster, startCluster } from "../emulator/index.ts";
import { testSchemaSpec } from "../emulator/storage/testing.ts";
import { type InProcessServer, startInProcessServer } from "../support/in-process-server.ts";
import { runSctool } from "../support/run-sctool.ts";
import { applyNullable, createSmContractValidator, readSmDefinitions } from "../support/sm-contract.ts";

const TOKEN = "backup-sctool";
let dir: string;
let emu: EmulatedCluster;
let server: InProcessServer;
let listener: NodeListener;
let apiUrl = "";

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "backup-sctool-"));
  mkdirSync(join(dir, "store", "backups"), { recursive: true });
  emu = await startCluster({
    dcs: [2, 1],
    ipPrefix: "127.2.2.",
    dir: join(dir, "emu"),
    schema: testSchemaSpec(),
    agents: {
      authToken: TOKEN,
      config: {
        localstorage: { path: join(dir, "store") },
        // An object store nobody listens on: the access check must fail naming the node and the location.
        s3: { provider: "Minio", endpoint: "http://127.2.2.250:9", access_key_id: "k", secret_access_key: "s" },
      },
    },
  });
  server = await startInProcessServer();
  listener = await startNodeListener({ hostname: "127.2.2.200", port: 0, fetch: server.app.fetch });
  apiUrl = `http://127.2.2.200:${listener.port}/api/v1`;
  const add = await sctool("cluster", "add", "--host", emu.nodes[0]?.ip ?? "", "--auth-token", TOKEN, "--name", "prod");
  expect(add.code).toBe(0);
}, 60_000);

afterAll(async () => {
  await listener?.close();
  await server?.manager.close();
  await emu?.close();
  rmSync(dir, { recursive: true, force: true });
});

const sctool = (...argv: string[]) => runSctool(apiUrl, argv);

async function api(path: string): Promise<any> {
  const res = await fetch(`${apiUrl}${path}`);
  return res.json();
}

const snapshotsTaken = () => emu.ledger.snapshots().filter((s) => s.action === "take").length;

describe("sctool backup", () => {
  test("--dry-run prints SM's plan and schedules nothing", async () => {
    const out = await sctool("backup", "-c", "prod", "-L", "localstorage:backups", "-K", "ks1,ks3", "--dry-run");
    expect(out.stderr).toContain("NOTICE: dry run mode, backup is not scheduled");
    expect(out.code).toBe(0);
    expect(out.stdout).toStartWith("Data Centers:\n  - dc1\n  - dc2\n\nKeyspaces:\n  - ks1 ");
    expect(out.stdout).toContain("\n  - ks3 all (1 table)\n  - system_schema all (");
    expect(out.stdout).toMatch(/\n\nDisk size: ~[0-9.]+[KMG]iB\n\nLocations:\n {2}- localstorage:backups\n/);
    expect(out.stdout).toContain(
      "Bandwidth Limits:\n  - 100 MiB/s\n\nSnapshot Parallel Limits:\n  - All hosts in parallel",
    );
    expect(out.stdout).toEndWith("Retention Policy:\n  - Last 3 backups\n");
    // Every keyspace (a tablet keyspace's ring is read per table), names listed with --show-tables.
    const all = await sctool("backup", "-c", "prod", "-L", "localstorage:backups", "--dry-run", "--show-tables");
    expect(all.code).toBe(0);
    expect(all.stdout).toContain("\n  - tablet_ks all (tab)\n");
    expect(all.stdout).toContain("\n  - ks3 all (blobs)\n");
    const tasks = await api("/cluster/prod/tasks?type=backup");
    expect(tasks ?? []).toEqual([]);
    expect(snapshotsTaken()).toBe(0);
  });

  test.each([
    [["-L", "ftp:backups"], 'unrecognised provider "ftp"'],
    [["-L", "s3:Bad_Bucket"], "invalid location, the format is [dc:]<provider>:<bucket>"],
    [["-L", "localstorage:backups", "--rate-limit", "dc9:10"], "rate limit: no such datacenter dc9"],
    [["-L", "localstorage:backups", "--retention", "-1"], "invalid retention -1: must be >= 0"],
    [["-L", "localstorage:backups", "--transfers", "0"], "invalid transfers 0"],
    [["-L", "s3:backups"], "location is not accessible\n 127.2.2.1: s3:backups: "],
  ])("bad input %p is refused before any snapshot: %s", async (flags, message) => {
    const out = await sctool("backup", "-c", "prod", ...flags);
    expect(out.code).not.toBe(0);
    expect(out.stderr).toContain(message);
    expect(snapshotsTaken()).toBe(0);
  });

  test("the access-check error names node, location and SM's tip", async () => {
    const out = await sctool("backup", "-c", "prod", "-L", "s3:backups");
    expect(out.stderr).toContain(
      'make sure the location is correct and credentials are set, to debug SSH to 127.2.2.1 and run "scylla-manager-agent check-location -L s3:backups --debug"',
    );
  });

  test("a backup task runs to DONE; progress JSON per SM's contract; sctool progress in SM's layout", async () => {
    const out = await sctool("backup", "-c", "prod", "-L", "localstorage:backups", "-K", "ks1,ks3", "--retention", "2");
    expect(out.code).toBe(0);
    expect(out.stdout).toMatch(/^backup\/[0-9a-f-]{36}\n$/);
    const id = out.stdout.trim().split("/")[1] ?? "";
    let answer: any;
    for (let i = 0; i < 300; i++) {
      answer = await api(`/cluster/prod/task/backup/${id}/latest`);
      if (answer?.run?.status === "DONE" || answer?.run?.status === "ERROR") break;
      await Bun.sleep(200);
    }
    expect(answer.run.status).toBe("DONE");
    const p = answer.progress;
    expect(p.stage).toBe("DONE");
    expect(p.snapshot_tag).toMatch(/^sm_\d{14}UTC$/);
    expect(p.dcs).toEqual(["dc1", "dc2"]);
    expect(p.hosts.map((h: any) => h.host).sort()).toEqual(emu.nodes.map((n) => n.ip).sort());
    expect(p.uploaded + p.skipped).toBe(p.size);
    expect(p.completed_at).not.toBeNull();
    expect(p.eta_seconds).toBe(0);

    // SM's contract, strict (no unknown keys) except our documented `eta_seconds`.
    const defs = readSmDefinitions();
    const strict = (name: string, extra: string[] = []) => {
      const schema = applyNullable(defs[name]) as Record<string, any>;
      const properties = { ...schema.properties };
      for (const e of extra) properties[e] = { type: "integer" };
      return { ...schema, properties, additionalProperties: false };
    };
    const { validate } = createSmContractValidator({
      ...(applyNullable(defs) as object),
      BackupProgress: strict("BackupProgress", ["eta_seconds"]),
      HostProgress: strict("HostProgress"),
      KeyspaceProgress: strict("KeyspaceProgress"),
      TableProgress: strict("TableProgress"),
    });
    expect(validate("TaskRunBackupProgress", answer)).toBe("");

    const progress = await sctool("progress", "-c", "prod", `backup/${id}`);
    expect(progress.code).toBe(0);
    expect(progress.stdout).toContain("Status:\t\tDONE\n");
    expect(progress.stdout).toContain("Progress:\t100%\n");
    expect(progress.stdout).toContain(`Snapshot Tag:\t${p.snapshot_tag}\n`);
    expect(progress.stdout).toContain("Datacenters:\t\n  - dc1\n  - dc2\n");
    expect(progress.stdout).toMatch(/\| Host +\| Progress \| +Size \| +Success \| Deduplicated \| +Failed \|/);
    for (const n of emu.nodes)
      expect(progress.stdout).toMatch(new RegExp(`\\| ${n.ip.replaceAll(".", "\\.")} +\\| +100% \\|`));
    const details = await sctool("progress", "-c", "prod", `backup/${id}`, "--details");
    expect(details.stdout).toContain(`\nHost: ${emu.nodes[0]?.ip}\n`);
    expect(details.stdout).toMatch(/\| Keyspace +\| Table +\| Progress \|/);
    expect(details.stdout).toMatch(/\| ks3 +\| blobs +\| +100% \|/);

    const metrics = await server.metrics.metrics();
    expect(metrics).toContain("scylla_manager_backup_files_uploaded_bytes{");
    expect(metrics).toContain("scylla_manager_backup_snapshot{");
    expect(metrics).toContain("scylla_manager_backup_purge_deleted_files{");

    const update = await sctool("backup", "update", "-c", "prod", `backup/${id}`, "--retention", "5");
    expect(update.code).toBe(0);
    const task = await api(`/cluster/prod/task/backup/${id}`);
    expect(task.properties.retention).toBe(5);
    expect(task.properties.location).toEqual(["localstorage:backups"]);
  }, 120_000);
});
