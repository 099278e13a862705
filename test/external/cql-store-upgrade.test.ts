import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type cassandra from "cassandra-driver";
import { loadServerConfig } from "../../src/config/server.ts";
import { runDoctor } from "../../src/doctor/doctor.ts";
import { createCqlClient } from "../../src/store/cql/connect.ts";
import { CQL_MIGRATIONS, migrationChecksum } from "../../src/store/cql/schema.ts";
import { openCqlStore } from "../../src/store/cql/store.ts";
import { openStore } from "../../src/store/open.ts";
import type { Store } from "../../src/store/store.ts";
import {
  CQL_FIXTURE_SERVICE_RUN,
  type CqlStoreFixture,
  listCqlFixtures,
  replayCqlFixture,
} from "../../src/store/testdata/cql-upgrade-fixture.ts";
import { FIXTURE_CONTENT, FIXTURE_KEY_HEX } from "../../src/store/testdata/make-upgrade-fixture.ts";
import { cqlOptions, cqlSkipReason, uniqueKeyspace } from "../support/cql-store.ts";

// Upgrades of the CQL store: a keyspace as an earlier release left it (src/store/testdata/upgrade/cql-store-*.json)
// is opened by the current server's own path (its YAML config, then openStore), migrated in place, and still holds
// every row that release wrote; a second start changes nothing.
if (cqlSkipReason) console.warn(`[external] skipping the CQL store upgrade tests: ${cqlSkipReason}`);

const fixtureKey = new Uint8Array(Buffer.from(FIXTURE_KEY_HEX, "hex"));
const work = mkdtempSync(join(tmpdir(), "sm-cql-upgrade-"));
const keyspaces: string[] = [];
let admin: cassandra.Client | undefined;

beforeAll(async () => {
  if (cqlSkipReason) return;
  admin = createCqlClient(cqlOptions("system", { migrateTimeoutMs: 60_000 }));
  await admin.connect();
}, 120_000);

afterAll(async () => {
  for (const ks of keyspaces) await admin?.execute(`DROP KEYSPACE IF EXISTS "${ks}"`).catch(() => undefined);
  await admin?.shutdown();
  rmSync(work, { recursive: true, force: true });
}, 120_000);

/** A fresh keyspace holding `fixture`. */
async function keyspaceFrom(fixture: CqlStoreFixture): Promise<string> {
  if (!admin) throw new Error("no admin client");
  const ks = uniqueKeyspace("upgrade");
  keyspaces.push(ks);
  await replayCqlFixture(admin, ks, fixture);
  return ks;
}

/** The server's config file for `keyspace`. */
function serverConfig(keyspace: string): string {
  const o = cqlOptions(keyspace);
  const file = join(work, `${keyspace}.yaml`);
  writeFileSync(
    file,
    JSON.stringify({
      // No server listens here: doctor's server check finds none and checks the store alone.
      http: "127.6.9.9:5080",
      data_dir: join(work, keyspace),
      store: "cql",
      secret_key: FIXTURE_KEY_HEX,
      database: {
        hosts: o.hosts,
        keyspace,
        local_dc: o.localDc,
        user: o.user,
        password: o.password,
        timeout: "10s",
        migrate_timeout: "60s",
      },
    }),
  );
  return file;
}

/** Opens `keyspace` the way the server does: its config file, then openStore. */
async function openAsServer(keyspace: string): Promise<Store> {
  return openStore(loadServerConfig([serverConfig(keyspace)]));
}

/** What `scylla-manager doctor` says of the store in `keyspace`. */
async function doctorOnStore(keyspace: string) {
  const findings = await runDoctor({ configFiles: [serverConfig(keyspace)] });
  return {
    store: findings.find((f) => f.check === "store")?.verdict,
    schema: findings.find((f) => f.check === "store schema"),
  };
}

