/** Schema version checks and migrations for the SQLite store. */
import { Database } from "bun:sqlite";
import { existsSync } from "node:fs";
import { StoreError } from "../../errors.ts";
import { CORRUPT_HINT } from "./errors.ts";
import { APPLICATION_ID, LATEST_VERSION, MIGRATIONS, type Migration } from "./schema.ts";

interface Pragmas {
  applicationId: number;
  userVersion: number;
  tables: number;
}

function readPragmas(db: Database): Pragmas {
  const applicationId = (db.query("PRAGMA application_id").get() as { application_id: number }).application_id;
  const userVersion = (db.query("PRAGMA user_version").get() as { user_version: number }).user_version;
  const tables = (db.query("SELECT count(*) AS n FROM sqlite_master").get() as { n: number }).n;
  return { applicationId, userVersion, tables };
}

/**
 * Refuses files this build must not touch: another application's database, or a store written by a newer version.
 * Reads only.
 */
export function checkSchemaVersion(db: Database, file: string): Pragmas {
  const pragmas = readPragmas(db);
  const empty = pragmas.tables === 0 && pragmas.userVersion === 0;
  if (!empty && pragmas.applicationId !== APPLICATION_ID) {
    throw new StoreError(`open store ${file}: not a scylla-manager store (a SQLite database of another application)`, {
      hint: `${CORRUPT_HINT}; or point data_dir at another directory`,
    });
  }
  if (pragmas.userVersion > LATEST_VERSION) {
    throw new StoreError(
      `open store ${file}: schema version ${pragmas.userVersion} is newer than this version of scylla-manager supports (${LATEST_VERSION})`,
      {
        hint: "run the newer scylla-manager that wrote it, or point data_dir at another directory; the file was not changed",
      },
    );
  }
  return pragmas;
}

/**
 * Before an existing store is migrated, a consistent copy of it goes beside it (`VACUUM INTO`, which reads through
 * the WAL): `<file>.schema-v<old>.bak`, so an upgrade that goes wrong can be undone by copying it back. Returns
 * the copy's path, or "" when nothing is pending or the store is new.
 */
export function backUpBeforeMigrating(
  db: Database,
  file: string,
  migrations: readonly Migration[] = MIGRATIONS,
  now: () => Date = () => new Date(),
): string {
  const current = readPragmas(db).userVersion;
  if (current === 0 || !migrations.some((migration) => migration.version > current)) return "";
  let copy = `${file}.schema-v${current}.bak`;
  if (existsSync(copy)) copy = `${file}.schema-v${current}.${now().toISOString().replace(/[:.]/g, "-")}.bak`;
  db.query("VACUUM INTO ?").run(copy);
  return copy;
}

/** Applies pending migrations, each in its own transaction with its bookkeeping. Returns the versions applied. */
export function migrate(
  db: Database,
  now: () => Date = () => new Date(),
  migrations: readonly Migration[] = MIGRATIONS,
): number[] {
  const applied: number[] = [];
  const current = readPragmas(db).userVersion;
  for (const migration of migrations) {
    if (migration.version <= current) continue;
    db.transaction(() => {
      db.exec(
        "CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)",
      );
      db.exec(migration.sql);
      db.query("INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)").run(
        migration.version,
        migration.name,
        now().toISOString(),
      );
      // PRAGMAs take no bound parameters; both values are integers from this file.
      db.exec(`PRAGMA application_id = ${APPLICATION_ID}`);
      db.exec(`PRAGMA user_version = ${migration.version}`);
    }).immediate();
    applied.push(migration.version);
  }
  return applied;
}

/**
 * The schema version of the store at `file`, read without writing or migrating (for `doctor`); "locked" while a
 * server holds the store (it takes an exclusive lock).
 */
export function readStoreVersion(file: string): number | "locked" {
  const db = new Database(file, { readonly: true });
  try {
    return (db.query("PRAGMA user_version").get() as { user_version: number }).user_version;
  } catch (error) {
    if (/locked|busy/i.test((error as Error).message)) return "locked";
    throw error;
  } finally {
    db.close();
  }
}
