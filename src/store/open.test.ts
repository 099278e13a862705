import { afterAll, describe, expect, test } from "bun:test";
import { randomBytes } from "node:crypto";
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { defaultServerConfig } from "../config/server.ts";
import { StoreError } from "../errors.ts";
import { uuidN } from "./contract-fixtures.ts";
import { openStore, resolveStoreFile } from "./open.ts";

const root = mkdtempSync(join(tmpdir(), "store-open-"));
afterAll(() => rmSync(root, { recursive: true, force: true }));
let n = 0;
const newDir = () => join(root, `d${n++}`, "nested");

function config(overrides: Partial<ReturnType<typeof defaultServerConfig>> = {}) {
  return { ...defaultServerConfig(), ...overrides };
}

async function openError(promise: Promise<unknown>): Promise<StoreError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof StoreError) return error;
    throw error;
  }
  throw new Error("expected a StoreError");
}

describe("openStore", () => {
  test("memory store writes nothing to disk", async () => {
    const dataDir = newDir();
    const store = await openStore(config({ store: "memory", data_dir: dataDir }));
    await store.putDrawer(uuidN(1), "k", 1);
    expect(await store.getDrawer(uuidN(1), "k")).toBe(1);
    await store.close();
    expect(existsSync(dataDir)).toBe(false);
  });

  test("sqlite creates data_dir (0700), the key file (0600) and the store; the key is reused", async () => {
    const dataDir = newDir();
    const store = await openStore(config({ data_dir: dataDir }));
    await store.putSecret(uuidN(1), "cql_creds", new TextEncoder().encode("u:p"));
    await store.close();
    expect(statSync(dataDir).mode & 0o777).toBe(0o700);
    const keyFile = join(dataDir, "secret.key");
    expect(statSync(keyFile).mode & 0o777).toBe(0o600);
    expect(readFileSync(keyFile, "utf8").trim()).toMatch(/^[0-9a-f]{64}$/);
    expect(existsSync(resolveStoreFile({ data_dir: dataDir }))).toBe(true);
    const again = await openStore(config({ data_dir: dataDir }));
    expect(new TextDecoder().decode(await again.getSecret(uuidN(1), "cql_creds"))).toBe("u:p");
    await again.close();
  });

  test("SCYLLA_MANAGER_DATA_DIR overrides data_dir", async () => {
    const fromEnv = newDir();
    const store = await openStore(config({ data_dir: newDir() }), { env: { SCYLLA_MANAGER_DATA_DIR: fromEnv } });
    await store.close();
    expect(existsSync(join(fromEnv, "scylla-manager.db"))).toBe(true);
  });

  test("secret_key from config: no key file is written", async () => {
    const dataDir = newDir();
    const hex = Buffer.from(randomBytes(32)).toString("hex");
    const store = await openStore(config({ data_dir: dataDir, secret_key: hex }));
    await store.putSecret(uuidN(1), "k", new Uint8Array([1]));
    await store.close();
    expect(existsSync(join(dataDir, "secret.key"))).toBe(false);
    const b64 = Buffer.from(hex, "hex").toString("base64");
    const again = await openStore(config({ data_dir: dataDir, secret_key: b64 }));
    expect(Array.from((await again.getSecret(uuidN(1), "k")) ?? [])).toEqual([1]);
    await again.close();
  });

  test("secret_key_file: missing or invalid is an error naming it", async () => {
    const dataDir = newDir();
    const missing = join(root, "missing.key");
    expect((await openError(openStore(config({ data_dir: dataDir, secret_key_file: missing })))).message).toContain(
      missing,
    );
    const bad = join(root, "bad.key");
    writeFileSync(bad, "not a key\n");
    const error = await openError(openStore(config({ data_dir: dataDir, secret_key_file: bad })));
    expect(error.message).toContain(bad);
    expect(error.hint).toContain("64 hex");
  });

  test("a lost key file: the store refuses the new key and no new key file is left behind", async () => {
    const dataDir = newDir();
    const store = await openStore(config({ data_dir: dataDir }));
    await store.putSecret(uuidN(1), "k", new Uint8Array([1]));
    await store.close();
    rmSync(join(dataDir, "secret.key"));
    const error = await openError(openStore(config({ data_dir: dataDir })));
    expect(error.message).toContain("encrypted with key");
    expect(existsSync(join(dataDir, "secret.key"))).toBe(false);
  });
});

describe("openStore: cql", () => {
  test("an unreachable database is a StoreError naming every host tried and why", async () => {
    const base = defaultServerConfig();
    const error = await openError(
      openStore(
        config({
          store: "cql",
          data_dir: newDir(),
          // 127.6.255.x: nothing listens there (the cqlstore test range), so the refusal is immediate.
          database: { ...base.database, hosts: ["127.6.255.1", "127.6.255.2:19042"], keyspace: "sm_test" },
        }),
      ),
    );
    expect(error.message).toContain("cql://127.6.255.1:9042,127.6.255.2:19042/sm_test");
    expect(error.message).toContain("hosts tried: ");
    expect(error.message).toContain("127.6.255.1:9042: connect ECONNREFUSED");
    expect(error.message).toContain("127.6.255.2:19042");
    expect(error.message).toContain("ECONNREFUSED");
    expect(error.hint).toContain("database.hosts");
  });

  test("an unknown consistency is refused before connecting", async () => {
    const base = defaultServerConfig();
    const error = await openError(
      openStore({
        ...config({ store: "cql", data_dir: newDir() }),
        database: { ...base.database, hosts: ["127.6.255.1"], consistency: "SOME" as "ONE" },
      }),
    );
    expect(error.message).toContain('invalid database.consistency "SOME"');
  });
});
