/**
 * The agent's YAML config: SM's keys and defaults (SM's `pkg/config/agent/agent.go`, `dist/etc/scylla-manager-agent.yaml`), validated with
 * valibot and loaded with the shared YAML loader (later files override earlier ones, unknown keys are errors).
 *
 * The `scylla` section only takes `api_address`/`api_port` from the YAML; the rest is filled from Scylla's
 * `/v2/config/*` at start-up (`enrichConfigFromScylla` in `scylla-config.ts`), as SM does.
 * @module
 */
import { existsSync } from "node:fs";
import * as v from "valibot";
import { count, LoggerSchema, listenAddress, text } from "../src/config/fields.ts";
import { loadYamlConfig } from "../src/config/load.ts";
import { ConfigError } from "../src/errors.ts";
import { AzureConfigSchema, GcsConfigSchema, LocalstorageConfigSchema, S3ConfigSchema } from "./providers/config.ts";

/** SM's default agent config path; a missing default file is skipped, an explicit `-c` file must exist. */
export const DEFAULT_AGENT_CONFIG_FILE = "/etc/scylla-manager-agent/scylla-manager-agent.yaml";

/** TLS versions SM accepts in `tls_version`. */
export const TLS_VERSIONS = ["TLSv1.0", "TLSv1.2", "TLSv1.3"] as const;
export type TlsVersion = (typeof TLS_VERSIONS)[number];

const PortSchema = v.pipe(
  v.union([v.string(), v.number()], "expected a port number"),
  v.transform((value) => String(value)),
);

/**
 * `scylla:`. Only `api_address` and `api_port` are read from the YAML in SM; the other keys are accepted (and
 * overwritten from Scylla's API at start-up) so a config SM's agent accepts is accepted here too.
 */
const ScyllaSchema = v.strictObject({
  api_address: text("0.0.0.0"),
  api_port: v.optional(PortSchema, "10000"),
  listen_address: text(),
  prometheus_address: text(),
  prometheus_port: v.optional(PortSchema, ""),
  data_directory: text(),
  broadcast_rpc_address: text(),
  rpc_address: text(),
});

/**
 * `rclone:` is rclone's whole `fs.ConfigInfo` in SM; we type the keys we honour and accept the rest unchanged
 * (a config written for SM's agent must not fail here because it tunes an rclone knob we don't have).
 */
const RcloneSchema = v.looseObject({
  transfers: v.optional(v.pipe(v.number(), v.integer(), v.minValue(1)), 2),
  checkers: count(100),
  low_level_retries: count(20),
  bwlimit: v.optional(v.string(), ""),
});

const CpuSchema = v.optional(
  v.pipe(
    v.union(
      [v.pipe(v.number(), v.integer()), v.array(v.pipe(v.number(), v.integer()))],
      "expected a CPU number or a list",
    ),
    v.transform((value) => (Array.isArray(value) ? value : [value])),
  ),
  [-1],
);

/** The whole agent config schema (YAML in, defaults applied out). */
export const AgentConfigSchema = v.strictObject({
  auth_token: text(),
  https: v.optional(v.string(), ""),
  https_port: count(10001, 65535),
  tls_version: v.optional(v.picklist(TLS_VERSIONS), "TLSv1.2"),
  tls_cert_file: text(),
  tls_key_file: text(),
  prometheus: listenAddress(":5090"),
  debug: listenAddress("127.0.0.1:5112"),
  cpu: CpuSchema,
  logger: v.optional(LoggerSchema, {}),
  scylla: v.optional(ScyllaSchema, {}),
  rclone: v.optional(RcloneSchema, {}),
  s3: v.optional(S3ConfigSchema, {}),
  gcs: v.optional(GcsConfigSchema, {}),
  azure: v.optional(AzureConfigSchema, {}),
  localstorage: v.optional(LocalstorageConfigSchema, {}),
});

