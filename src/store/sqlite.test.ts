import { afterAll, describe, expect, test } from "bun:test";
import { spawnSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { StoreError } from "../errors.ts";
import { describeStoreContract } from "./contract.ts";
import { makeCluster, uuidN } from "./contract-fixtures.ts";
import { openSqliteStore } from "./sqlite/store.ts";

const dir = mkdtempSync(join(tmpdir(), "store-sqlite-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const key = new Uint8Array(randomBytes(32));
let counter = 0;
let lastFile = "";

describeStoreContract(
  "sqlite",
  async () => {
    lastFile = join(dir, `contract-${counter++}.db`);
    return openSqliteStore(lastFile, { secretKey: key });
  },
  async () => openSqliteStore(lastFile, { secretKey: key }),
);

async function openError(file: string, secretKey = key, busyTimeoutMs = 100): Promise<StoreError> {
  try {
    const store = await openSqliteStore(file, { secretKey, busyTimeoutMs });
    await store.close();
  } catch (error) {
    if (error instanceof StoreError) return error;
    throw error;
  }
  throw new Error("expected a StoreError");
}

describe("sqlite store bad states", () => {
  test("a file that is not a database is refused and left untouched", async () => {
    const file = join(dir, "garbage.db");
    const content = Buffer.from("this is not a database, just some important text\n".repeat(200));
    writeFileSync(file, content);
    const error = await openError(file);
    expect(error.message).toContain(file);
    expect(error.message).toContain("not a database");
    expect(error.hint).toBeTruthy();
    expect(readFileSync(file).equals(content)).toBe(true);
  });

  test("a database with a valid header but garbage pages is refused and left untouched", async () => {
    const file = join(dir, "corrupt.db");
    const store = await openSqliteStore(file, { secretKey: key });
    await store.putCluster(makeCluster(uuidN(1)));
    await store.close();
    const bytes = readFileSync(file);
    bytes.fill(0xab, 100); // keep the 100-byte header, smash every page
    writeFileSync(file, bytes);
    const error = await openError(file);
    expect(error.message).toContain(file);
    expect(readFileSync(file).equals(bytes)).toBe(true);
  });

  test("a store from a newer schema version is refused and left untouched", async () => {
    const file = join(dir, "newer.db");
    const store = await openSqliteStore(file, { secretKey: key });
    await store.close();
    const { Database } = await import("bun:sqlite");
    const raw = new Database(file);
    raw.exec("PRAGMA user_version = 999");
    raw.close();
    const before = readFileSync(file);
    const error = await openError(file);
    expect(error.message).toContain(file);
    expect(error.message).toContain("schema version 999 is newer");
    expect(readFileSync(file).equals(before)).toBe(true);
  });

  test("another application's SQLite database is refused", async () => {
    const file = join(dir, "other-app.db");
    const { Database } = await import("bun:sqlite");
    const raw = new Database(file);
    raw.exec("CREATE TABLE notes (text TEXT); INSERT INTO notes VALUES ('keep me')");
    raw.close();
    const before = readFileSync(file);
    const error = await openError(file);
    expect(error.message).toContain("not a scylla-manager store");
    expect(readFileSync(file).equals(before)).toBe(true);
  });

  test("a missing directory is a clear error", async () => {
    const error = await openError(join(dir, "no", "such", "dir", "store.db"));
    expect(error.message).toContain("does not exist");
  });

  test("a store locked by another process fails after a bounded wait", async () => {
    const file = join(dir, "locked.db");
    const child = Bun.spawn({
      cmd: [
        process.execPath,
        join(import.meta.dir, "testdata", "hold-store.ts"),
        file,
        Buffer.from(key).toString("hex"),
      ],
      stdout: "pipe",
      stderr: "inherit",
    });
    try {
      const reader = child.stdout.getReader();
      const { value } = await reader.read();
      expect(new TextDecoder().decode(value)).toContain("ready");
      const started = Date.now();
      const error = await openError(file, key, 300);
      expect(error.message).toContain(file);
      expect(error.message).toContain("locked by another process");
      expect(error.hint).toContain("data_dir");
      expect(Date.now() - started).toBeGreaterThanOrEqual(250);
    } finally {
      child.kill("SIGKILL");
      await child.exited;
    }
    // once the owner is gone the store opens and holds what it wrote
    const store = await openSqliteStore(file, { secretKey: key });
    expect((await store.listClusters()).map((c) => c.id)).toEqual([uuidN(7)]);
    await store.close();
  });

  test("a wrong secret key is a clear error and changes nothing", async () => {
    const file = join(dir, "wrong-key.db");
    const store = await openSqliteStore(file, { secretKey: key });
    await store.putSecret(uuidN(1), "cql_creds", new TextEncoder().encode("user:pass"));
    await store.close();
    const before = readFileSync(file);
    const error = await openError(file, new Uint8Array(randomBytes(32)));
    expect(error.message).toContain(file);
    expect(error.message).toContain("encrypted with key");
    expect(readFileSync(file).equals(before)).toBe(true);
    const again = await openSqliteStore(file, { secretKey: key });
    expect(new TextDecoder().decode(await again.getSecret(uuidN(1), "cql_creds"))).toBe("user:pass");
    await again.close();
  });

  test("secret bytes on disk are not the plaintext; each write uses a fresh nonce", async () => {
    const file = join(dir, "secrets.db");
    const plaintext = "cassandra-password-0123456789";
    const store = await openSqliteStore(file, { secretKey: key });
    await store.putSecret(uuidN(1), "a", new TextEncoder().encode(plaintext));
    await store.putSecret(uuidN(2), "a", new TextEncoder().encode(plaintext));
    await store.close();
    const raw = readFileSync(file);
    expect(raw.includes(Buffer.from(plaintext))).toBe(false);
    expect(raw.includes(Buffer.from(plaintext, "utf16le"))).toBe(false);
    const { Database } = await import("bun:sqlite");
    const db = new Database(file, { readonly: true });
    const rows = db.query("SELECT nonce, data FROM secret").all() as { nonce: Uint8Array; data: Uint8Array }[];
    db.close();
    expect(rows).toHaveLength(2);
    expect(Buffer.from(rows[0]?.nonce ?? []).equals(Buffer.from(rows[1]?.nonce ?? []))).toBe(false);
    expect(rows[0]?.nonce.length).toBe(12);
  });

  test("a tampered secret fails authentication", async () => {
    const file = join(dir, "tampered.db");
    const store = await openSqliteStore(file, { secretKey: key });
    await store.putSecret(uuidN(1), "a", new TextEncoder().encode("value"));
    await store.putSecret(uuidN(1), "b", new TextEncoder().encode("other"));
    await store.close();
    const { Database } = await import("bun:sqlite");
    const db = new Database(file);
    // move b's ciphertext under key a: the AAD binding must reject it
    db.exec(
      "UPDATE secret SET nonce = (SELECT nonce FROM secret WHERE key = 'b'), data = (SELECT data FROM secret WHERE key = 'b') WHERE key = 'a'",
    );
    db.close();
    const again = await openSqliteStore(file, { secretKey: key });
    await expect(again.getSecret(uuidN(1), "a")).rejects.toThrow("failed authentication");
    expect(new TextDecoder().decode(await again.getSecret(uuidN(1), "b"))).toBe("other");
    await again.close();
  });

  describe("read-only locations", () => {
    // Root ignores file modes, so when the tests run as root the open happens in a child running as nobody.
    const asRoot = process.getuid?.() === 0;
    function openInChild(file: string): { ok: boolean; message?: string; hint?: string } {
      const result = spawnSync(
        process.execPath,
        [join(import.meta.dir, "testdata", "open-store.ts"), file, Buffer.from(key).toString("hex")],
        {
          encoding: "utf8",
          env: { PATH: process.env.PATH ?? "", HOME: tmpdir() },
          ...(asRoot ? { uid: 65534, gid: 65534 } : {}),
        },
      );
      expect(result.status).toBe(0);
      return JSON.parse(result.stdout.trim().split("\n").pop() ?? "{}");
    }
    const roRoot = join(dir, "read-only");

    test("a read-only directory for a new store", () => {
      mkdirSync(join(roRoot, "new"), { recursive: true });
      chmodSync(dir, 0o755);
      chmodSync(roRoot, 0o755);
      chmodSync(join(roRoot, "new"), 0o555);
      const file = join(roRoot, "new", "store.db");
      const outcome = openInChild(file);
      expect(outcome.ok).toBe(false);
      expect(outcome.message).toContain(file);
      expect(outcome.message).toContain("read-only");
      expect(outcome.hint).toContain("writable");
    });

    test("a read-only existing store file is refused and left untouched", async () => {
      const sub = join(roRoot, "file");
      mkdirSync(sub, { recursive: true });
      const file = join(sub, "store.db");
      const store = await openSqliteStore(file, { secretKey: key });
      await store.putCluster(makeCluster(uuidN(1)));
      await store.close();
      chmodSync(dir, 0o755);
      chmodSync(roRoot, 0o755);
      chmodSync(sub, 0o777);
      chmodSync(file, 0o444);
      const before = readFileSync(file);
      const outcome = openInChild(file);
      expect(outcome.ok).toBe(false);
      expect(outcome.message).toContain(`${file}: file is read-only`);
      expect(readFileSync(file).equals(before)).toBe(true);
    });
  });

  test("migrations are recorded with the schema version", async () => {
    const file = join(dir, "migrations.db");
    const store = await openSqliteStore(file, { secretKey: key });
    await store.close();
    const { Database } = await import("bun:sqlite");
    const db = new Database(file, { readonly: true });
    expect((db.query("PRAGMA user_version").get() as { user_version: number }).user_version).toBe(1);
    expect(db.query("SELECT version, name FROM schema_migrations").all()).toEqual([{ version: 1, name: "initial" }]);
    expect((db.query("PRAGMA journal_mode").get() as { journal_mode: string }).journal_mode).toBe("wal");
    db.close();
  });
});
