/**
 * sctool's global flags and environment (SM's `pkg/cmd/sctool/root.go`, docs `sctool/global-flags-and-variables`), resolved into `GlobalOptions`.
 * @module
 */
import { readFileSync } from "node:fs";
import type { ArgsDef } from "citty";
import { ValidationError } from "../errors.ts";

/** The default `--api-url` when neither the env nor the server config give one. */
export const DEFAULT_API_URL = "http://127.0.0.1:5080/api/v1";
/** The server config sctool derives its default `--api-url` from, as SM does. */
export const SERVER_CONFIG_FILE = "/etc/scylla-manager/scylla-manager.yaml";

/** Flags every command accepts, anywhere on the command line. */
export const globalArgs = {
  "api-cert-file": {
    type: "string",
    valueHint: "path",
    description:
      "File path to HTTPS client certificate used to access the Scylla Manager server when client certificate validation is enabled (envvar SCYLLA_MANAGER_API_CERT_FILE).",
  },
  "api-key-file": {
    type: "string",
    valueHint: "path",
    description:
      "File path to HTTPS client key associated with --api-cert-file flag (envvar SCYLLA_MANAGER_API_KEY_FILE).",
  },
  "api-url": {
    type: "string",
    valueHint: "URL",
    description:
      "Base URL of Scylla Manager server (envvar SCYLLA_MANAGER_API_URL).\nIf running sctool on the same machine as server, it's generated based on '/etc/scylla-manager/scylla-manager.yaml' file.",
  },
  "api-token": {
    type: "string",
    valueHint: "token",
    description: "Bearer token for a server with auth_token set (envvar SCYLLA_MANAGER_API_TOKEN).",
  },
  debug: { type: "boolean", description: "Print stack traces of errors." },
} as const satisfies ArgsDef;

/** The `-c/--cluster` flag; commands that target a cluster spread it into their args. */
export const clusterArg = {
  cluster: {
    type: "string",
    alias: "c",
    valueHint: "name",
    description: "The target cluster name or ID (envvar SCYLLA_MANAGER_CLUSTER).",
  },
} as const satisfies ArgsDef;

/** Resolved global options. */
export interface GlobalOptions {
  apiUrl: string;
  /** From `-c/--cluster` or SCYLLA_MANAGER_CLUSTER; undefined when neither is set. */
  cluster: string | undefined;
  apiCertFile: string | undefined;
  apiKeyFile: string | undefined;
  apiToken: string | undefined;
  debug: boolean;
}

export interface ResolveGlobalsOptions {
  env?: Record<string, string | undefined>;
  /** Server config to derive the API URL from. Default SERVER_CONFIG_FILE. */
  serverConfigFile?: string;
}

function pick(value: unknown, envValue: string | undefined): string | undefined {
  if (typeof value === "string" && value !== "") return value;
  return envValue === undefined || envValue === "" ? undefined : envValue;
}

/**
 * Reads the global options from parsed args and the environment (a flag wins over its env var).
 * @throws ValidationError when only one of the client certificate and key is given.
 */
export async function resolveGlobals(
  args: Record<string, unknown>,
  options: ResolveGlobalsOptions = {},
): Promise<GlobalOptions> {
  const env = options.env ?? process.env;
  const apiCertFile = pick(args["api-cert-file"], env.SCYLLA_MANAGER_API_CERT_FILE);
  const apiKeyFile = pick(args["api-key-file"], env.SCYLLA_MANAGER_API_KEY_FILE);
  if ((apiCertFile === undefined) !== (apiKeyFile === undefined)) {
    throw new ValidationError("both --api-cert-file and --api-key-file must be set", {
      hint: "pass both flags (or SCYLLA_MANAGER_API_CERT_FILE and SCYLLA_MANAGER_API_KEY_FILE), or neither",
    });
  }
  return {
    apiUrl:
      pick(args["api-url"], env.SCYLLA_MANAGER_API_URL) ??
      (await deriveApiUrl(options.serverConfigFile ?? SERVER_CONFIG_FILE)) ??
      DEFAULT_API_URL,
    cluster: pick(args.cluster, env.SCYLLA_MANAGER_CLUSTER),
    apiCertFile,
    apiKeyFile,
    apiToken: pick(args["api-token"], env.SCYLLA_MANAGER_API_TOKEN),
    debug: args.debug === true,
  };
}

/**
 * The cluster of a command that needs one.
 * @throws ValidationError naming the flag and the env var.
 */
export function requireCluster(globals: GlobalOptions): string {
  if (globals.cluster === undefined) {
    throw new ValidationError('required flag(s) "cluster" not set', {
      hint: "pass -c/--cluster <name|ID> or set SCYLLA_MANAGER_CLUSTER",
    });
  }
  return globals.cluster;
}

/**
 * SM's derivation of the API URL from the server config on the same machine: `http` (else `https`) address, with
 * an unspecified host mapped to loopback. Unreadable or odd files are ignored: this is only a default. The YAML
 * parser is loaded only when the file exists (it is most of what sctool would otherwise load at every start).
 */
export async function deriveApiUrl(file: string): Promise<string | undefined> {
  let config: unknown;
  try {
    const text = readFileSync(file, "utf8");
    const { parse } = await import("yaml");
    config = parse(text);
  } catch {
    return undefined;
  }
  if (typeof config !== "object" || config === null) return undefined;
  return apiUrlForListeners(config as Record<string, unknown>);
}

/** The API URL a local client uses for a server config's `http` (else `https`) listener; undefined without one. */
export function apiUrlForListeners({ http, https }: { http?: unknown; https?: unknown }): string | undefined {
  const [scheme, address] =
    typeof http === "string" && http !== "" ? ["http", http] : typeof https === "string" ? ["https", https] : [];
  const match = address ? /^(?:\[([^\]]*)\]|([^:]*)):(\d+)$/.exec(address) : null;
  if (!scheme || !match) return undefined;
  let host = match[1] ?? match[2] ?? "";
  if (host === "" || host === "0.0.0.0") host = "127.0.0.1";
  else if (host === "::" || host === "::0") host = "::1";
  const hostPart = host.includes(":") ? `[${host}]` : host;
  return `${scheme}://${hostPart}:${match[3]}/api/v1`;
}