async function expectFixtureContent(store: Store): Promise<void> {
  const c = FIXTURE_CONTENT;
  expect(await store.getCluster(c.cluster.id)).toEqual(c.cluster);
  const secret = await store.getSecret(c.cluster.id, c.secret.key);
  expect(new TextDecoder().decode(secret)).toBe(c.secret.value);
  expect(await store.getTask(c.task.clusterId, c.task.type, c.task.id)).toEqual(c.task);
  expect(await store.listRuns(c.run.clusterId, c.run.type, c.run.taskId, 0)).toEqual([c.run]);
  expect(await store.listRunsByStatus(c.run.status)).toEqual([c.run]);
  expect(await store.getDrawer(c.cluster.id, c.drawer.key)).toEqual(c.drawer.value);
  expect(await store.listProgress(c.progress.kind, c.cluster.id, c.task.id, c.run.id)).toEqual(c.progress.rows);
  const { kind, run } = CQL_FIXTURE_SERVICE_RUN;
  expect(await store.getServiceRun(kind, run.clusterId, run.taskId, run.runId)).toEqual(run);
}

async function migrationRows(keyspace: string): Promise<[string, string, number][]> {
  const result = await admin?.execute(`SELECT name, checksum, done FROM "${keyspace}".gocqlx_migrate`);
  return (result?.rows ?? [])
    .map((r) => [String(r.get("name")), String(r.get("checksum")), Number(r.get("done"))] as [string, string, number])
    .sort(([a], [b]) => (a < b ? -1 : 1));
}

describe.skipIf(Boolean(cqlSkipReason))("cql store: stores written by released versions", () => {
  test.each(listCqlFixtures())(
    "$file: the current server opens it, migrates it in place and keeps every row",
    async ({ fixture }) => {
      const ks = await keyspaceFrom(fixture);
      // Before the upgrade, doctor names the migrations this version will apply (none for the latest release's).
      const pending = CQL_MIGRATIONS.filter((m) => !fixture.migrations.some((done) => done.name === m.name));
      const before = await doctorOnStore(ks);
      expect(before.store).toBe("ok");
      expect(before.schema).toMatchObject(
        pending.length === 0
          ? { verdict: "ok" }
          : { verdict: "warn", detail: expect.stringContaining(`applies ${pending.map((m) => m.name).join(", ")}`) },
      );
      const store = await openAsServer(ks);
      try {
        await expectFixtureContent(store);
      } finally {
        await store.close();
      }
      expect(await migrationRows(ks)).toEqual(CQL_MIGRATIONS.map((m) => [m.name, migrationChecksum(m), 1]));
      expect((await doctorOnStore(ks)).schema?.verdict).toBe("ok");
      // Idempotent: a second start finds nothing to do and the same rows.
      const again = await openCqlStore(cqlOptions(ks, { secretKey: fixtureKey }));
      try {
        expect(again.applied).toEqual([]);
        await expectFixtureContent(again);
      } finally {
        await again.close();
      }
    },
    180_000,
  );

  test("a store one migration behind gets the pending migration in place, with every row kept", async () => {
    const [latest] = listCqlFixtures().slice(-1);
    if (!latest) throw new Error("no CQL upgrade fixture");
    const ks = await keyspaceFrom(latest.fixture);
    const next = {
      name: "999_upgrade_probe.cql",
      statements: ["CREATE TABLE IF NOT EXISTS {ks}.upgrade_probe (id text PRIMARY KEY, note text)"],
    };
    const migrations = [...CQL_MIGRATIONS, next];
    const store = await openCqlStore(cqlOptions(ks, { secretKey: fixtureKey, migrations }));
    try {
      expect(store.applied).toEqual([next.name]);
      await expectFixtureContent(store);
      await store.client.execute(`INSERT INTO "${ks}".upgrade_probe (id, note) VALUES ('a', 'b')`);
    } finally {
      await store.close();
    }
    expect(await migrationRows(ks)).toEqual(migrations.map((m) => [m.name, migrationChecksum(m), 1]));
    // The current build (which lacks the probe migration) now refuses the store, as an older server must.
    await expect(openCqlStore(cqlOptions(ks, { secretKey: fixtureKey }))).rejects.toThrow(
      "the keyspace has migration 999_upgrade_probe.cql that this version of scylla-manager does not know",
    );
    // doctor says so before a start is tried.
    expect((await doctorOnStore(ks)).schema).toMatchObject({
      verdict: "fail",
      detail: expect.stringContaining("999_upgrade_probe.cql is newer than this version knows"),
    });
  }, 180_000);
});
