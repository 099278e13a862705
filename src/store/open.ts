/**
 * Opens the Store the server config asks for. The SQLite adapter is imported dynamically, so plain Node (which has
 * no bun:sqlite) never loads it and can use the memory store.
 * @module
 */
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { type ResolveDataDirOptions, resolveDataDir } from "../config/data-dir.ts";
import type { ServerConfig } from "../config/server.ts";
import { StoreError } from "../errors.ts";
import type { CqlConnectOptions } from "./cql/connect.ts";
import { createMemoryStore } from "./memory.ts";
import { resolveSecretKey, writeNewKeyFile } from "./secret-key-file.ts";
import type { Store } from "./store.ts";

/** File name of the SQLite store inside data_dir. */
export const STORE_FILE_NAME = "scylla-manager.db";

/** The config keys `openStore` reads. */
export type StoreConfig = Pick<ServerConfig, "data_dir" | "store" | "secret_key" | "secret_key_file"> &
  Partial<Pick<ServerConfig, "database" | "ssl">>;

export interface OpenStoreOptions extends ResolveDataDirOptions {
  /** Wait for a lock held by another process, in ms. Default 5000. */
  busyTimeoutMs?: number;
}

/** The SQLite file `openStore` uses for `config` (data_dir resolved as in `resolveDataDir`). */
export function resolveStoreFile(config: Pick<ServerConfig, "data_dir">, options: ResolveDataDirOptions = {}): string {
  return join(resolveDataDir(config.data_dir, options), STORE_FILE_NAME);
}

/**
 * Opens the configured store: `memory`, `sqlite` at `<data_dir>/scylla-manager.db`, or `cql` in the `database`
 * section's keyspace (creating data_dir with mode 0700 and the secret key file on first start; a CQL store shared by
 * several servers needs the same `secret_key`/`secret_key_file` on each).
 * @throws StoreError naming the file or directory, with a hint.
 */
export async function openStore(config: StoreConfig, options: OpenStoreOptions = {}): Promise<Store> {
  if (config.store === "memory") return createMemoryStore();
  if (!isBun() && config.store !== "cql") {
    throw new StoreError("open store: the SQLite store needs the Bun runtime", {
      hint: "run under Bun, or set `store: memory` (state is then lost on exit)",
    });
  }
  const dataDir = resolveDataDir(config.data_dir, options);
  try {
    mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  } catch (error) {
    throw new StoreError(`create data directory ${dataDir}: ${(error as NodeJS.ErrnoException).code ?? error}`, {
      hint: "create it with the right owner, or set data_dir (or SCYLLA_MANAGER_DATA_DIR) to a writable directory",
      cause: error,
    });
  }
  const secret = resolveSecretKey(config, dataDir);
  let store: Store;
  if (config.store === "cql") {
    const { openCqlStore } = await import("./cql/store.ts");
    store = await openCqlStore({ ...cqlOptionsFromConfig(config), secretKey: secret.key });
  } else {
    const { openSqliteStore } = await import("./sqlite/store.ts");
    store = await openSqliteStore(join(dataDir, STORE_FILE_NAME), {
      secretKey: secret.key,
      ...(options.busyTimeoutMs === undefined ? {} : { busyTimeoutMs: options.busyTimeoutMs }),
    });
  }
  if (secret.pendingFile) {
    try {
      writeNewKeyFile(secret.pendingFile, secret.key);
    } catch (error) {
      await store.close();
      throw error;
    }
  }
  return store;
}

/** The CQL store's connection options from SM's `database` (and `ssl`) sections. */
export function cqlOptionsFromConfig(config: Partial<Pick<ServerConfig, "database" | "ssl">>): CqlConnectOptions {
  const db = config.database;
  if (!db) throw new StoreError("store: cql needs the database section", { hint: "set database.hosts" });
  return {
    hosts: db.hosts,
    port: db.port,
    keyspace: db.keyspace,
    replicationFactor: db.replication_factor,
    localDc: db.local_dc,
    user: db.user,
    password: db.password,
    consistency: db.consistency,
    timeoutMs: db.timeout,
    tokenAware: db.token_aware,
    migrateTimeoutMs: Math.max(db.migrate_timeout, 1000),
    ...(db.ssl
      ? {
          tls: {
            caFile: config.ssl?.cert_file || undefined,
            validate: config.ssl?.validate ?? true,
            certFile: config.ssl?.user_cert_file || undefined,
            keyFile: config.ssl?.user_key_file || undefined,
          },
        }
      : {}),
  };
}

function isBun(): boolean {
  return typeof process !== "undefined" && typeof process.versions?.bun === "string";
}
