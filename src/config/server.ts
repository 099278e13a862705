/**
 * The server's YAML config: SM's keys and defaults (SM's `pkg/config/server/server.go`) plus our extensions
 * (`data_dir`, `store`, `secret_key_file`, `secret_key`, `auth_token`).
 *
 * Output keys stay SM's snake_case, one to one with the YAML and SM's docs. Every duration key is converted at this
 * boundary into a number of MILLISECONDS (the YAML keeps Go syntax: `1s`, `50ms`, `5m`); keys ending in `_seconds`
 * keep SM's meaning (a count of seconds).
 * @module
 */
import * as v from "valibot";
import { ConfigError } from "../errors.ts";
import { count, deprecated, durationMs, flag, LoggerSchema, listenAddress, text } from "./fields.ts";
import { loadYamlConfig } from "./load.ts";
import { decodeSecretKey, SECRET_KEY_HINT } from "./secret-key.ts";

/** SM's default config path; skipped when missing, as SM does. */
export const DEFAULT_SERVER_CONFIG_FILE = "/etc/scylla-manager/scylla-manager.yaml";

const DatabaseSchema = v.strictObject({
  hosts: v.optional(v.array(v.string()), ["127.0.0.1"]),
  port: count(9042, 65535),
  ssl: flag(false),
  user: text(),
  password: text(),
  local_dc: text(),
  keyspace: v.optional(
    v.pipe(
      v.string(),
      v.check((name) => !name.includes('"'), 'keyspace name must not contain "'),
    ),
    "scylla_manager",
  ),
  replication_factor: count(1),
  timeout: durationMs("1s"),
  token_aware: flag(true),
  migrate_timeout: durationMs("30s"),
  migrate_max_wait_schema_agreement: durationMs("5m"),
  /** Extension beyond SM: consistency override for the CQL store ("" = SM's rule: RF 1 → ONE, else (LOCAL_)QUORUM). */
  consistency: v.optional(
    v.picklist(["", "ONE", "TWO", "THREE", "QUORUM", "LOCAL_QUORUM", "EACH_QUORUM", "ALL", "LOCAL_ONE"]),
    "",
  ),
});

const SslSchema = v.strictObject({
  cert_file: text(),
  validate: flag(true),
  user_cert_file: text(),
  user_key_file: text(),
});

const HealthcheckSchema = v.pipe(
  v.strictObject({
    max_timeout: durationMs("1s"),
    node_info_ttl: durationMs("5m"),
    cql_ping_cron: text("* * * * *"),
    rest_ping_cron: text("* * * * *"),
    alternator_ping_cron: text("* * * * *"),
    // Deprecated in SM (probes and the relative timeout were replaced by max_timeout); accepted so old configs
    // still load, and dropped from the output.
    probes: deprecated(),
    relative_timeout: deprecated(),
    timeout: deprecated(),
    ssl_timeout: deprecated(),
  }),
  v.transform(({ probes: _p, relative_timeout: _r, timeout: _t, ssl_timeout: _s, ...rest }) => rest),
);

const BackupSchema = v.strictObject({
  disk_space_free_min_percent: count(10, 99),
  long_polling_timeout_seconds: count(10),
  age_max: durationMs("24h"),
  permission_check_files_ttl: durationMs("5m"),
});

const RestoreSchema = v.strictObject({
  disk_space_free_min_percent: count(10, 99),
  long_polling_timeout_seconds: count(10),
});

const RepairSchema = v.strictObject({
  status_timeout: durationMs("0"),
  poll_interval: durationMs("50ms"),
  long_polling_timeout_seconds: count(10),
  age_max: durationMs("0"),
  graceful_stop_timeout: durationMs("30s"),
  force_repair_type: v.optional(v.picklist(["auto", "row_level", "legacy"]), "auto"),
  murmur3_partitioner_ignore_msb_bits: count(12, 63),
});

function backoffSchema(maxRetries: number) {
  return v.strictObject({
    wait_min: durationMs("1s"),
    wait_max: durationMs("30s"),
    max_retries: count(maxRetries),
    multiplier: v.optional(v.pipe(v.number(), v.minValue(1)), 2),
    jitter: v.optional(v.pipe(v.number(), v.minValue(0), v.maxValue(1)), 0.2),
  });
}

