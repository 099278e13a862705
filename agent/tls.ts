/**
 * The HTTPS listener's certificate and protocol floor (SM's `pkg/cmd/agent/server.go`).
 * @module
 */
import { constants } from "node:crypto";
import { readFile } from "node:fs/promises";
import { ConfigError } from "../src/errors.ts";
import { describeReadError } from "../src/util/read-file.ts";
import type { AgentConfig, TlsVersion } from "./config.ts";
import { createSelfSignedCertificate } from "./tls-cert.ts";

/** PEM key pair for Bun.serve's `tls`. */
export interface TlsMaterial {
  cert: string;
  key: string;
  /** OpenSSL `SSL_OP_NO_*` flags that set the minimum protocol version. */
  secureOptions: number;
  /** True when generated at start-up. */
  selfSigned: boolean;
}

/** The certificate from `tls_cert_file`/`tls_key_file`, or a fresh self-signed one (SM generates one on every start). */
export async function loadTlsMaterial(config: AgentConfig): Promise<TlsMaterial> {
  const secureOptions = secureOptionsFor(config.tls_version);
  if (config.tls_cert_file !== "" || config.tls_key_file !== "") {
    if (config.tls_cert_file === "" || config.tls_key_file === "") {
      throw new ConfigError("tls_cert_file and tls_key_file must be set together", {
        hint: "set both keys to PEM files, or neither to use a generated self-signed certificate",
      });
    }
    const [cert, key] = await Promise.all([
      readPem(config.tls_cert_file, "tls_cert_file"),
      readPem(config.tls_key_file, "tls_key_file"),
    ]);
    return { cert, key, secureOptions, selfSigned: false };
  }
  const generated = await generateSelfSigned(certificateHosts(config));
  return { ...generated, secureOptions, selfSigned: true };
}

async function readPem(file: string, key: string): Promise<string> {
  try {
    return await readFile(file, "utf8");
  } catch (error) {
    throw new ConfigError(`${key}: read ${file}: ${describeReadError(error)}`, {
      hint: `make sure ${file} exists and is readable, or unset tls_cert_file and tls_key_file to use a generated certificate`,
      cause: error,
    });
  }
}

/**
 * SANs as SM picks them: broadcast_rpc_address, rpc_address and listen_address, without `0.0.0.0`. (SM compares
 * against the IPv4 zero address twice, so `::` slips through; we skip both zero addresses, the sane reading.)
 */
export function certificateHosts(config: AgentConfig): string[] {
  const { broadcast_rpc_address, rpc_address, listen_address } = config.scylla;
  const hosts = [broadcast_rpc_address, rpc_address, listen_address].filter(
    (host) => host !== "" && host !== "0.0.0.0" && host !== "::",
  );
  return [...new Set(hosts)];
}

/** A self-signed ECDSA P-256 certificate (`O=Scylla`, 1 year, CA, serverAuth) for `hosts`. */
export async function generateSelfSigned(hosts: readonly string[]): Promise<{ cert: string; key: string }> {
  return createSelfSignedCertificate(hosts);
}

/** OpenSSL option bits that forbid every protocol below `version`. */
export function secureOptionsFor(version: TlsVersion): number {
  const noOld = constants.SSL_OP_NO_SSLv2 | constants.SSL_OP_NO_SSLv3;
  if (version === "TLSv1.0") return noOld;
  const no12 = noOld | constants.SSL_OP_NO_TLSv1 | constants.SSL_OP_NO_TLSv1_1;
  return version === "TLSv1.2" ? no12 : no12 | constants.SSL_OP_NO_TLSv1_2;
}
