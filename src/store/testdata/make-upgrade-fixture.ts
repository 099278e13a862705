/**
 * Writes the upgrade fixture: a SQLite store as this release writes it, with a row of every kind, and the JSON of
 * what it holds. Run it when a release ships (`bun src/store/testdata/make-upgrade-fixture.ts`), keep the files of
 * earlier releases: `upgrade.test.ts` opens each with the current code and checks nothing was lost.
 */
import { Database } from "bun:sqlite";
import { rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { LATEST_VERSION } from "../sqlite/schema.ts";
import { openSqliteStore } from "../sqlite/store.ts";
import type { ClusterRecord, RunRecord, TaskRecord } from "../store.ts";

/** The fixture's secret key (test data only). */
export const FIXTURE_KEY_HEX = "6f1c2a9e8b7d6c5f4e3d2c1b0a99887766554433221100ffeeddccbbaa998877";

export const FIXTURE_CONTENT = {
  cluster: {
    id: "5b4c3e2a-1d0f-4a9b-8c7d-6e5f4a3b2c1d",
    name: "prod-eu",
    labels: { team: "dba" },
    host: "10.0.0.1",
    knownHosts: ["10.0.0.1", "10.0.0.2", "10.0.0.3"],
    port: 0,
    authToken: "",
    forceTlsDisabled: false,
    forceNonSslSessionPort: false,
  } satisfies ClusterRecord,
  secret: { key: "auth_token", value: "fixture-agent-token" },
  task: {
    clusterId: "5b4c3e2a-1d0f-4a9b-8c7d-6e5f4a3b2c1d",
    type: "healthcheck",
    id: "0b9a8c7d-6e5f-4a3b-2c1d-0e9f8a7b6c5d",
    name: "cql",
    labels: {},
    enabled: true,
    deleted: false,
    schedule: {
      cron: "@every 15s",
      startDate: "2026-01-01T00:00:00.000Z",
      intervalSeconds: 0,
      numRetries: 0,
      retryWaitSeconds: 0,
      window: [],
      timezone: "UTC",
    },
    properties: { mode: "cql" },
    status: "DONE",
    successCount: 12,
    errorCount: 1,
    lastSuccess: "2026-01-01T00:03:00.000Z",
    lastError: "2026-01-01T00:01:00.000Z",
  } satisfies TaskRecord,
  run: {
    clusterId: "5b4c3e2a-1d0f-4a9b-8c7d-6e5f4a3b2c1d",
    type: "healthcheck",
    taskId: "0b9a8c7d-6e5f-4a3b-2c1d-0e9f8a7b6c5d",
    id: "3c1e8a00-e6f4-11f0-8000-000000000001",
    status: "DONE",
    cause: "",
    owner: "",
    startTime: "2026-01-01T00:03:00.000Z",
    endTime: "2026-01-01T00:03:01.000Z",
  } satisfies RunRecord,
  drawer: { key: "scheduler_suspended", value: { started_at: "2026-01-01T00:00:00Z" } },
  progress: { kind: "repair_run_progress", rows: [{ key: "10.0.0.1/ks/t", value: { success: 5, error: 0 } }] },
};

if (import.meta.main) {
  const file = join(import.meta.dir, "upgrade", `store-v${LATEST_VERSION}.db`);
  rmSync(file, { force: true });
  const store = await openSqliteStore(file, { secretKey: new Uint8Array(Buffer.from(FIXTURE_KEY_HEX, "hex")) });
  const c = FIXTURE_CONTENT;
  await store.putCluster(c.cluster);
  await store.putSecret(c.cluster.id, c.secret.key, new TextEncoder().encode(c.secret.value));
  await store.putTask(c.task);
  await store.putRun(c.run);
  await store.putDrawer(c.cluster.id, c.drawer.key, c.drawer.value);
  await store.putProgress(c.progress.kind, c.cluster.id, c.task.id, c.run.id, c.progress.rows);
  await store.close();
  // One self-contained file in git: fold the WAL back and leave rollback-journal mode.
  const db = new Database(file);
  db.exec("PRAGMA wal_checkpoint(TRUNCATE); PRAGMA journal_mode = DELETE;");
  db.close();
  rmSync(`${file}-wal`, { force: true });
  rmSync(`${file}-shm`, { force: true });
  writeFileSync(
    join(import.meta.dir, "upgrade", "README.md"),
    "Stores written by released versions. SQLite: store-v<N>.db (../make-upgrade-fixture.ts, ../../upgrade.test.ts).\n" +
      "CQL: cql-store-<NNN>.json (../cql-upgrade-fixture.ts, test/external/cql-store-upgrade.test.ts).\n",
  );
  console.log(`wrote ${file}`);
}
