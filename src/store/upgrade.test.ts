/**
 * Upgrades: every store a released version wrote (src/store/testdata/upgrade/store-v<N>.db) opens with the current
 * code, is migrated in place after a backup copy, and still holds what that version wrote; a store newer than the
 * code is refused and left untouched.
 */
import { Database } from "bun:sqlite";
import { afterAll, describe, expect, test } from "bun:test";
import { copyFileSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { CQL_MIGRATIONS, migrationChecksum } from "./cql/schema.ts";
import { backUpBeforeMigrating, migrate } from "./sqlite/migrate.ts";
import { LATEST_VERSION, MIGRATIONS } from "./sqlite/schema.ts";
import { openSqliteStore } from "./sqlite/store.ts";
import { cqlFixtureFileName, listCqlFixtures } from "./testdata/cql-upgrade-fixture.ts";
import { FIXTURE_CONTENT, FIXTURE_KEY_HEX } from "./testdata/make-upgrade-fixture.ts";

const fixtures = join(import.meta.dir, "testdata", "upgrade");
const work = mkdtempSync(join(tmpdir(), "sm-upgrade-"));
afterAll(() => rmSync(work, { recursive: true, force: true }));
const secretKey = new Uint8Array(Buffer.from(FIXTURE_KEY_HEX, "hex"));

const released = readdirSync(fixtures)
  .map((name) => /^store-v(\d+)\.db$/.exec(name))
  .filter((match) => match !== null)
  .map((match) => ({ file: match[0], version: Number(match[1]) }));

describe("stores written by released versions", () => {
  test("there is a fixture of the current schema (run make-upgrade-fixture.ts when a migration is added)", () => {
    expect(released.map((fixture) => fixture.version)).toContain(LATEST_VERSION);
  });

  test.each(released)("$file opens, migrates in place after a backup copy, and keeps every row", async (fixture) => {
    const file = join(work, fixture.file);
    copyFileSync(join(fixtures, fixture.file), file);
    const store = await openSqliteStore(file, { secretKey });
    const c = FIXTURE_CONTENT;
    try {
      expect(await store.getCluster(c.cluster.id)).toEqual(c.cluster);
      const secret = await store.getSecret(c.cluster.id, c.secret.key);
      expect(new TextDecoder().decode(secret)).toBe(c.secret.value);
      expect(await store.getTask(c.task.clusterId, c.task.type, c.task.id)).toEqual(c.task);
      expect(await store.listRuns(c.run.clusterId, c.run.type, c.run.taskId, 0)).toEqual([c.run]);
      expect(await store.getDrawer(c.cluster.id, c.drawer.key)).toEqual(c.drawer.value);
      expect(await store.listProgress(c.progress.kind, c.cluster.id, c.task.id, c.run.id)).toEqual(c.progress.rows);
    } finally {
      await store.close();
    }
    const db = new Database(file, { readonly: true });
    expect((db.query("PRAGMA user_version").get() as { user_version: number }).user_version).toBe(LATEST_VERSION);
    db.close();
    // A copy of the old file stays beside it exactly when a migration ran.
    expect(existsSync(`${file}.schema-v${fixture.version}.bak`)).toBe(fixture.version < LATEST_VERSION);
  });
});

describe("the backup copy and a newer store", () => {
  const next = { version: LATEST_VERSION + 1, name: "test-only", sql: "CREATE TABLE upgrade_probe (id TEXT);" };

  test("a pending migration copies the store first; the copy is the old schema with the old rows", () => {
    const file = join(work, "pending.db");
    copyFileSync(join(fixtures, `store-v${LATEST_VERSION}.db`), file);
    const db = new Database(file);
    const copy = backUpBeforeMigrating(db, file, [...MIGRATIONS, next]);
    expect(copy).toBe(`${file}.schema-v${LATEST_VERSION}.bak`);
    expect(migrate(db, () => new Date(), [...MIGRATIONS, next])).toEqual([next.version]);
    expect(backUpBeforeMigrating(db, file, [...MIGRATIONS, next])).toBe("");
    db.close();
    const old = new Database(copy, { readonly: true });
    expect((old.query("PRAGMA user_version").get() as { user_version: number }).user_version).toBe(LATEST_VERSION);
    expect((old.query("SELECT count(*) AS n FROM cluster").get() as { n: number }).n).toBe(1);
    old.close();
  });

  test("the current code refuses a store a newer version migrated, and leaves it byte-identical", async () => {
    const file = join(work, "pending.db");
    const before = readFileSync(file);
    await expect(openSqliteStore(file, { secretKey })).rejects.toThrow(
      `schema version ${next.version} is newer than this version of scylla-manager supports (${LATEST_VERSION})`,
    );
    expect(readFileSync(file).equals(before)).toBe(true);
  });
});

// The CQL store's fixtures are replayed on a real database by test/external/cql-store-upgrade.test.ts; what can be
// checked without one is checked here, so a missing fixture or an edited shipped migration fails every run.
describe("CQL store fixtures", () => {
  const cqlFixtures = listCqlFixtures();

  test("there is a fixture of the current CQL schema (run cql-upgrade-fixture.ts when a migration is added)", () => {
    const last = CQL_MIGRATIONS.at(-1)?.name ?? "";
    expect(cqlFixtures.map((f) => f.file)).toContain(cqlFixtureFileName(last));
  });

  test.each(cqlFixtures)(
    "$file: its migrations are this build's, unedited, and it holds a row of each kind",
    ({ fixture }) => {
      const current = CQL_MIGRATIONS.slice(0, fixture.migrations.length);
      expect(fixture.migrations).toEqual(current.map((m) => ({ name: m.name, checksum: migrationChecksum(m) })));
      for (const m of current) for (const statement of m.statements) expect(fixture.schema).toContain(statement);
      for (const table of [
        "cluster",
        "secrets",
        "drawer",
        "scheduler_task",
        "scheduler_task_run",
        "service_run",
        "service_run_progress",
      ]) {
        expect(fixture.rows[table]?.length ?? 0).toBeGreaterThan(0);
      }
      expect(fixture.rows.gocqlx_migrate?.map((row) => [row.name, row.checksum, row.done])).toEqual(
        current.map((m) => [m.name, migrationChecksum(m), 1]),
      );
    },
  );
});
