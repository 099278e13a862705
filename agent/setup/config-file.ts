/**
 * Edits the agent's YAML config in place for `setup`: sets keys while keeping the operator's comments and layout
 * (the yaml package's Document API), and writes atomically (temp file + rename) with mode 0640 so a crash never
 * leaves half a config and the token is not world-readable.
 * @module
 */
import { chmodSync, existsSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { parseDocument } from "yaml";

/** The config's current values of the keys setup cares about. */
export interface AgentSetupKeys {
  authToken: string;
  tlsCertFile: string;
  tlsKeyFile: string;
  apiAddress: string;
  apiPort: string;
}

/** Reads `file` (absent = empty config). */
export function readSetupKeys(file: string): AgentSetupKeys {
  const doc = parseDocument(existsSync(file) ? readFileSync(file, "utf8") : "");
  const text = (path: string[]) => {
    const value = doc.getIn(path);
    return value === undefined || value === null ? "" : String(value);
  };
  return {
    authToken: text(["auth_token"]),
    tlsCertFile: text(["tls_cert_file"]),
    tlsKeyFile: text(["tls_key_file"]),
    apiAddress: text(["scylla", "api_address"]),
    apiPort: text(["scylla", "api_port"]),
  };
}

/** Sets top-level `values` in `file` (created when absent), keeping everything else as written. */
export function writeSetupKeys(file: string, values: Record<string, string>): void {
  const doc = parseDocument(existsSync(file) ? readFileSync(file, "utf8") : "");
  for (const [key, value] of Object.entries(values)) doc.set(key, value);
  const temp = `${file}.setup-tmp`;
  writeFileSync(temp, doc.toString(), { mode: 0o640 });
  chmodSync(temp, 0o640);
  renameSync(temp, file);
}
