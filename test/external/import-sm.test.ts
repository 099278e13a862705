/**
 * `scylla-manager import-sm` from a keyspace in SM 3.x's final table shapes (as SM's reference describes them:
 * cluster, secrets, scheduler_task with the schedule UDT and JSON properties blob, scheduler_task_run, backup_run,
 * backup_run_progress, repair_run, repair_run_progress) into SQLite and into CQL; then our server shows the same
 * tasks, schedules and history.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import cassandra from "cassandra-driver";
import { importSm } from "../../src/importsm/import.ts";
import { runImportSm } from "../../src/importsm/main.ts";
import { startDaemon } from "../../src/server/daemon.ts";
import { openCqlStore } from "../../src/store/cql/store.ts";
import { openSqliteStore } from "../../src/store/sqlite/store.ts";
import { cqlOptions, cqlSkipReason, testSecretKey, uniqueKeyspace } from "../support/cql-store.ts";

if (cqlSkipReason) console.warn(`[external] skipping the import-sm tests: ${cqlSkipReason}`);

const smKeyspace = uniqueKeyspace("sm3");
const dir = mkdtempSync(join(tmpdir(), "sm-import-"));
const CID = "7f1b2a3c-0000-4000-8000-000000000001";
const REPAIR = "7f1b2a3c-0000-4000-8000-0000000000a1";
const BACKUP = "7f1b2a3c-0000-4000-8000-0000000000b1";
const RUN1 = "9a6d7f20-b1c1-11f0-8000-000000000001"; // time-UUIDs, RUN2 newer
const RUN2 = "9a6d7f20-b1c2-11f0-8000-000000000001";
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
      localDataCenter: o.localDc ?? "datacenter1",
      ...(o.user ? { credentials: { username: o.user, password: o.password ?? "" } } : {}),
      socketOptions: { readTimeout: 60_000 },
    });
    await admin.connect();
    const ks = `"${smKeyspace}"`;
    const ddl = [
      `CREATE KEYSPACE ${ks} WITH replication = {'class': 'SimpleStrategy', 'replication_factor': 1}`,
      `CREATE TYPE ${ks}.schedule (start_date timestamp, interval_seconds int, num_retries int, cron text, window list<text>, timezone text, retry_wait bigint)`,
      `CREATE TYPE ${ks}.backup_unit (keyspace_name text, tables set<text>, all_tables boolean)`,
      `CREATE TABLE ${ks}.gocqlx_migrate (name text PRIMARY KEY, checksum text, done int, start_time timestamp, end_time timestamp)`,
      `CREATE TABLE ${ks}.cluster (id uuid PRIMARY KEY, name text, labels map<text, text>, host text, known_hosts set<text>, port int, auth_token text, force_tls_disabled boolean, force_non_ssl_session_port boolean)`,
      `CREATE TABLE ${ks}.secrets (cluster_id uuid, key text, value blob, PRIMARY KEY (cluster_id, key))`,
      `CREATE TABLE ${ks}.drawer (cluster_id uuid, key text, value blob, PRIMARY KEY (cluster_id, key))`,
      `CREATE TABLE ${ks}.scheduler_task (cluster_id uuid, type text, id uuid, name text, labels map<text, text>, enabled boolean, deleted boolean, sched frozen<schedule>, properties blob, status text, success_count int, error_count int, last_success timestamp, last_error timestamp, PRIMARY KEY (cluster_id, type, id))`,
      `CREATE TABLE ${ks}.scheduler_task_run (cluster_id uuid, type text, task_id uuid, id timeuuid, status text, cause text, owner text, start_time timestamp, end_time timestamp, PRIMARY KEY ((cluster_id, type, task_id), id)) WITH CLUSTERING ORDER BY (id DESC)`,
      `CREATE TABLE ${ks}.repair_run (cluster_id uuid, task_id uuid, id uuid, prev_id uuid, dc list<text>, host text, intensity int, parallel int, start_time timestamp, end_time timestamp, PRIMARY KEY ((cluster_id, task_id), id)) WITH CLUSTERING ORDER BY (id DESC)`,
      `CREATE TABLE ${ks}.repair_run_progress (cluster_id uuid, task_id uuid, run_id uuid, host text, keyspace_name text, table_name text, token_ranges bigint, success bigint, error bigint, size bigint, started_at timestamp, completed_at timestamp, PRIMARY KEY ((cluster_id, task_id, run_id), host, keyspace_name, table_name))`,
      `CREATE TABLE ${ks}.backup_run (cluster_id uuid, task_id uuid, id timeuuid, prev_id timeuuid, snapshot_tag text, units list<frozen<backup_unit>>, dc list<text>, location list<text>, nodes set<text>, stage text, start_time timestamp, PRIMARY KEY ((cluster_id, task_id), id)) WITH CLUSTERING ORDER BY (id DESC)`,
      `CREATE TABLE ${ks}.backup_run_progress (cluster_id uuid, task_id uuid, run_id uuid, host text, unit bigint, table_name text, agent_job_id bigint, size bigint, uploaded bigint, skipped bigint, failed bigint, started_at timestamp, completed_at timestamp, error text, PRIMARY KEY ((cluster_id, task_id, run_id), host, unit, table_name))`,
    ];
    for (const q of ddl) await admin.execute(q);
    const w = (q: string, p: unknown[]) => admin?.execute(q, p, { prepare: true });
    await w(
      `INSERT INTO ${ks}.cluster (id, name, labels, host, known_hosts, port, auth_token, force_tls_disabled, force_non_ssl_session_port) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      [CID, "prod", { env: "prod" }, "10.0.0.1", ["10.0.0.1", "10.0.0.2"], 10001, "token", false, false],
    );
    await w(`INSERT INTO ${ks}.secrets (cluster_id, key, value) VALUES (?, ?, ?)`, [
      CID,
      "cql_creds",
      Buffer.from(JSON.stringify({ username: "scylla", password: "s3cret" })),
    ]);
    await w(
      `INSERT INTO ${ks}.scheduler_task (cluster_id, type, id, name, labels, enabled, deleted, sched, properties, status, success_count, error_count, last_success) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      [
        CID,
        "repair",
        REPAIR,
        "all-weekly",
        {},
        true,
        false,
        {
          start_date: new Date("0001-01-01T00:00:00Z"),
          interval_seconds: 0,
          num_retries: 3,
          cron: JSON.stringify({ spec: "0 23 * * SAT", start_date: "0001-01-01T00:00:00Z" }),
          window: [],
          timezone: "UTC",
          retry_wait: cassandra.types.Long.fromNumber(600),
        },
        Buffer.from(JSON.stringify({ intensity: 1, parallel: 0 })),
        "DONE",
        2,
        0,
        new Date("2026-11-29T23:10:00Z"),
      ],
    );
    await w(
      `INSERT INTO ${ks}.scheduler_task (cluster_id, type, id, name, enabled, deleted, sched, properties, status, success_count, error_count) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      [
        CID,
        "backup",
        BACKUP,
        "daily",
        true,
        false,
        {
          cron: JSON.stringify({ spec: "0 1 * * *", start_date: "0001-01-01T00:00:00Z" }),
          num_retries: 3,
          window: ["Mon-0:00", "Mon-6:00"],
          timezone: "Europe/Warsaw",
          retry_wait: cassandra.types.Long.fromNumber(600),
        },
        Buffer.from(JSON.stringify({ location: ["s3:bucket"], retention: 7 })),
        "ERROR",
        0,
        1,
      ],
    );
    for (const [id, status] of [
      [RUN1, "DONE"],
      [RUN2, "ERROR"],
    ] as const) {
      await w(
        `INSERT INTO ${ks}.scheduler_task_run (cluster_id, type, task_id, id, status, cause, owner, start_time, end_time) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
        [CID, "backup", BACKUP, id, status, status === "ERROR" ? "upload failed" : "", "", new Date(), new Date()],
      );
    }
    await w(
      `INSERT INTO ${ks}.backup_run (cluster_id, task_id, id, snapshot_tag, units, dc, location, nodes, stage, start_time) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      [
        CID,
        BACKUP,
        RUN2,
        "sm_20261201010000UTC",
        [{ keyspace_name: "ks", tables: ["t1"], all_tables: true }],
        ["dc1"],
        ["s3:bucket"],
        ["10.0.0.1"],
        "UPLOAD",
        new Date("2026-12-01T01:00:00Z"),
      ],
    );
    for (const host of ["10.0.0.1", "10.0.0.2"]) {
      await w(
        `INSERT INTO ${ks}.backup_run_progress (cluster_id, task_id, run_id, host, unit, table_name, agent_job_id, size, uploaded, skipped, failed, error) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
        [CID, BACKUP, RUN2, host, 0, "t1", 7, 1000, 400, 0, 0, ""],
      );
    }
    await w(
      `INSERT INTO ${ks}.repair_run (cluster_id, task_id, id, dc, intensity, parallel, start_time) VALUES (?, ?, ?, ?, ?, ?, ?)`,
      [CID, REPAIR, RUN1, ["dc1"], 1, 0, new Date("2026-11-29T23:00:00Z")],
    );
    await w(
      `INSERT INTO ${ks}.repair_run_progress (cluster_id, task_id, run_id, host, keyspace_name, table_name, token_ranges, success, error) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      [CID, REPAIR, RUN1, "10.0.0.1", "ks", "t1", 256, 256, 0],
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
        secrets: 1,
        tasks: { repair: 1, backup: 1 },
        runs: 2,
        serviceRuns: { repair_run: 1, backup_run: 1 },
        progressRows: { repair_run_progress: 1, backup_run_progress: 2 },
        conflicts: [],
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
      expect(JSON.parse(new TextDecoder().decode(await target.getSecret(CID, "cql_creds")))).toEqual({
        username: "scylla",
        password: "s3cret",
      });
      expect(await target.getTask(CID, "repair", REPAIR)).toMatchObject({
        name: "all-weekly",
        schedule: { cron: "0 23 * * SAT", startDate: null, numRetries: 3, retryWaitSeconds: 600, timezone: "UTC" },
        properties: { intensity: 1, parallel: 0 },
        status: "DONE",
        successCount: 2,
        lastSuccess: "2026-11-29T23:10:00.000Z",
      });
      expect((await target.getTask(CID, "backup", BACKUP))?.schedule.window).toEqual(["Mon-0:00", "Mon-6:00"]);
      expect((await target.listRuns(CID, "backup", BACKUP, 0)).map((r) => [r.id, r.status, r.cause])).toEqual([
        [RUN2, "ERROR", "upload failed"],
        [RUN1, "DONE", ""],
      ]);
      expect((await target.getServiceRun("backup_run", CID, BACKUP, RUN2))?.value).toMatchObject({
        snapshot_tag: "sm_20261201010000UTC",
        units: [{ keyspace_name: "ks", tables: ["t1"], all_tables: true }],
        stage: "UPLOAD",
        start_time: "2026-12-01T01:00:00.000Z",
      });
      const progress = await target.listProgress("backup_run_progress", CID, BACKUP, RUN2);
      expect(progress.map((p) => p.key)).toEqual(["10.0.0.1/0/t1", "10.0.0.2/0/t1"]);
      expect(progress[0]?.value).toMatchObject({
        host: "10.0.0.1",
        unit: 0,
        table_name: "t1",
        size: 1000,
        uploaded: 400,
      });
      expect(await target.listProgress("repair_run_progress", CID, REPAIR, RUN1)).toEqual([
        {
          key: "10.0.0.1/ks/t1",
          value: { host: "10.0.0.1", keyspace_name: "ks", table_name: "t1", token_ranges: 256, success: 256, error: 0 },
        },
      ]);

      await expect(importSm({ source: source(), target, apply: true })).rejects.toThrow(/already exist/);
      const again = await importSm({ source: source(), target, apply: true, overwrite: true });
      expect(again.conflicts).toHaveLength(3);
    } finally {
      await target.close();
    }
  }, 120_000);

  test("into a CQL store, through the command line; our server then shows the same tasks and history", async () => {
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
    expect(out).toContain("tasks:     2 (");
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
      expect(byName["all-weekly"]?.type).toBe("repair");
      expect(byName["all-weekly"]?.status).toBe("DONE");
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
    } finally {
      await daemon.close();
      const store = await openCqlStore(cqlOptions(targetKs));
      await store.client.execute(`DROP KEYSPACE IF EXISTS "${targetKs}"`);
      await store.close();
    }
  }, 240_000);
});
