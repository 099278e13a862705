/**
 * SM's Cluster as the REST API reads and writes it (SM's `pkg/service/cluster/model.go`), its validation, and the
 * mapping to the stored record and back.
 * @module
 */
import { createPrivateKey, X509Certificate } from "node:crypto";
import * as v from "valibot";
import { ValidationError } from "../errors.ts";
import type { ClusterRecord } from "../store/store.ts";
import {
  boundedName,
  boundedNumber,
  boundedText,
  INPUT_LIMITS,
  jsonObject,
  labelsRecord,
} from "../util/input-limits.ts";
import { isUuid } from "../util/uuid.ts";

const optionalText = (field: string, max: number = INPUT_LIMITS.text) => v.optional(boundedText(field, max));
const optionalFlag = () => v.optional(v.boolean());

/**
 * The Cluster JSON accepted by POST /clusters and PUT /cluster/{id} (unknown keys ignored, as Go's decoder does).
 * Every field is bounded (src/util/input-limits.ts): a 400 naming the field before anything is stored.
 */
export const ClusterInputSchema = jsonObject("body", {
  id: optionalText("id", 64),
  name: v.optional(boundedName("name")),
  labels: v.optional(v.nullable(labelsRecord("labels"))),
  host: optionalText("host", INPUT_LIMITS.host),
  port: v.optional(boundedNumber("port", { min: 0, max: 65535 })),
  auth_token: optionalText("auth_token"),
  username: optionalText("username"),
  password: optionalText("password"),
  alternator_access_key_id: optionalText("alternator_access_key_id"),
  alternator_secret_access_key: optionalText("alternator_secret_access_key"),
  /** base64 of the PEM certificate (Go []byte). */
  ssl_user_cert_file: optionalText("ssl_user_cert_file", INPUT_LIMITS.document),
  /** base64 of the PEM key (Go []byte). */
  ssl_user_key_file: optionalText("ssl_user_key_file", INPUT_LIMITS.document),
  without_repair: optionalFlag(),
  force_tls_disabled: optionalFlag(),
  force_non_ssl_session_port: optionalFlag(),
  // ----- beyond SM: verify the agents' certificates -----
  /** PEM CA that signed the agents' certificates. */
  agent_ca_cert: optionalText("agent_ca_cert", INPUT_LIMITS.document),
  /** SHA-256 fingerprint(s) of the agents' certificates, comma-separated. */
  agent_cert_fingerprint: optionalText("agent_cert_fingerprint", INPUT_LIMITS.document),
});
export type ClusterInput = v.InferOutput<typeof ClusterInputSchema>;

/**
 * The Cluster JSON the API answers with (SM's Cluster; secrets masked or absent). The served `openapi.json` is
 * generated from this schema and `ClusterJson` derives from it, so answer and document cannot drift.
 */
export const ClusterJsonSchema = v.object({
  id: v.string(),
  name: v.string(),
  labels: v.record(v.string(), v.string()),
  host: v.string(),
  port: v.optional(v.pipe(v.number(), v.integer())),
  auth_token: v.string(),
  force_tls_disabled: v.boolean(),
  force_non_ssl_session_port: v.boolean(),
  username: v.optional(v.string()),
  password: v.optional(v.string()),
  alternator_access_key_id: v.optional(v.string()),
  alternator_secret_access_key: v.optional(v.string()),
  agent_ca_cert: v.optional(v.string()),
  agent_cert_fingerprint: v.optional(v.string()),
});
export type ClusterJson = v.InferOutput<typeof ClusterJsonSchema>;

/** Secret keys in the store (SM's `secrets` table keys). */
export const SecretKey = {
  cqlCreds: "cql_creds",
  alternatorCreds: "alternator_creds",
  tlsIdentity: "tls_identity",
} as const;

/** The secrets a request carries (decoded). */
export interface ClusterSecrets {
  cql?: { username: string; password: string };
  alternator?: { access_key_id: string; secret_access_key: string };
  tls?: { cert: string; private_key: string };
}

function decodeBase64Pem(value: string, field: string): string {
  const text = Buffer.from(value, "base64").toString("utf8");
  if (!text.includes("-----BEGIN")) {
    throw new ValidationError(`invalid cluster: ${field} must be a base64-encoded PEM file`);
  }
  return text;
}

function checkKeyPair(certPem: string, keyPem: string): void {
  let matches = false;
  try {
    matches = new X509Certificate(certPem).checkPrivateKey(createPrivateKey(keyPem));
  } catch (error) {
    throw new ValidationError(
      `invalid cluster: invalid SSL user certificate pair: ${error instanceof Error ? error.message : error}`,
      { hint: "pass a PEM certificate with --ssl-user-cert-file and its PEM private key with --ssl-user-key-file" },
    );
  }
  if (!matches) {
    throw new ValidationError(
      "invalid cluster: invalid SSL user certificate pair: private key does not match the certificate",
    );
  }
}

