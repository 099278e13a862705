/**
 * The HTTPS listener's TLS settings: certificate files or a self-signed EC P-256 certificate, the protocol floor
 * (`tls_version`) and mTLS (`tls_ca_file`: client certificates required and verified).
 * @module
 */
import { constants } from "node:crypto";
import { readFile } from "node:fs/promises";
import type { SecureVersion } from "node:tls";
import { generate } from "selfsigned";
import type { ServerConfig } from "../config/server.ts";
import { ConfigError } from "../errors.ts";

/** The `node:https` server options for the HTTPS listener. */
export interface ServerTls {
  cert: string;
  key: string;
  ca?: string;
  requestCert?: boolean;
  rejectUnauthorized?: boolean;
  /** The protocol floor as OpenSSL flags and as `minVersion`: Node's default floor (TLS 1.2) overrides the flags. */
  secureOptions: number;
  minVersion: SecureVersion;
  ciphers?: string;
}

/** TLS 1.2 suites SM allows: ECDHE with AES-GCM or ChaCha20 only. */
const TLS12_CIPHERS = [
  "ECDHE-ECDSA-AES128-GCM-SHA256",
  "ECDHE-RSA-AES128-GCM-SHA256",
  "ECDHE-ECDSA-AES256-GCM-SHA384",
  "ECDHE-RSA-AES256-GCM-SHA384",
  "ECDHE-ECDSA-CHACHA20-POLY1305",
  "ECDHE-RSA-CHACHA20-POLY1305",
].join(":");

type TlsKeys = Pick<ServerConfig, "tls_cert_file" | "tls_key_file" | "tls_ca_file" | "tls_version">;

/** Loads or generates the TLS material for the HTTPS listener. */
export async function loadServerTls(config: TlsKeys): Promise<ServerTls> {
  const { cert, key } = await loadKeyPair(config);
  const tls: ServerTls = {
    cert,
    key,
    secureOptions: secureOptionsFor(config.tls_version),
    minVersion: config.tls_version === "TLSv1.0" ? "TLSv1" : config.tls_version,
  };
  if (config.tls_version === "TLSv1.2") tls.ciphers = TLS12_CIPHERS;
  if (config.tls_ca_file !== "") {
    tls.ca = await readPem(config.tls_ca_file, "tls_ca_file");
    tls.requestCert = true;
    tls.rejectUnauthorized = true;
  }
  return tls;
}

async function loadKeyPair(config: TlsKeys): Promise<{ cert: string; key: string }> {
  if (config.tls_cert_file === "" && config.tls_key_file === "") return generateSelfSignedCert();
  if (config.tls_cert_file === "" || config.tls_key_file === "") {
    throw new ConfigError("invalid config: tls_cert_file and tls_key_file must be set together", {
      hint: "set both to PEM files, or neither to use a generated self-signed certificate",
    });
  }
  const [cert, key] = await Promise.all([
    readPem(config.tls_cert_file, "tls_cert_file"),
    readPem(config.tls_key_file, "tls_key_file"),
  ]);
  return { cert, key };
}

async function readPem(file: string, key: string): Promise<string> {
  try {
    return await readFile(file, "utf8");
  } catch (error) {
    throw new ConfigError(`invalid config: ${key}: read ${file}: ${(error as NodeJS.ErrnoException).code ?? error}`, {
      hint: `make sure ${file} exists and is readable, or unset ${key}`,
      cause: error,
    });
  }
}

/** A self-signed EC P-256 certificate valid for one year, as SM generates when https has no cert files. */
export async function generateSelfSignedCert(): Promise<{ cert: string; key: string }> {
  const now = new Date();
  const result = await generate([{ name: "organizationName", value: "Scylla" }], {
    keyType: "ec",
    curve: "P-256",
    algorithm: "sha256",
    notBeforeDate: now,
    notAfterDate: new Date(now.getTime() + 365 * 24 * 3600 * 1000),
    extensions: [
      { name: "basicConstraints", cA: true, critical: true },
      { name: "keyUsage", digitalSignature: true, keyCertSign: true, critical: true },
      { name: "extKeyUsage", serverAuth: true },
    ],
  });
  return { cert: result.cert, key: result.private };
}

/** OpenSSL option bits forbidding every protocol below `version`. */
export function secureOptionsFor(version: ServerConfig["tls_version"]): number {
  const noOld = constants.SSL_OP_NO_SSLv2 | constants.SSL_OP_NO_SSLv3;
  if (version === "TLSv1.0") return noOld;
  const below12 = noOld | constants.SSL_OP_NO_TLSv1 | constants.SSL_OP_NO_TLSv1_1;
  return version === "TLSv1.2" ? below12 : below12 | constants.SSL_OP_NO_TLSv1_2;
}
