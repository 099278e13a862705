/**
 * `scylla-manager import-sm` from a keyspace created with Scylla Manager 3.x's own schema (test/support/sm-keyspace.ts:
 * the tables, types and TTLs SM's `schema/*.cql` migrations leave, and their gocqlx_migrate rows), filled with rows
 * as SM writes them, into SQLite and into CQL; then the imported runs resume and our server shows the same tasks,
 * schedules, history and progress.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import cassandra from "cassandra-driver";
import * as v from "valibot";
import { BackupRunSchema, RunProgressSchema } from "../../src/backup/model.ts";
import { formatImportSummary, importSm } from "../../src/importsm/import.ts";
import { runImportSm } from "../../src/importsm/main.ts";
import { IMPORT_MARKER, type ImportMarker } from "../../src/importsm/marker.ts";
import { findPrevRun } from "../../src/repair/progress.ts";
import { startDaemon } from "../../src/server/daemon.ts";
import { describeTarget } from "../../src/store/cql/connect.ts";
import { openCqlStore } from "../../src/store/cql/store.ts";
import { openSqliteStore } from "../../src/store/sqlite/store.ts";
import type { Store } from "../../src/store/store.ts";
import { cqlOptions, cqlSkipReason, testSecretKey, uniqueKeyspace } from "../support/cql-store.ts";
import { createSmKeyspace } from "../support/sm-keyspace.ts";

if (cqlSkipReason) console.warn(`[external] skipping the import-sm tests: ${cqlSkipReason}`);

const smKeyspace = uniqueKeyspace("sm3");
const dir = mkdtempSync(join(tmpdir(), "sm-import-"));
const CID = "7f1b2a3c-0000-4000-8000-000000000001";
const REPAIR = "7f1b2a3c-0000-4000-8000-0000000000a1";
const BACKUP = "7f1b2a3c-0000-4000-8000-0000000000b1";
const HEALTH = "7f1b2a3c-0000-4000-8000-0000000000c1";
const GONE = "7f1b2a3c-0000-4000-8000-0000000000d1";
// Time-UUIDs, oldest first.
const RUN0 = "9a6d7f20-b1c0-11f0-8000-000000000001";
const RUN1 = "9a6d7f20-b1c1-11f0-8000-000000000001";
const RUN2 = "9a6d7f20-b1c2-11f0-8000-000000000001";
/** What gocql writes for an unset time.Time. */
const GO_ZERO = new Date("0001-01-01T00:00:00Z");
// Tokens beyond 2^53: they must come through exactly.
const MIN_TOKEN = "-9223372036854775808";
const TOKEN_A = "-3074457345618258603";
const TOKEN_B = "9007199254740993";
const CERT_PEM = "-----BEGIN CERTIFICATE-----\nMIIBfixture\n-----END CERTIFICATE-----\n";
const KEY_PEM = "-----BEGIN PRIVATE KEY-----\nMIIEfixture\n-----END PRIVATE KEY-----\n";
let admin: cassandra.Client | undefined;
const source = () => cqlOptions(smKeyspace);

afterAll(async () => {
  await admin?.execute(`DROP KEYSPACE IF EXISTS "${smKeyspace}"`).catch(() => undefined);
  await admin?.shutdown();
  rmSync(dir, { recursive: true, force: true });
}, 60_000);

