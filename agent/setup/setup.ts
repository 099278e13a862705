/**
 * `scylla-manager-agent setup` (SM's `scyllamgr_agent_setup` + `scyllamgr_auth_token_gen` + `scyllamgr_ssl_cert_gen`
 * in one command that also checks what it set up):
 * 1. an auth token in the config (kept when one is there; `--auth-token` sets a given one, e.g. the cluster's),
 * 2. with `--tls-cert-dir`, a self-signed certificate and key written there and named in the config,
 * 3. Scylla's REST API reached at the address the agent will use,
 * 4. what the operator does next, printed.
 * `token-gen` prints a new token; `ssl-cert-gen` writes a certificate pair. Each step says what failed and how to fix it.
 * @module
 */
import { existsSync, mkdirSync, writeFileSync } from "node:fs";
import { hostname } from "node:os";
import { join } from "node:path";
import { generateSelfSigned } from "../tls.ts";
import { readSetupKeys, writeSetupKeys } from "./config-file.ts";
import { generateAuthToken } from "./token.ts";

export interface AgentSetupOptions {
  configFile: string;
  /** Use this token instead of the config's or a generated one. */
  authToken?: string;
  /** Write a self-signed certificate here and point the config at it. */
  tlsCertDir?: string;
  /** Hosts (IPs or names) the certificate is for; default this machine's name and the Scylla API address. */
  certHosts?: string[];
  /** Timeout of the Scylla REST check, ms. Default 5 000. */
  checkTimeoutMs?: number;
  out: (line: string) => void;
}

/** Result: the exit code (0 = everything set up and checked). */
export async function runAgentSetup(options: AgentSetupOptions): Promise<number> {
  const { configFile, out } = options;
  const keys = readSetupKeys(configFile);
  const updates: Record<string, string> = {};
  const token = options.authToken || keys.authToken || generateAuthToken();
  if (token !== keys.authToken) updates.auth_token = token;
  out(
    `auth_token: ${options.authToken ? "set from --auth-token" : keys.authToken ? "kept (already configured)" : "generated"}`,
  );

  const apiAddress = keys.apiAddress || "127.0.0.1";
  const apiPort = keys.apiPort || "10000";
  if (options.tlsCertDir) {
    const cert = join(options.tlsCertDir, "scylla_manager_agent.crt");
    const key = join(options.tlsCertDir, "scylla_manager_agent.key");
    if (existsSync(cert) && existsSync(key)) {
      out(`TLS certificate: kept ${cert}`);
    } else {
      mkdirSync(options.tlsCertDir, { recursive: true });
      const pair = await generateSelfSigned(options.certHosts ?? [hostname(), apiAddress]);
      writeFileSync(cert, pair.cert, { mode: 0o644 });
      writeFileSync(key, pair.key, { mode: 0o600 });
      out(`TLS certificate: generated ${cert} (self-signed, one year)`);
    }
    updates.tls_cert_file = cert;
    updates.tls_key_file = key;
  }
  if (Object.keys(updates).length > 0) {
    writeSetupKeys(configFile, updates);
    out(`config: wrote ${Object.keys(updates).join(", ")} to ${configFile}`);
  }

  const scyllaUrl = `http://${apiAddress.includes(":") ? `[${apiAddress}]` : apiAddress}:${apiPort}/storage_service/hostid/local`;
  const reachable = await checkScyllaApi(scyllaUrl, options.checkTimeoutMs ?? 5000);
  if (reachable !== "") {
    out(`Scylla REST API: FAILED at ${scyllaUrl}: ${reachable}`);
    out(
      "  fix: start Scylla, or set scylla.api_address/api_port in the agent config to where its REST API listens " +
        "(api_address/api_port in scylla.yaml)",
    );
  } else {
    out(`Scylla REST API: OK at ${scyllaUrl}`);
  }
  out("");
  out("Next steps:");
  out("  1. Use the same auth_token on every node of the cluster (copy this config's auth_token to the others).");
  out("  2. Start the agent: systemctl enable --now scylla-manager-agent");
  out(`  3. On the manager: sctool cluster add --host <this node's IP> --auth-token ${token} --name <cluster name>`);
  return reachable === "" ? 0 : 1;
}

async function checkScyllaApi(url: string, timeoutMs: number): Promise<string> {
  try {
    const response = await fetch(url, { signal: AbortSignal.timeout(timeoutMs) });
    return response.ok ? "" : `HTTP ${response.status}`;
  } catch (error) {
    const cause = (error as { cause?: { code?: string } }).cause?.code;
    return cause ?? (error as Error).message;
  }
}

/** `ssl-cert-gen`: writes `scylla_manager_agent.crt`/`.key` into `dir` for `hosts`; refuses to overwrite. */
export async function writeCertificatePair(dir: string, hosts: string[], out: (line: string) => void): Promise<number> {
  const cert = join(dir, "scylla_manager_agent.crt");
  const key = join(dir, "scylla_manager_agent.key");
  if (existsSync(cert) || existsSync(key)) {
    out(`Error: ${cert} or ${key} exists; remove them first to make a new pair`);
    return 1;
  }
  mkdirSync(dir, { recursive: true });
  const pair = await generateSelfSigned(hosts);
  writeFileSync(cert, pair.cert, { mode: 0o644 });
  writeFileSync(key, pair.key, { mode: 0o600 });
  out(`wrote ${cert} and ${key} for ${hosts.join(", ")}; set tls_cert_file and tls_key_file in the agent config`);
  return 0;
}
