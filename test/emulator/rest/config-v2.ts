/**
 * `/v2/config/<name>`: the node's scylla.yaml entries with Scylla's JSON types (ints, strings, booleans; every value
 * of client_encryption_options a string; object_storage_endpoints values JSON strings). Unknown or disabled entries
 * answer 400 `No such config entry: <name>`.
 * @module
 */
import type { NodeContext } from "../node-context.ts";
import { RestError } from "./rest-error.ts";
import type { RestRouter } from "./router.ts";

/** The config entries a node serves; `undefined` marks an entry that is disabled (answers 400). */
export function nodeConfig(node: NodeContext): Record<string, unknown> {
  const s = node.settings;
  const tls = s.tls;
  return {
    cluster_name: s.clusterName,
    listen_address: node.ip,
    broadcast_address: node.ip,
    rpc_address: node.ip,
    broadcast_rpc_address: node.ip,
    api_address: node.ip,
    api_port: s.restPort,
    prometheus_address: node.ip,
    prometheus_port: s.prometheusPort,
    native_transport_port: s.cqlPort,
    // Scylla always has this entry (default 9142), listening or not; SM reads it unconditionally and picks it only
    // when client encryption is on.
    native_transport_port_ssl: s.cqlSslPort,
    rpc_port: 9160,
    storage_port: 7000,
    ssl_storage_port: 7001,
    alternator_port: s.alternator.enabled ? s.alternator.port : undefined,
    alternator_https_port:
      s.alternator.enabled && s.alternator.httpsPort !== undefined ? s.alternator.httpsPort : undefined,
    alternator_address: s.alternator.enabled ? node.ip : undefined,
    alternator_enforce_authorization: s.alternator.enforceAuthorization,
    data_file_directories: [node.dataDir],
    commitlog_directory: `${node.dataDir}/../commitlog`,
    client_encryption_options: {
      enabled: String(tls?.enabled ?? false),
      ...(tls === undefined
        ? {}
        : {
            certificate: tls.certificatePath,
            keyfile: tls.keyfilePath,
            require_client_auth: String(tls.requireClientAuth),
          }),
    },
    authenticator: s.authenticator,
    authorizer: s.auth === undefined ? "AllowAllAuthorizer" : "CassandraAuthorizer",
    uuid_sstable_identifiers_enabled: s.uuidSstableIdentifiers,
    consistent_cluster_management: true,
    enable_tablets: s.tabletsEnabled,
    object_storage_endpoints: s.objectStorageEndpoints,
    num_tokens: node.tokens.length,
    endpoint_snitch: "org.apache.cassandra.locator.GossipingPropertyFileSnitch",
    auto_snapshot: false,
  };
}

/** Registers `/v2/config/{name}`. */
export function registerConfigRoutes(router: RestRouter, node: NodeContext): void {
  router.add("GET", "/v2/config/{name}", (req) => {
    const name = req.params.name ?? "";
    const value = nodeConfig(node)[name];
    if (value === undefined) throw new RestError(400, `No such config entry: ${name}`);
    return value;
  });
}
