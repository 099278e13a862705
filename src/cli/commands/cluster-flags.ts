/**
 * The flags shared by `sctool cluster add` and `cluster update` (SM's `docs/source/sctool/partials/sctool_cluster_add.yaml`), and how
 * they become a Cluster body. Only flags given on the command line are applied (SM checks cobra's `Changed`).
 * @module
 */
import type { ArgsDef } from "citty";
import type { ClusterBody } from "../../clients/manager-api/clusters.ts";
import { ValidationError } from "../../errors.ts";
import { readTextFile } from "../../util/read-file.ts";

/** Flags of both `add` and `update`. */
export const clusterFlagArgs = {
  host: {
    type: "string",
    valueHint: "IP",
    description:
      "Hostname or IP of the node that will be used to discover other nodes belonging to the cluster.\nNote that this will be persisted and used every time Scylla Manager starts.\nYou can use either an IPv4 or IPv6 address.",
  },
  name: {
    type: "string",
    alias: "n",
    valueHint: "alias",
    description:
      "When a cluster is added, it is assigned a unique identifier.\nUse this parameter to identify the cluster by an alias name which is more meaningful.\nThis alias name can be used with all commands that accept --cluster parameter.",
  },
  label: {
    type: "string",
    description:
      "A comma-separated list of label modifications. Labels are represented as a key-value store.\nCharacter '=' has a special meaning and cannot be a part of label's key nor value.\nA single modification takes form of:\n* '<key>=<value>' - sets the label <key> to <value>\n* '<key>-'        - removes the label\n\nFor example, '--label k1=v1,k2-' will set the label 'k1' to 'v1' and will also remove label 'k2'.",
  },
  port: { type: "string", valueHint: "port", description: "Alternate Scylla Manager agent port. (default 10001)" },
  "auth-token": {
    type: "string",
    valueHint: "token",
    description: "The authentication token you identified in '/etc/scylla-manager-agent/scylla-manager-agent.yaml'.",
  },
  username: {
    type: "string",
    alias: "u",
    valueHint: "username",
    description:
      "CQL username, for security reasons this user should NOT have access to your data.\nIf you specify the CQL username and password, the CQL health check you see in status command would try to login and execute a query against system keyspace.\nOtherwise CQL health check is based on sending CQL OPTIONS frame and does not start a CQL session.",
  },
  password: {
    type: "string",
    alias: "p",
    valueHint: "password",
    description: "CQL password associated with username.",
  },
  "alternator-access-key-id": {
    type: "string",
    valueHint: "access-key-id",
    description:
      "Alternator access-key-id, for security reasons this account should NOT have access to your data.\nIf you specify the alternator access-key-id and secret-access-key, the alternator health check you see in status command would try to login and execute a query against system table.\nOtherwise alternator health check is based on sending GET request to alternator port and does not create an alternator client.",
  },
  "alternator-secret-access-key": {
    type: "string",
    valueHint: "secret-access-key",
    description: "Alternator secret-access-key associated with access-key-id.",
  },
  "ssl-user-cert-file": {
    type: "string",
    valueHint: "path",
    description:
      "File path to client certificate when Scylla uses client/server encryption (require_client_auth enabled).",
  },
  "ssl-user-key-file": {
    type: "string",
    valueHint: "path",
    description: "File path to key associated with --ssl-user-cert-file flag.",
  },
  "force-tls-disabled": {
    type: "boolean",
    description:
      "Forces Scylla Manager to always disable TLS for the cluster's CQL session, even if TLS is enabled in scylla.yaml.",
  },
  "force-non-ssl-session-port": {
    type: "boolean",
    description: "Forces Scylla Manager to always use the non-SSL port for TLS-enabled cluster CQL sessions.",
  },
  "agent-ca-cert-file": {
    type: "string",
    valueHint: "path",
    description:
      "PEM CA that signed the agents' certificates; agents are then verified (beyond SM, which never verifies).",
  },
  "agent-cert-fingerprint": {
    type: "string",
    valueHint: "sha256",
    description: "SHA-256 fingerprint(s) of the agents' certificates to pin, comma-separated (beyond SM).",
  },
} as const satisfies ArgsDef;

type Args = Record<string, unknown>;

function str(args: Args, name: string): string | undefined {
  const value = args[name];
  return typeof value === "string" ? value : undefined;
}

