/**
 * `GET /agent/node_info` (SM's `pkg/cmd/agent/nodeinfo.go`): Scylla's config (read directly from its REST API) plus host facts,
 * with SM's exact JSON types: ports as decimal strings, booleans parsed from Scylla's string values, and HTTP 400
 * on the optional entries mapped to ""/false/null.
 * @module
 */

import { statfs } from "node:fs/promises";
import { availableParallelism, totalmem, uptime } from "node:os";
import * as v from "valibot";
import { ManagerError } from "../src/errors.ts";
import type { AgentConfig } from "./config.ts";
import { omitEmpty } from "./omit-empty.ts";
import { type ConfigValue, configString, type ScyllaConfigClient } from "./scylla-config.ts";
import { AGENT_VERSION } from "./version.ts";

/** One entry of Scylla's `object_storage_endpoints`, as node_info reports it. */
export interface ObjectStorageEndpoint {
  name: string;
  port: number;
  use_https: boolean;
  aws_region: string;
  iam_role_arn: string;
  type: string;
}

/** The `NodeInfo` JSON (agent.json). */
export interface NodeInfo {
  api_address: string;
  api_port: string;
  broadcast_address: string;
  broadcast_rpc_address: string;
  listen_address: string;
  native_transport_port: string;
  native_transport_port_ssl: string;
  prometheus_address: string;
  prometheus_port: string;
  rpc_address: string;
  rpc_port: string;
  alternator_address: string;
  alternator_port: string;
  alternator_https_port: string;
  data_directory: string;
  client_encryption_enabled: boolean;
  client_encryption_require_auth: boolean;
  cql_password_protected: boolean;
  alternator_enforce_authorization: boolean;
  sstable_uuid_format: boolean;
  consistent_cluster_management: boolean;
  enable_tablets: boolean;
  object_storage_endpoints: Record<string, ObjectStorageEndpoint> | null;
  memory_total: number;
  uptime: number;
  cpu_count: number;
  storage_size: number;
  scylla_version: string;
  agent_version: string;
  rclone_backend_config: {
    s3: { endpoint: string; region: string };
    gcs: { endpoint: string };
    azure: Record<string, never>;
  };
}

const REQUIRED_STRINGS = [
  "broadcast_address",
  "broadcast_rpc_address",
  "listen_address",
  "native_transport_port",
  "prometheus_address",
  "prometheus_port",
  "rpc_address",
] as const;
/**
 * Entries whose HTTP 400 ("No such config entry") reads as "". SM's source lists only the alternator ones; we
 * also tolerate it for the SSL CQL port and the Thrift port, which some Scylla builds (and the emulator without
 * TLS) do not expose: SM's server only uses the SSL port when client encryption is on, and never the Thrift port.
 */
const OPTIONAL_STRINGS = [
  "native_transport_port_ssl",
  "rpc_port",
  "alternator_address",
  "alternator_port",
  "alternator_https_port",
] as const;
const OPTIONAL_FLAGS = {
  alternator_enforce_authorization: "alternator_enforce_authorization",
  sstable_uuid_format: "uuid_sstable_identifiers_enabled",
  consistent_cluster_management: "consistent_cluster_management",
  enable_tablets: "enable_tablets",
} as const;

const EndpointSchema = v.object({
  port: v.optional(v.number(), 0),
  use_https: v.optional(v.union([v.boolean(), v.string()]), false),
  aws_region: v.optional(v.string(), ""),
  iam_role_arn: v.optional(v.string(), ""),
  type: v.optional(v.string(), ""),
});

/** Collects node_info; any failure other than 400 on an optional entry is a ManagerError ("node info fetch: ..."). */
export async function fetchNodeInfo(config: AgentConfig, client: ScyllaConfigClient): Promise<NodeInfo> {
  try {
    return await collect(config, client);
  } catch (error) {
    throw new ManagerError(`node info fetch: ${(error as Error).message}`, { cause: error });
  }
}