describe.skipIf(Boolean(cqlSkipReason))("import-sm", () => {
  beforeAll(async () => {
    const o = source();
    admin = new cassandra.Client({
      contactPoints: o.hosts,
      localDataCenter: o.localDc || "datacenter1",
      ...(o.user ? { credentials: { username: o.user, password: o.password ?? "" } } : {}),
      socketOptions: { readTimeout: 60_000 },
    });
    await admin.connect();
    await createSmKeyspace(admin, smKeyspace);
    const ks = `"${smKeyspace}"`;
    const w = (q: string, p: unknown[]) => admin?.execute(q, p, { prepare: true });
    // Rows as SM writes them: every UDT field set (Go's zero time for an unset start_date), the cron as JSON text,
    // retry_wait in seconds, properties as a JSON blob, secrets as JSON with Go []byte fields in base64.
    const sched = (cron: string, extra: Record<string, unknown> = {}) => ({
      start_date: GO_ZERO,
      interval_seconds: 0,
      num_retries: 3,
      cron: JSON.stringify({ spec: cron, start_date: "0001-01-01T00:00:00Z" }),
      window: [],
      timezone: "UTC",
      retry_wait: cassandra.types.Long.fromNumber(600),
      ...extra,
    });
    const task = (type: string, id: string, name: string, enabled: boolean, s: unknown, props: unknown) =>
      w(
        `INSERT INTO ${ks}.scheduler_task (cluster_id, type, id, name, labels, enabled, deleted, sched, properties, status, success_count, error_count, last_success, last_error) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
        [CID, type, id, name, {}, enabled, false, s, Buffer.from(JSON.stringify(props)), "NEW", 0, 0, GO_ZERO, GO_ZERO],
      );
    await w(
      `INSERT INTO ${ks}.cluster (id, name, labels, host, known_hosts, port, auth_token, force_tls_disabled, force_non_ssl_session_port) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      [CID, "prod", { env: "prod" }, "10.0.0.1", ["10.0.0.1", "10.0.0.2"], 10001, "token", false, false],
    );
    await w(`INSERT INTO ${ks}.secrets (cluster_id, key, value) VALUES (?, ?, ?)`, [
      CID,
      "cql_creds",
      Buffer.from(JSON.stringify({ username: "scylla", password: "s3cret" })),
    ]);
    await w(`INSERT INTO ${ks}.secrets (cluster_id, key, value) VALUES (?, ?, ?)`, [
      CID,
      "tls_identity",
      Buffer.from(
        JSON.stringify({
          cert: Buffer.from(CERT_PEM).toString("base64"),
          private_key: Buffer.from(KEY_PEM).toString("base64"),
        }),
      ),
    ]);
    await task("repair", REPAIR, "all-weekly", true, sched("0 23 * * SAT"), { intensity: 1, parallel: 0 });
    await w(
      `UPDATE ${ks}.scheduler_task SET status = 'STOPPED', success_count = 2, last_success = ? WHERE cluster_id = ? AND type = 'repair' AND id = ?`,
      [new Date("2026-11-29T23:10:00Z"), CID, REPAIR],
    );
    await task(
      "backup",
      BACKUP,
      "daily",
      true,
      sched("0 1 * * *", { window: ["Mon-0:00", "Mon-6:00"], timezone: "Europe/Warsaw" }),
      { location: ["s3:bucket"], retention: 7 },
    );
    await w(
      `UPDATE ${ks}.scheduler_task SET status = 'ERROR', error_count = 1, last_error = ? WHERE cluster_id = ? AND type = 'backup' AND id = ?`,
      [new Date("2026-12-01T01:05:00Z"), CID, BACKUP],
    );
    // SM's default health check, and a task deleted in SM (soft: deleted, disabled, no name).
    await task("healthcheck", HEALTH, "cql", false, sched("@every 15s", { num_retries: 0 }), { mode: "cql" });
    await task("repair", GONE, "", false, sched(""), {});
    await w(`UPDATE ${ks}.scheduler_task SET deleted = true WHERE cluster_id = ? AND type = 'repair' AND id = ?`, [
      CID,
      GONE,
    ]);

    const taskRun = (type: string, taskId: string, id: string, status: string, cause: string, end: Date) =>
      w(
        `INSERT INTO ${ks}.scheduler_task_run (cluster_id, type, task_id, id, status, cause, owner, start_time, end_time) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
        [CID, type, taskId, id, status, cause, "", new Date(end.getTime() - 60_000), end],
      );
    await taskRun("backup", BACKUP, RUN1, "DONE", "", new Date("2026-11-30T01:05:00Z"));
    await taskRun("backup", BACKUP, RUN2, "ERROR", "upload failed", new Date("2026-12-01T01:05:00Z"));
    await taskRun("repair", REPAIR, RUN0, "STOPPED", "", new Date("2026-11-29T23:10:00Z"));
    await w(
      `INSERT INTO ${ks}.backup_run (cluster_id, task_id, id, prev_id, snapshot_tag, units, dc, location, nodes, stage, start_time, retention_lock_mode, override_retention_lock, retention_days) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      [
        CID,
        BACKUP,
        RUN2,
        null,
        "sm_20261201010000UTC",
        [{ keyspace_name: "ks", tables: ["t1"] }],
        ["dc1"],
        ["s3:bucket"],
        ["10.0.0.1"],
        "UPLOAD",
        new Date("2026-12-01T01:00:00Z"),
        "",
        false,
        0,
      ],
    );
    for (const host of ["10.0.0.1", "10.0.0.2"]) {
      await w(
        `INSERT INTO ${ks}.backup_run_progress (cluster_id, task_id, run_id, host, unit, table_name, agent_job_id, size, uploaded, skipped, failed, error, started_at, completed_at, scylla_task_id, files_count, files_skipped_count) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
        [CID, BACKUP, RUN2, host, 0, "t1", 7, 1000, 400, 0, 0, "", new Date("2026-12-01T01:01:00Z"), GO_ZERO, "", 4, 0],
      );
    }
    // An unfinished repair (end_time unset), as SM leaves it when a run is stopped: resumable.
    await w(
      `INSERT INTO ${ks}.repair_run (cluster_id, task_id, id, prev_id, dc, host, intensity, parallel, start_time, end_time) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      [CID, REPAIR, RUN0, null, ["dc1"], "", 1, 0, new Date("2026-11-29T23:09:00Z"), GO_ZERO],
    );
    for (const [host, success] of [
      ["10.0.0.1", 256],
      ["10.0.0.2", 128],
    ] as const) {
      await w(
        `INSERT INTO ${ks}.repair_run_progress (cluster_id, task_id, run_id, host, keyspace_name, table_name, token_ranges, success, error, size, started_at, completed_at, duration, duration_started_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
        [
          CID,
          REPAIR,
          RUN0,
          host,
          "ks",
          "t1",
          256,
          success,
          0,
          5000,
          new Date("2026-11-29T23:09:00Z"),
          success === 256 ? new Date("2026-11-29T23:10:00Z") : GO_ZERO,
          0,
          GO_ZERO,
        ],
      );
    }
    await w(
      `INSERT INTO ${ks}.repair_run_state (cluster_id, task_id, run_id, keyspace_name, table_name, success_ranges) VALUES (?, ?, ?, ?, ?, ?)`,
      [
        CID,
        REPAIR,
        RUN0,
        "ks",
        "t1",
        [
          {
            start_token: cassandra.types.Long.fromString(MIN_TOKEN),
            end_token: cassandra.types.Long.fromString(TOKEN_A),
          },
          {
            start_token: cassandra.types.Long.fromString(TOKEN_A),
            end_token: cassandra.types.Long.fromString(TOKEN_B),
          },
        ],
      ],
    );
  }, 240_000);

  test("dry run reports and writes nothing; apply imports into SQLite; a second apply needs --overwrite", async () => {
    const file = join(dir, "target.db");
    const target = await openSqliteStore(file, { secretKey: testSecretKey });
    try {
      const dry = await importSm({ source: source(), target });
      expect(dry).toMatchObject({
        applied: false,
        clusters: [{ id: CID, name: "prod" }],
        secrets: 2,
        tasks: { repair: 2, backup: 1, healthcheck: 1 },
        runs: 3,
        serviceRuns: { repair_run: 1, backup_run: 1 },
        progressRows: { repair_run_progress: 2, repair_run_state: 1, backup_run_progress: 2 },
        conflicts: [],
        // Every table of SM 3.x is there.
        missingTables: [],
      });
      expect(await target.listClusters()).toEqual([]);

      const done = await importSm({ source: source(), target, apply: true });
      expect(done.applied).toBe(true);
      expect(await target.getCluster(CID)).toMatchObject({
        name: "prod",
        labels: { env: "prod" },
        knownHosts: ["10.0.0.1", "10.0.0.2"],
        port: 10001,
        authToken: "token",
      });
      const secret = async (key: string) =>
        JSON.parse(new TextDecoder().decode(await target.getSecret(CID, key))) as unknown;
      expect(await secret("cql_creds")).toEqual({ username: "scylla", password: "s3cret" });
      expect(await secret("tls_identity")).toEqual({ cert: CERT_PEM, private_key: KEY_PEM });
      expect(await target.getTask(CID, "repair", REPAIR)).toMatchObject({
        name: "all-weekly",
        enabled: true,
        schedule: { cron: "0 23 * * SAT", startDate: null, numRetries: 3, retryWaitSeconds: 600, timezone: "UTC" },
        properties: { intensity: 1, parallel: 0 },
        status: "STOPPED",
        successCount: 2,
        lastSuccess: "2026-11-29T23:10:00.000Z",
        lastError: null,
      });
      expect((await target.getTask(CID, "backup", BACKUP))?.schedule).toMatchObject({
        window: ["Mon-0:00", "Mon-6:00"],
        timezone: "Europe/Warsaw",
      });
      expect(await target.getTask(CID, "repair", GONE)).toMatchObject({ deleted: true, enabled: false });
      expect((await target.listRuns(CID, "backup", BACKUP, 0)).map((r) => [r.id, r.status, r.cause])).toEqual([
        [RUN2, "ERROR", "upload failed"],
        [RUN1, "DONE", ""],
      ]);

      // Backup: the run and its progress are what our backup service reads.
      const backupRun = v.parse(BackupRunSchema, (await target.getServiceRun("backup_run", CID, BACKUP, RUN2))?.value);
      expect(backupRun).toMatchObject({
        prev_id: "",
        snapshot_tag: "sm_20261201010000UTC",
        units: [{ keyspace: "ks", tables: ["t1"], all_tables: false }],
        stage: "UPLOAD",
        start_time: "2026-12-01T01:00:00.000Z",
      });
      const progress = await target.listProgress("backup_run_progress", CID, BACKUP, RUN2);
      expect(progress.map((p) => p.key)).toEqual(["10.0.0.1/0/t1", "10.0.0.2/0/t1"]);
      expect(v.parse(RunProgressSchema, progress[0]?.value)).toMatchObject({
        host: "10.0.0.1",
        unit: 0,
        table_name: "t1",
        size: 1000,
        uploaded: 400,
        files_count: 4,
        started_at: "2026-12-01T01:01:00.000Z",
        completed_at: null,
      });

      // Repair: the stopped run is the one a new run resumes from, with its repaired ranges exact.
      const prev = await findPrevRun(target, { clusterId: CID, taskId: REPAIR, runId: "new" }, 0, Date.now());
      expect(prev?.id).toBe(RUN0);
      expect(prev?.run).toMatchObject({ prev_id: "", dc: ["dc1"], intensity: 1, end_time: null });
      expect(await target.listProgress("repair_run_state", CID, REPAIR, RUN0)).toEqual([
        {
          key: "ks.t1",
          value: {
            keyspace: "ks",
            table: "t1",
            success_ranges: [
              [MIN_TOKEN, TOKEN_A],
              [TOKEN_A, TOKEN_B],
            ],
          },
        },
      ]);
      expect((await target.listProgress("repair_run_progress", CID, REPAIR, RUN0)).map((p) => p.value)).toEqual([
        {
          host: "10.0.0.1",
          keyspace: "ks",
          table: "t1",
          size: 5000,
          token_ranges: 256,
          success: 256,
          error: 0,
          started_at: "2026-11-29T23:09:00.000Z",
          completed_at: "2026-11-29T23:10:00.000Z",
        },
        {
          host: "10.0.0.2",
          keyspace: "ks",
          table: "t1",
          size: 5000,
          token_ranges: 256,
          success: 128,
          error: 0,
          started_at: "2026-11-29T23:09:00.000Z",
          completed_at: null,
        },
      ]);

      await expect(importSm({ source: source(), target, apply: true })).rejects.toThrow(/already exist/);
      const again = await importSm({ source: source(), target, apply: true, overwrite: true });
      expect(again.conflicts).toHaveLength(5);
    } finally {
      await target.close();
    }
  }, 120_000);

  test("an import that stopped mid-way is reported, finished by a re-run without --overwrite, refused from another source", async () => {
    const inner = await openSqliteStore(join(dir, "partial.db"), { secretKey: testSecretKey });
    try {
      // The store fails once the batches (clusters, tasks, history) are written, before the secrets: an import
      // killed mid-way.
      const failing: Store = {
        ...inner,
        putSecret: async () => {
          throw new Error("store went away");
        },
      };
      await expect(importSm({ source: source(), target: failing, apply: true })).rejects.toThrow(/store went away/);
      expect(await inner.getCluster(CID)).toBeDefined();
      expect(await inner.getSecret(CID, "cql_creds")).toBeUndefined();
      const marker = (await inner.getDrawer(IMPORT_MARKER.clusterId, IMPORT_MARKER.key)) as ImportMarker;
      expect(marker.source).toBe(describeTarget(source()));

      // Every later run says so; a dry run writes nothing.
      const dry = await importSm({ source: source(), target: inner });
      expect(dry.unfinished).toEqual(marker);
      expect(dry.conflicts.length).toBeGreaterThan(0);
      expect(formatImportSummary(dry)).toContain(`unfinished import from ${marker.source}`);
      expect(formatImportSummary(dry)).toContain("--apply finishes it");

      // Another source is refused unless --overwrite, naming the unfinished one.
      await inner.putDrawer(IMPORT_MARKER.clusterId, IMPORT_MARKER.key, { ...marker, source: "cql://elsewhere/sm" });
      await expect(importSm({ source: source(), target: inner, apply: true })).rejects.toThrow(
        /unfinished import from cql:\/\/elsewhere\/sm/,
      );
      expect(await inner.getSecret(CID, "cql_creds")).toBeUndefined();
      await inner.putDrawer(IMPORT_MARKER.clusterId, IMPORT_MARKER.key, marker);

      // The same source, no --overwrite: the objects it wrote are not conflicts; it finishes and clears the marker.
      const finished = await importSm({ source: source(), target: inner, apply: true });
      expect(finished.applied).toBe(true);
      expect(finished.unfinished).toBeUndefined();
      expect(await inner.getDrawer(IMPORT_MARKER.clusterId, IMPORT_MARKER.key)).toBeUndefined();
      expect(await inner.getSecret(CID, "cql_creds")).toBeDefined();
      expect((await inner.listRuns(CID, "backup", BACKUP, 0)).map((r) => r.id)).toEqual([RUN2, RUN1]);
      expect(await inner.listProgress("repair_run_state", CID, REPAIR, RUN0)).toHaveLength(1);
      // Finished: a further apply is an ordinary one again.
      await expect(importSm({ source: source(), target: inner, apply: true })).rejects.toThrow(/already exist/);
    } finally {
      await inner.close();
    }
  }, 120_000);

  test("our CQL store refuses SM's own keyspace and leaves it untouched", async () => {
    await expect(openCqlStore(cqlOptions(smKeyspace))).rejects.toThrow(/Scylla Manager's own keyspace/);
    const tables = await admin?.execute("SELECT table_name FROM system_schema.tables WHERE keyspace_name = ?", [
      smKeyspace,
    ]);
    const names = tables?.rows.map((r) => String(r.get("table_name"))) ?? [];
    expect(names).toContain("scheduler_task");
    expect(names).not.toContain("service_run");
  }, 60_000);

  test("into a CQL store, through the command line; our server then shows the same tasks, history and progress", async () => {
    const targetKs = uniqueKeyspace("imported");
    const o = source();
    const configFile = join(dir, "cql.json");
    writeFileSync(
      configFile,
      JSON.stringify({
        http: "127.6.4.1:0",
        prometheus: "",
        store: "cql",
        data_dir: join(dir, "cql-data"),
        secret_key: Buffer.from(testSecretKey).toString("hex"),
        logger: { level: "error" },
        database: { hosts: o.hosts, keyspace: targetKs, user: o.user, password: o.password, timeout: "10s" },
      }),
    );
    let out = "";
    let err = "";
    const argv = ["-c", configFile, "--source-keyspace", smKeyspace];
    expect(
      await runImportSm(
        argv,
        (t) => (out += t),
        (t) => (err += t),
      ),
    ).toBe(0);
    expect(out).toContain("Would import (dry run)");
    expect(out).toContain("tasks:     4 (");
    expect(out).toContain("Nothing was written");
    expect(
      await runImportSm(
        [...argv, "--apply"],
        (t) => (out += t),
        (t) => (err += t),
      ),
    ).toBe(0);
    expect(err).toBe("");
    expect(
      await runImportSm(
        [...argv, "--apply"],
        (t) => (out += t),
        (t) => (err += t),
      ),
    ).toBe(1);
    expect(err).toContain("--overwrite");

    const daemon = await startDaemon([configFile]);
    try {
      const api = `${daemon.urls.http}/api/v1`;
      const tasks = (await (await fetch(`${api}/cluster/prod/tasks?all=true`)).json()) as {
        id: string;
        name: string;
        type: string;
        schedule: { cron: string; window?: string[]; timezone?: string };
        status: string;
      }[];
      const byName = Object.fromEntries(tasks.map((t) => [t.name, t]));
      // The deleted task is not listed; the disabled health check is (all=true).
      expect(tasks.map((t) => t.id).sort()).toEqual([REPAIR, BACKUP, HEALTH].sort());
      expect(byName["all-weekly"]?.type).toBe("repair");
      expect(byName["all-weekly"]?.status).toBe("STOPPED");
      expect(JSON.stringify(byName["all-weekly"]?.schedule.cron)).toContain("0 23 * * SAT");
      expect(byName.daily?.schedule.window).toEqual(["Mon-0:00", "Mon-6:00"]);
      const history = (await (await fetch(`${api}/cluster/prod/task/backup/${BACKUP}/history`)).json()) as {
        id: string;
        status: string;
      }[];
      expect(history.map((r) => [r.id, r.status])).toEqual([
        [RUN2, "ERROR"],
        [RUN1, "DONE"],
      ]);
      // `sctool progress` of the imported repair: per host and per table, as SM showed it.
      const repair = (await (await fetch(`${api}/cluster/prod/task/repair/${REPAIR}/latest`)).json()) as {
        run: { id: string; status: string };
        progress: {
          token_ranges: number;
          success: number;
          dcs: string[];
          hosts: { host: string; success: number; tables: { keyspace: string; table: string }[] }[];
          tables: { keyspace: string; table: string; token_ranges: number; success: number }[];
        };
      };
      expect(repair.run).toMatchObject({ id: RUN0, status: "STOPPED" });
      expect(repair.progress).toMatchObject({ token_ranges: 512, success: 384, dcs: ["dc1"] });
      expect(
        repair.progress.hosts.map((h) => [h.host, h.success, h.tables.map((t) => `${t.keyspace}.${t.table}`)]),
      ).toEqual([
        ["10.0.0.1", 256, ["ks.t1"]],
        ["10.0.0.2", 128, ["ks.t1"]],
      ]);
      expect(repair.progress.tables).toMatchObject([{ keyspace: "ks", table: "t1", token_ranges: 512, success: 384 }]);
    } finally {
      await daemon.close();
      const store = await openCqlStore(cqlOptions(targetKs));
      await store.client.execute(`DROP KEYSPACE IF EXISTS "${targetKs}"`);
      await store.close();
    }
  }, 240_000);
});