/** Applies `k=v,k2-` label modifications to `labels`. */
export function applyLabelChanges(labels: Record<string, string>, spec: string): Record<string, string> {
  const out = { ...labels };
  const set = new Set<string>();
  const removed = new Set<string>();
  for (const item of spec
    .split(",")
    .map((part) => part.trim())
    .filter(Boolean)) {
    if (item.endsWith("-") && !item.includes("=")) {
      const key = item.slice(0, -1);
      removed.add(key);
      delete out[key];
      continue;
    }
    const parts = item.split("=");
    if (parts.length !== 2 || parts[0] === "") {
      throw new ValidationError(`invalid label "${item}"`, {
        hint: "use key=value to set a label and key- to remove it",
      });
    }
    const [key, value] = parts as [string, string];
    set.add(key);
    out[key] = value;
  }
  for (const key of set) {
    if (removed.has(key)) throw new ValidationError(`label "${key}" is both set and removed`);
  }
  return out;
}

function requireBoth(args: Args, a: string, b: string): void {
  const hasA = str(args, a) !== undefined;
  const hasB = str(args, b) !== undefined;
  if (hasA && !hasB) throw new ValidationError(`missing flag "${b}"`, { hint: `--${a} needs --${b}` });
  if (hasB && !hasA) throw new ValidationError(`missing flag "${a}"`, { hint: `--${b} needs --${a}` });
}

function readPem(path: string, flag: string): string {
  return readTextFile(path, (reason, error) => {
    throw new ValidationError(`read --${flag} ${path}: ${reason}`, {
      hint: `make sure ${path} exists and is readable`,
      cause: error,
    });
  });
}

/** The flags given, applied over `base` (the current cluster on update). */
export function applyClusterFlags(base: ClusterBody, args: Args): ClusterBody {
  requireBoth(args, "username", "password");
  requireBoth(args, "alternator-access-key-id", "alternator-secret-access-key");
  requireBoth(args, "ssl-user-cert-file", "ssl-user-key-file");
  const body: ClusterBody = { ...base };
  const host = str(args, "host");
  if (host !== undefined) body.host = host;
  const name = str(args, "name");
  if (name !== undefined) body.name = name;
  const label = str(args, "label");
  if (label !== undefined) body.labels = applyLabelChanges(base.labels ?? {}, label);
  const port = str(args, "port");
  if (port !== undefined) {
    const value = Number(port);
    if (!Number.isInteger(value) || value < 1 || value > 65535) {
      throw new ValidationError(`invalid argument "${port}" for "--port" flag`, { hint: "use a port number 1-65535" });
    }
    // SM sends the port only when it differs from the default.
    body.port = value === 10001 ? 0 : value;
  }
  const token = str(args, "auth-token");
  if (token !== undefined) body.auth_token = token;
  if (str(args, "username") !== undefined) {
    body.username = str(args, "username");
    body.password = str(args, "password");
  }
  if (str(args, "alternator-access-key-id") !== undefined) {
    body.alternator_access_key_id = str(args, "alternator-access-key-id");
    body.alternator_secret_access_key = str(args, "alternator-secret-access-key");
  }
  const certFile = str(args, "ssl-user-cert-file");
  const keyFile = str(args, "ssl-user-key-file");
  if (certFile !== undefined && keyFile !== undefined) {
    body.ssl_user_cert_file = Buffer.from(readPem(certFile, "ssl-user-cert-file")).toString("base64");
    body.ssl_user_key_file = Buffer.from(readPem(keyFile, "ssl-user-key-file")).toString("base64");
  }
  if (typeof args["force-tls-disabled"] === "boolean") body.force_tls_disabled = args["force-tls-disabled"];
  if (typeof args["force-non-ssl-session-port"] === "boolean") {
    body.force_non_ssl_session_port = args["force-non-ssl-session-port"];
  }
  const caFile = str(args, "agent-ca-cert-file");
  if (caFile !== undefined) body.agent_ca_cert = readPem(caFile, "agent-ca-cert-file");
  const fingerprint = str(args, "agent-cert-fingerprint");
  if (fingerprint !== undefined) body.agent_cert_fingerprint = fingerprint;
  return body;
}

/** Whether any of `names` was given. */
export function hasAnyFlag(args: Args, names: readonly string[]): boolean {
  return names.some((name) => args[name] !== undefined);
}