const AgentClientSchema = v.strictObject({
  timeout: durationMs("30s"),
  max_timeout: durationMs("1h"),
  list_timeout: durationMs("5m"),
  backoff: v.optional(backoffSchema(9), {}),
  // SM documents only wait_min 1s and max_retries 1 for the interactive backoff; the rest mirrors `backoff`.
  interactive_backoff: v.optional(backoffSchema(1), {}),
  pool_decay_duration: durationMs("30m"),
});

/** Schema of the server config file(s); parse `{}` to get every default. */
export const ServerConfigSchema = v.strictObject({
  /** HTTP listen address ("" = off). */
  http: listenAddress(""),
  /** HTTPS listen address ("" = off); self-signed certificate when no cert files are given. */
  https: listenAddress(""),
  tls_version: v.optional(v.picklist(["TLSv1.3", "TLSv1.2", "TLSv1.0"]), "TLSv1.2"),
  tls_cert_file: text(),
  tls_key_file: text(),
  /** When set, client certificates are required and verified against this CA. */
  tls_ca_file: text(),
  prometheus: listenAddress(":5090"),
  debug: listenAddress("127.0.0.1:5112"),
  /** ms; 0 disables the agent-client cache. */
  client_cache_timeout: durationMs("15m"),
  logger: v.optional(LoggerSchema, {}),
  /** SM's own ScyllaDB; kept for compatibility, used by the CQL store. */
  database: v.optional(DatabaseSchema, {}),
  ssl: v.optional(SslSchema, {}),
  healthcheck: v.optional(HealthcheckSchema, {}),
  config_cache: v.optional(v.strictObject({ update_frequency: durationMs("5m") }), {}),
  backup: v.optional(BackupSchema, {}),
  restore: v.optional(RestoreSchema, {}),
  repair: v.optional(RepairSchema, {}),
  agent_client: v.optional(AgentClientSchema, {}),

  // ----- extensions beyond SM -----
  /** Where the SQLite store and the secret key file live ("" = resolveDataDir's default). */
  data_dir: text(),
  /**
   * State store: "sqlite" (default, persistent, one server), "cql" (ScyllaDB/Cassandra per the `database` section;
   * several servers may share it) or "memory" (lost on exit).
   */
  store: v.optional(v.picklist(["sqlite", "cql", "memory"]), "sqlite"),
  /** File with the AES-256 key for secrets at rest ("" = `<data_dir>/secret.key`, created at first start). */
  secret_key_file: text(),
  /** The AES-256 key itself (hex or base64); wins over secret_key_file. */
  secret_key: v.optional(
    v.pipe(
      v.string(),
      v.check((key) => key === "" || decodeSecretKey(key) !== undefined, `invalid secret_key: ${SECRET_KEY_HINT}`),
    ),
    "",
  ),
  /** Optional bearer token required by our REST API ("" = no auth, as SM). */
  auth_token: text(),
  /**
   * `store: cql` with several servers: the leader's lease (ms). A dead leader's tasks are taken over within about
   * this long; a leader that cannot renew stops its runs before it ends.
   */
  leader_lease: durationMs("15s"),
});

/** The validated server config; durations are milliseconds (see the module doc). */
export type ServerConfig = v.InferOutput<typeof ServerConfigSchema>;
/** What a YAML file may contain. */
export type ServerConfigInput = v.InferInput<typeof ServerConfigSchema>;

/** Every default (what an empty config file gives). */
export function defaultServerConfig(): ServerConfig {
  return v.parse(ServerConfigSchema, {});
}

export interface LoadServerConfigOptions {
  /** Require an HTTP or HTTPS address, as SM's daemon does. Default true. */
  requireListener?: boolean;
}

/**
 * Loads and validates the server config from `files` (merged in order). With no files, SM's default path is read
 * if it exists. Missing explicit files are errors.
 * @throws ConfigError naming the file and key.
 */
export function loadServerConfig(files: readonly string[], options: LoadServerConfigOptions = {}): ServerConfig {
  const list = files.length > 0 ? files : [DEFAULT_SERVER_CONFIG_FILE];
  const optionalFiles = files.length > 0 ? [] : [DEFAULT_SERVER_CONFIG_FILE];
  const config = loadYamlConfig(ServerConfigSchema, list, { optionalFiles });
  if ((options.requireListener ?? true) && config.http === "" && config.https === "") {
    throw new ConfigError(`invalid config: ${list.join(", ")}: no http or https address set`, {
      hint: "set http (e.g. http: 127.0.0.1:5080) or https in the config file",
    });
  }
  return config;
}