function requirePair(a: string | undefined, b: string | undefined, nameA: string, nameB: string): boolean {
  const hasA = (a ?? "") !== "";
  const hasB = (b ?? "") !== "";
  if (hasA && !hasB)
    throw new ValidationError(`invalid cluster: missing ${nameB}`, { hint: `set ${nameB} together with ${nameA}` });
  if (hasB && !hasA)
    throw new ValidationError(`invalid cluster: missing ${nameA}`, { hint: `set ${nameA} together with ${nameB}` });
  return hasA;
}

/**
 * Validates a cluster body (SM's `Cluster.Validate` plus the host check of PutCluster) and extracts its secrets.
 * Throws ValidationError (400) naming the problem; nothing is stored before this passes.
 */
export function validateClusterInput(input: ClusterInput): ClusterSecrets {
  if (input.id !== undefined && input.id !== "" && !isUuid(input.id)) {
    throw new ValidationError(`invalid cluster: id "${input.id}" is not a UUID`);
  }
  if (input.name !== undefined && isUuid(input.name)) {
    throw new ValidationError("invalid cluster: name cannot be an UUID", { hint: "pick a name that is not a UUID" });
  }
  const host = (input.host ?? "").trim();
  if (host === "")
    throw new ValidationError("invalid cluster: missing host", { hint: "set host to any node's IP or DNS name" });
  if (/[\s/?#@]/.test(host) || host.includes("://")) {
    throw new ValidationError(`invalid cluster: invalid host "${input.host}"`, {
      hint: "set host to an IP address or a DNS name, without scheme or port",
    });
  }
  const secrets: ClusterSecrets = {};
  if (requirePair(input.username, input.password, "username", "password")) {
    secrets.cql = { username: input.username as string, password: input.password as string };
  }
  if (
    requirePair(
      input.alternator_access_key_id,
      input.alternator_secret_access_key,
      "alternator_access_key_id",
      "alternator_secret_access_key",
    )
  ) {
    secrets.alternator = {
      access_key_id: input.alternator_access_key_id as string,
      secret_access_key: input.alternator_secret_access_key as string,
    };
  }
  if (requirePair(input.ssl_user_cert_file, input.ssl_user_key_file, "ssl_user_cert_file", "ssl_user_key_file")) {
    const cert = decodeBase64Pem(input.ssl_user_cert_file as string, "ssl_user_cert_file");
    const key = decodeBase64Pem(input.ssl_user_key_file as string, "ssl_user_key_file");
    checkKeyPair(cert, key);
    secrets.tls = { cert, private_key: key };
  }
  const fingerprints = (input.agent_cert_fingerprint ?? "").split(/[\s,;]+/).filter((item) => item !== "");
  for (const fingerprint of fingerprints) {
    if (!/^[0-9a-fA-F:]+$/.test(fingerprint) || fingerprint.replace(/:/g, "").length !== 64) {
      throw new ValidationError(
        `invalid cluster: agent_cert_fingerprint "${fingerprint}" is not a SHA-256 fingerprint`,
        {
          hint: "use 64 hex digits (colons allowed), several separated by commas",
        },
      );
    }
  }
  return secrets;
}

/** The stored record for a validated input (known hosts filled in later by discovery). */
export function toClusterRecord(id: string, input: ClusterInput, knownHosts: string[]): ClusterRecord {
  const record: ClusterRecord = {
    id,
    name: input.name ?? "",
    labels: input.labels ?? {},
    host: (input.host ?? "").trim(),
    knownHosts,
    port: input.port ?? 0,
    authToken: input.auth_token ?? "",
    forceTlsDisabled: input.force_tls_disabled ?? false,
    forceNonSslSessionPort: input.force_non_ssl_session_port ?? false,
  };
  if (input.agent_ca_cert) record.agentCaCert = input.agent_ca_cert;
  if (input.agent_cert_fingerprint) record.agentCertFingerprint = input.agent_cert_fingerprint;
  return record;
}

/** The API's view of a stored cluster; `masks` adds SM's "set" markers (GET /clusters only). */
export function toClusterJson(record: ClusterRecord, masks: { cql?: boolean; alternator?: boolean } = {}): ClusterJson {
  const json: ClusterJson = {
    id: record.id,
    name: record.name,
    labels: record.labels,
    host: record.host,
    auth_token: record.authToken,
    force_tls_disabled: record.forceTlsDisabled,
    force_non_ssl_session_port: record.forceNonSslSessionPort,
  };
  if (record.port !== 0) json.port = record.port;
  if (masks.cql) {
    json.username = "set";
    json.password = "set";
  }
  if (masks.alternator) {
    json.alternator_access_key_id = "set";
    json.alternator_secret_access_key = "set";
  }
  if (record.agentCaCert) json.agent_ca_cert = record.agentCaCert;
  if (record.agentCertFingerprint) json.agent_cert_fingerprint = record.agentCertFingerprint;
  return json;
}