async function collect(config: AgentConfig, client: ScyllaConfigClient): Promise<NodeInfo> {
  const names = [
    ...REQUIRED_STRINGS,
    ...OPTIONAL_STRINGS,
    ...Object.values(OPTIONAL_FLAGS),
    "data_file_directories",
    "client_encryption_options",
    "authenticator",
    "object_storage_endpoints",
  ];
  const answers = new Map<string, ConfigValue>();
  await Promise.all(names.map(async (name) => answers.set(name, await client.config(name))));
  const required = (name: string): unknown => {
    const answer = answers.get(name);
    if (answer === undefined || !answer.ok) {
      throw new Error(
        `get config ${name}: HTTP ${answer?.ok === false ? `${answer.status}: ${answer.message}` : "no answer"}`,
      );
    }
    return answer.value;
  };
  const optional = (name: string): unknown => {
    const answer = answers.get(name);
    if (answer !== undefined && !answer.ok && answer.status === 400) return undefined;
    return required(name);
  };

  const dataDirs = required("data_file_directories");
  const dataDirectory = Array.isArray(dataDirs) ? configString(dataDirs[0]) : configString(dataDirs);
  const encryption = asRecord(required("client_encryption_options"));
  const authenticator = configString(required("authenticator")).replace(/^org\.apache\.cassandra\.auth\./, "");
  const [scyllaVersion, storageSize] = await Promise.all([client.releaseVersion(), diskSize(dataDirectory)]);

  const strings = Object.fromEntries(REQUIRED_STRINGS.map((name) => [name, configString(required(name))]));
  const optionalStrings = Object.fromEntries(OPTIONAL_STRINGS.map((name) => [name, configString(optional(name))]));
  const flags = Object.fromEntries(
    Object.entries(OPTIONAL_FLAGS).map(([field, name]) => [field, parseFlag(optional(name))]),
  );
  return {
    api_address: config.scylla.api_address,
    api_port: config.scylla.api_port,
    ...(strings as Record<(typeof REQUIRED_STRINGS)[number], string>),
    ...(optionalStrings as Record<(typeof OPTIONAL_STRINGS)[number], string>),
    data_directory: dataDirectory,
    client_encryption_enabled: parseFlag(encryption.enabled),
    client_encryption_require_auth: parseFlag(encryption.require_client_auth),
    cql_password_protected: authenticator === "PasswordAuthenticator",
    ...(flags as Record<keyof typeof OPTIONAL_FLAGS, boolean>),
    object_storage_endpoints: parseEndpoints(optional("object_storage_endpoints")),
    memory_total: totalmem(),
    uptime: Math.floor(uptime()),
    cpu_count: availableParallelism(),
    storage_size: storageSize,
    scylla_version: scyllaVersion,
    agent_version: AGENT_VERSION,
    rclone_backend_config: {
      s3: { endpoint: config.s3.endpoint ?? "", region: config.s3.region ?? "" },
      gcs: { endpoint: config.gcs.endpoint ?? "" },
      azure: {},
    },
  };
}

/**
 * node_info as SM's agent sends it: zero values omitted (its model is all `omitempty`), `s3` and `gcs` always
 * present (struct values) with their own empty fields omitted, and no `azure` (an empty interface in SM's model).
 */
export function nodeInfoJson(info: NodeInfo): Record<string, unknown> {
  const { rclone_backend_config: backends, object_storage_endpoints: endpoints, ...rest } = info;
  const ose = Object.entries(endpoints ?? {}).map(([name, e]) => [name, omitEmpty(e)]);
  return {
    ...omitEmpty({ ...rest, object_storage_endpoints: Object.fromEntries(ose) }),
    rclone_backend_config: { s3: omitEmpty(backends.s3), gcs: omitEmpty(backends.gcs) },
  };
}

/** Scylla answers booleans in `client_encryption_options` as strings ("true"); SM compares case-insensitively. */
export function parseFlag(value: unknown): boolean {
  if (typeof value === "boolean") return value;
  if (typeof value === "string") return value.toLowerCase() === "true";
  return false;
}

function asRecord(value: unknown): Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : {};
}

/** Scylla returns `object_storage_endpoints` as a map of name → JSON-encoded string. */
export function parseEndpoints(value: unknown): Record<string, ObjectStorageEndpoint> | null {
  if (value === undefined || value === null) return null;
  const out: Record<string, ObjectStorageEndpoint> = {};
  for (const [name, raw] of Object.entries(asRecord(value))) {
    let parsed: unknown = raw;
    if (typeof raw === "string") {
      try {
        parsed = JSON.parse(raw);
      } catch {
        throw new Error(`object_storage_endpoints: entry ${JSON.stringify(name)} is not valid JSON`);
      }
    }
    const entry = v.safeParse(EndpointSchema, parsed);
    if (!entry.success)
      throw new Error(`object_storage_endpoints: entry ${JSON.stringify(name)}: ${entry.issues[0].message}`);
    out[name] = { name, ...entry.output, use_https: parseFlag(entry.output.use_https) };
  }
  return out;
}

async function diskSize(dir: string): Promise<number> {
  const info = await statfs(dir);
  return info.blocks * info.bsize;
}