/** The validated agent config. */
export type AgentConfig = v.InferOutput<typeof AgentConfigSchema>;
/** What a YAML file (or an in-process caller) may give: every key optional. */
export type AgentConfigInput = v.InferInput<typeof AgentConfigSchema>;
/** The `scylla:` section. */
export type ScyllaSection = AgentConfig["scylla"];

/** Applies defaults to an in-process config object (no files); throws ConfigError on wrong values. */
export function parseAgentConfig(input: AgentConfigInput, label = "agent config"): AgentConfig {
  const result = v.safeParse(AgentConfigSchema, input);
  if (result.success) return result.output;
  const issue = result.issues[0];
  const path = (issue.path ?? []).map((item) => String(item.key)).join(".");
  throw new ConfigError(`invalid config: ${label}: ${path === "" ? "" : `${path}: `}${issue.message}`);
}

/**
 * Loads agent config files in order over SM's defaults. With no files the default path is tried and skipped when
 * missing. Refuses a config without `auth_token`, naming the files and the key.
 */
export function loadAgentConfig(files: readonly string[]): AgentConfig {
  const explicit = files.length > 0;
  const list = explicit ? files : [DEFAULT_AGENT_CONFIG_FILE];
  const config = loadYamlConfig(AgentConfigSchema, list, explicit ? {} : { optionalFiles: list });
  requireAuthToken(config, list);
  return config;
}

/**
 * SM (HEAD) refuses to start without a token ("configuration file must specify auth-token"), stricter than its
 * docs; we follow the code, because an agent without a token would proxy Scylla's API to anyone.
 */
export function requireAuthToken(config: AgentConfig, files: readonly string[]): void {
  if (config.auth_token.trim() !== "") return;
  const where = files.length === 0 ? "the agent config" : files.join(", ");
  throw new ConfigError(
    `configuration file must specify auth-token: key "auth_token" is missing or empty in ${where}`,
    {
      hint: "set auth_token to the same secret on every node of the cluster and in the cluster's settings in Scylla Manager",
    },
  );
}

/** SM's GCS credentials file, used when the config names none and it exists. */
export const DEFAULT_GCS_SERVICE_ACCOUNT_FILE = "/etc/scylla-manager-agent/gcs-service-account.json";

/**
 * SM's provider auto-fill that makes sense here: GCS uses the default service-account file when present. (S3's
 * region from EC2 metadata and Azure's `use_msi` are handled, or refused with a reason, by the providers.)
 */
export function autofillProviders(config: AgentConfig, gcsFile = DEFAULT_GCS_SERVICE_ACCOUNT_FILE): AgentConfig {
  if ((config.gcs.service_account_file ?? "") !== "" || config.gcs.anonymous === true || !existsSync(gcsFile))
    return config;
  return { ...config, gcs: { ...config.gcs, service_account_file: gcsFile } };
}

/** The HTTPS bind address: `https`, or `<listen_address>:<https_port>` (SM does not bind 0.0.0.0 by default). */
export function resolveHttpsAddress(config: AgentConfig): string {
  if (config.https !== "") return config.https;
  const host = config.scylla.listen_address === "" ? "0.0.0.0" : config.scylla.listen_address;
  return joinHostPort(host, config.https_port);
}

/** Splits `host:port` (`:5090` = all interfaces, `[::1]:80` for IPv6). */
export function splitHostPort(address: string): { host: string; port: number } {
  const match = /^(?:\[([^\]]+)\]|([^:]*)):(\d+)$/.exec(address);
  if (match === null) throw new ConfigError(`invalid listen address ${JSON.stringify(address)}: expected host:port`);
  const host = match[1] ?? match[2] ?? "";
  return { host: host === "" ? "0.0.0.0" : host, port: Number(match[3]) };
}

/** Joins a host and port, bracketing IPv6 literals. */
export function joinHostPort(host: string, port: number | string): string {
  return host.includes(":") ? `[${host}]:${port}` : `${host}:${port}`;
}
