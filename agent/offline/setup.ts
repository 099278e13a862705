/**
 * What SM's offline agent commands share (`setupCommand` in SM's `pkg/cmd/agent/setup.go`): the agent config read
 * from `-c` files (the default file may be absent), a logger on stderr at error level (`--debug`: debug), the
 * storage providers the agent serves (every one but `data`), the location flag's check, and the exit paths:
 * a flag or set-up error is `\nSTARTUP ERROR: <err>\n\n` (SM's `main.go`), a failure inside `benchmark` and
 * `create-scenario` is `FAILED: <err>`; both exit 1.
 * @module
 */
import { loadYamlConfig } from "../../src/config/load.ts";
import { isManagerError } from "../../src/errors.ts";
import { createLogger, type Logger } from "../../src/util/log.ts";
import { type AgentConfig, AgentConfigSchema, DEFAULT_AGENT_CONFIG_FILE } from "../config.ts";
import type { Backend } from "../providers/provider.ts";
import { createBackends } from "../providers/registry.ts";
import type { FlagSpec } from "./pflag.ts";

/** Where a command writes: stdout and stderr (tests pass collectors). */
export interface CommandIo {
  out: (text: string) => void;
  err: (text: string) => void;
}

/** The process's stdout and stderr. */
export const processIo: CommandIo = {
  out: (text) => process.stdout.write(text),
  err: (text) => process.stderr.write(text),
};

/** The providers SM accepts in a location (`backupspec.Providers()`). */
export const LOCATION_PROVIDERS = ["s3", "gcs", "azure", "localstorage"] as const;

const LOCATION_RE = /^(([a-zA-Z0-9\-_.]+):)?([a-z0-9]+):([a-z0-9\-.]+)$/;

/** A `[dc:]<provider>:<bucket>` flag value. */
export interface LocationFlag {
  dc: string;
  provider: string;
  bucket: string;
}

/** Parses the `-L` value with the texts of SM's `Location.UnmarshalText` (the flag parser adds its prefix). */
export function parseLocationFlag(text: string): LocationFlag {
  const m = LOCATION_RE.exec(text);
  if (m === null) {
    throw new Error(
      `invalid location ${JSON.stringify(text)}, the format is [dc:]<provider>:<path> ex. s3:my-bucket, the path must be DNS compliant`,
    );
  }
  const provider = m[3] as string;
  if (!(LOCATION_PROVIDERS as readonly string[]).includes(provider)) {
    throw new Error(`invalid location ${JSON.stringify(text)}: unrecognised provider ${JSON.stringify(provider)}`);
  }
  return { dc: m[2] ?? "", provider, bucket: m[4] as string };
}

/** SM's `-L, --location` flag of the offline commands (required, checked as SM's `LocationValue`). */
export const LOCATION_FLAG: FlagSpec = {
  kind: "string",
  short: "L",
  required: true,
  usage: `backup location in the format <provider>:<name> e.g. s3:my-bucket, the supported providers are: ${LOCATION_PROVIDERS.join(", ")}`,
  check: (v) => {
    parseLocationFlag(v);
    return v;
  },
};

/** SM's `-c, --config-file` flag (repeatable; the default file may be absent). */
export const CONFIG_FILE_FLAG: FlagSpec = {
  kind: "list",
  short: "c",
  default: [DEFAULT_AGENT_CONFIG_FILE],
  usage: "configuration file path",
  placeholder: "path",
};

/** Reads the agent config: the given files, or the default file when none is given (absent is fine then). */
export function loadCommandConfig(files: readonly string[]): AgentConfig {
  const list = files.length > 0 ? files : [DEFAULT_AGENT_CONFIG_FILE];
  const explicitDefaultOnly = files.length === 1 && files[0] === DEFAULT_AGENT_CONFIG_FILE;
  return loadYamlConfig(AgentConfigSchema, list, {
    optionalFiles: files.length === 0 || explicitDefaultOnly ? list : [],
  });
}

/** A logger on stderr: errors only, or everything with `--debug` (SM's commands log at error level by default). */
export function commandLogger(debug: boolean, tag: string): Logger {
  return createLogger({ level: debug ? "debug" : "error", encoding: "console", tag, stream: process.stderr });
}

/** The backend serving a location's provider (SM registers every provider but `data` for these commands). */
export function locationBackend(config: AgentConfig, location: LocationFlag): Backend {
  const backends = createBackends(config, { dataDir: "/nonexistent" });
  backends.delete("data");
  const backend = backends.get(location.provider);
  if (backend === undefined) {
    throw new Error(
      `init location: provider ${JSON.stringify(location.provider)} is not configured` +
        (location.provider === "localstorage" ? " (set localstorage.path in the agent config)" : ""),
    );
  }
  return backend;
}

/** An error's text for users: the message, and the hint of our own errors. */
export function describeError(error: unknown): string {
  if (isManagerError(error)) return error.hint ? `${error.message} (hint: ${error.hint})` : error.message;
  return error instanceof Error ? error.message : String(error);
}

/** SM's exit for errors outside a command's body (flags, config): `\nSTARTUP ERROR: <err>\n\n`, exit 1. */
export function startupError(io: CommandIo, error: unknown): number {
  io.err(`\nSTARTUP ERROR: ${describeError(error)}\n\n`);
  return 1;
}
