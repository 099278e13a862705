/**
 * `GET /agent/node_info` (SM's `pkg/cmd/agent/nodeinfo.go`): the schema of every field and what SM
 * derives from it (CQL address and port, TLS, Alternator URL).
 * @module
 */
import * as v from "valibot";

const text = () => v.optional(v.string(), "");
const flag = () => v.optional(v.boolean(), false);
const int = () => v.optional(v.number(), 0);

const ObjectStorageEndpointSchema = v.object({
  name: text(),
  port: v.optional(v.number(), 0),
  use_https: flag(),
  aws_region: text(),
  iam_role_arn: text(),
  type: text(),
});

/** The agent's node_info answer; absent fields get their zero values, as Go decodes them. */
export const NodeInfoSchema = v.object({
  api_address: text(),
  api_port: text(),
  broadcast_address: text(),
  broadcast_rpc_address: text(),
  listen_address: text(),
  native_transport_port: text(),
  native_transport_port_ssl: text(),
  prometheus_address: text(),
  prometheus_port: text(),
  rpc_address: text(),
  rpc_port: text(),
  alternator_address: text(),
  alternator_port: text(),
  alternator_https_port: text(),
  alternator_enforce_authorization: flag(),
  data_directory: text(),
  client_encryption_enabled: flag(),
  client_encryption_require_auth: flag(),
  cql_password_protected: flag(),
  sstable_uuid_format: flag(),
  consistent_cluster_management: flag(),
  enable_tablets: flag(),
  object_storage_endpoints: v.optional(v.nullable(v.record(v.string(), ObjectStorageEndpointSchema)), null),
  memory_total: int(),
  uptime: int(),
  cpu_count: int(),
  storage_size: int(),
  scylla_version: text(),
  agent_version: text(),
  rclone_backend_config: v.optional(
    v.object({
      s3: v.optional(v.object({ endpoint: text(), region: text() }), {}),
      gcs: v.optional(v.object({ endpoint: text() }), {}),
      azure: v.optional(v.object({}), {}),
    }),
    {},
  ),
});
export type NodeInfo = v.InferOutput<typeof NodeInfoSchema>;

/** How the cluster wants its CQL sessions (cluster flags). */
export interface CqlSessionFlags {
  forceTlsDisabled?: boolean;
  forceNonSslSessionPort?: boolean;
}

function isZeroAddress(address: string): boolean {
  return address === "" || address === "0.0.0.0" || address === "::" || address === "::0";
}

/** The address clients use: broadcast_rpc, else rpc, else listen; a zero address falls back to `host`. */
function resolveClientAddress(info: NodeInfo, host: string): string {
  if (info.broadcast_rpc_address !== "") return info.broadcast_rpc_address;
  if (info.rpc_address !== "") return isZeroAddress(info.rpc_address) ? host : info.rpc_address;
  return isZeroAddress(info.listen_address) ? host : info.listen_address;
}

/** Whether CQL sessions to this node use TLS (client encryption on and not forced off). */
export function isCqlTls(info: NodeInfo, flags: CqlSessionFlags = {}): boolean {
  return info.client_encryption_enabled && !flags.forceTlsDisabled;
}

/**
 * `{address, port, tls}` of the node's CQL endpoint, as SM's `CQLAddr`: the SSL port when TLS is on, unless the
 * cluster forces the non-SSL session port (TLS then still applies on the plain port).
 */
export function resolveCqlEndpoint(
  info: NodeInfo,
  host: string,
  flags: CqlSessionFlags = {},
): { address: string; port: number; tls: boolean } {
  const tls = isCqlTls(info, flags);
  const useSslPort = tls && !flags.forceNonSslSessionPort && info.native_transport_port_ssl !== "";
  const port = Number(useSslPort ? info.native_transport_port_ssl : info.native_transport_port) || 9042;
  return { address: resolveClientAddress(info, host), port, tls };
}

/** Whether Alternator is enabled (a port or https port set and not "0"). */
function isAlternatorEnabled(info: NodeInfo): boolean {
  const set = (port: string) => port !== "" && port !== "0";
  return set(info.alternator_https_port) || set(info.alternator_port);
}

/** The Alternator base URL (https port preferred), or undefined when Alternator is off. */
export function resolveAlternatorUrl(info: NodeInfo, host: string): string | undefined {
  if (!isAlternatorEnabled(info)) return undefined;
  const https = info.alternator_https_port !== "" && info.alternator_https_port !== "0";
  const address = isZeroAddress(info.alternator_address) ? host : info.alternator_address;
  const hostPart = address.includes(":") ? `[${address}]` : address;
  return `${https ? "https" : "http"}://${hostPart}:${https ? info.alternator_https_port : info.alternator_port}`;
}
