/**
 * The agent's set-up commands, dispatched from `agent/main.ts` before the daemon's own flags are parsed:
 * - `setup [-c file] [--auth-token T] [--tls-cert-dir DIR]`: token, certificate, Scylla API check, next steps;
 * - `token-gen`: prints a new auth token (SM's `scyllamgr_auth_token_gen`);
 * - `ssl-cert-gen [--dir DIR] [--host H]...`: a self-signed certificate pair (SM's `scyllamgr_ssl_cert_gen`).
 * @module
 */
import { hostname } from "node:os";
import { parseArgs } from "node:util";
import { DEFAULT_AGENT_CONFIG_FILE } from "../config.ts";
import { runAgentSetup, writeCertificatePair } from "./setup.ts";
import { generateAuthToken } from "./token.ts";
import { SETUP_USAGE } from "./usage.ts";

/** Runs one set-up command (`argv[0]` is its name); resolves to the exit code. */
export async function runSetupCommand(argv: readonly string[]): Promise<number> {
  const [command, ...rest] = argv;
  const out = (line: string) => process.stdout.write(`${line}\n`);
  try {
    if (command === "token-gen") {
      parseArgs({ args: rest, options: {}, strict: true });
      out(generateAuthToken());
      return 0;
    }
    if (command === "ssl-cert-gen") {
      const { values } = parseArgs({
        args: rest,
        options: { dir: { type: "string" }, host: { type: "string", multiple: true } },
        strict: true,
      });
      return writeCertificatePair(values.dir ?? "/etc/scylla-manager-agent", values.host ?? [hostname()], out);
    }
    const { values } = parseArgs({
      args: rest,
      options: {
        "config-file": { type: "string", short: "c" },
        "auth-token": { type: "string" },
        "tls-cert-dir": { type: "string" },
      },
      strict: true,
    });
    return await runAgentSetup({
      configFile: values["config-file"] ?? DEFAULT_AGENT_CONFIG_FILE,
      ...(values["auth-token"] ? { authToken: values["auth-token"] } : {}),
      ...(values["tls-cert-dir"] ? { tlsCertDir: values["tls-cert-dir"] } : {}),
      out,
    });
  } catch (error) {
    process.stderr.write(`Error: ${(error as Error).message}\n\n${SETUP_USAGE}`);
    return 1;
  }
}
