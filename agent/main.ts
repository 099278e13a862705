/**
 * The `scylla-manager-agent` executable: `scylla-manager-agent [-c file]...`, `--version`,
 * `check-location -L <location> [-c file]... [--debug]`, the set-up commands (`setup/`) and the offline commands
 * `download-files` (`download/`) and `benchmark [create-scenario]` (`benchmark/`). Each command imports what it
 * runs when chosen, so `--version` and `--help` load neither the server nor the storage SDKs.
 * @module
 */

import { existsSync } from "node:fs";
import { loadYamlConfig } from "../src/config/load.ts";
import { isManagerError, ValidationError } from "../src/errors.ts";
import { createLogger, type LogLevel } from "../src/util/log.ts";
import { AgentConfigSchema, DEFAULT_AGENT_CONFIG_FILE, loadAgentConfig } from "./config.ts";
import { OFFLINE_USAGE } from "./offline/usage.ts";
import { SETUP_COMMANDS, SETUP_USAGE } from "./setup/usage.ts";
import { AGENT_VERSION } from "./version.ts";

const USAGE = `Scylla Manager Agent

Usage:
  scylla-manager-agent [flags]
  scylla-manager-agent check-location -L <[dc:]provider:bucket> [flags]

Flags:
  -c, --config-file <path>   configuration file (repeatable; default ${DEFAULT_AGENT_CONFIG_FILE})
      --version              print the version and exit
  -h, --help                 help

check-location flags:
  -L, --location <location>  backup location, e.g. s3:my-bucket
      --debug                log each step
`;

interface ParsedArgs {
  command: "run" | "check-location" | "version" | "help";
  configFiles: string[];
  location: string;
  debug: boolean;
}

/** Parses the command line; throws an Error with a usage hint on unknown flags. */
export function parseAgentArgs(argv: readonly string[]): ParsedArgs {
  const out: ParsedArgs = { command: "run", configFiles: [], location: "", debug: false };
  const args = [...argv];
  if (args[0] === "check-location") {
    out.command = "check-location";
    args.shift();
  }
  while (args.length > 0) {
    const arg = args.shift() ?? "";
    const [flag, inline] =
      arg.startsWith("--") && arg.includes("=")
        ? [arg.slice(0, arg.indexOf("=")), arg.slice(arg.indexOf("=") + 1)]
        : [arg, undefined];
    const value = (): string => {
      const v = inline ?? args.shift();
      if (v === undefined || v === "") throw new Error(`flag ${flag} needs a value`);
      return v;
    };
    switch (flag) {
      case "-c":
      case "--config-file":
        out.configFiles.push(value());
        break;
      case "-L":
      case "--location":
        out.location = value();
        break;
      case "--debug":
        out.debug = true;
        break;
      case "--version":
        out.command = "version";
        break;
      case "-h":
      case "--help":
        out.command = "help";
        break;
      default:
        throw new Error(`unknown ${arg.startsWith("-") ? "flag" : "command"} ${JSON.stringify(arg)}`);
    }
  }
  if (out.command === "check-location" && out.location === "")
    throw new Error("check-location: -L/--location is required");
  return out;
}

/** Runs the agent executable; resolves to the exit code. */
export async function runAgentMain(argv: readonly string[]): Promise<number> {
  if (SETUP_COMMANDS.includes(argv[0] as (typeof SETUP_COMMANDS)[number])) {
    const { runSetupCommand } = await import("./setup/command.ts");
    return runSetupCommand(argv);
  }
  if (argv[0] === "download-files") {
    const { runDownloadFiles } = await import("./download/command.ts");
    return runDownloadFiles(argv.slice(1));
  }
  if (argv[0] === "benchmark") {
    const { runBenchmarkCommand } = await import("./benchmark/command.ts");
    return runBenchmarkCommand(argv.slice(1));
  }
  let args: ParsedArgs;
  try {
    args = parseAgentArgs(argv);
  } catch (error) {
    process.stderr.write(`Error: ${(error as Error).message}\n\n${USAGE}`);
    return 1;
  }
  if (args.command === "help") {
    process.stdout.write(`${USAGE}\n${SETUP_USAGE}\n${OFFLINE_USAGE}`);
    return 0;
  }
  if (args.command === "version") {
    process.stdout.write(`${AGENT_VERSION}\n`);
    return 0;
  }
  if (args.command === "check-location") return runCheckLocation(args);
  return runServer(args);
}

async function runCheckLocation(args: ParsedArgs): Promise<number> {
  const level: LogLevel = args.debug ? "debug" : "error";
  const logger = createLogger({ level, encoding: "console", tag: "check-location" });
  try {
    // auth_token is not needed to check a location, so the config is read without that requirement.
    const files = args.configFiles.length > 0 ? args.configFiles : [DEFAULT_AGENT_CONFIG_FILE];
    const config = loadYamlConfig(
      AgentConfigSchema,
      files,
      args.configFiles.length > 0 ? {} : { optionalFiles: files },
    );
    const { checkLocation } = await import("./check-location.ts");
    await checkLocation(config, args.location, logger);
    return 0;
  } catch (error) {
    process.stderr.write(`FAILED: ${describe(error)}\n`);
    return 1;
  }
}

async function runServer(args: ParsedArgs): Promise<number> {
  let logger = createLogger({ tag: "agent" });
  try {
    const config = loadAgentConfig(args.configFiles);
    logger = createLogger({
      tag: "agent",
      level: config.logger.level,
      encoding: config.logger.encoding,
      // syslog has no transport here: it falls back to stderr, which journald collects under systemd anyway.
      stream: config.logger.mode === "stdout" ? process.stdout : process.stderr,
    });
    assertLocalstorageRootExists(config.localstorage.path);
    const { startAgent } = await import("./server.ts");
    const agent = await startAgent(config, { logger, configFiles: args.configFiles });
    logger.info(`Scylla Manager Agent ${AGENT_VERSION} listening on ${agent.url}`);
    const signal = await new Promise<string>((resolve) => {
      process.once("SIGINT", () => resolve("SIGINT"));
      process.once("SIGTERM", () => resolve("SIGTERM"));
    });
    logger.info(`${signal}: shutting down`);
    // SM gives the servers 30 s to finish in-flight requests.
    await agent.close({ graceMs: 30_000 });
    return 0;
  } catch (error) {
    process.stderr.write(`STARTUP ERROR: ${describe(error)}\n`);
    return 1;
  }
}

/**
 * SM's agent refuses to start when `localstorage.path` is set but missing (`pkg/rclone/providers.go`,
 * RegisterLocalDirProvider), so a typo in the path is found at start, not at the first backup.
 */
function assertLocalstorageRootExists(path: string | undefined): void {
  if (path === undefined || path === "" || existsSync(path)) return;
  throw new ValidationError(`register local dir provider ${path}: stat ${path}: no such file or directory`, {
    hint: "create the directory (the shared storage mount) or fix localstorage.path in the agent config",
  });
}

function describe(error: unknown): string {
  if (isManagerError(error)) return error.hint ? `${error.message}\n  hint: ${error.hint}` : error.message;
  return error instanceof Error ? error.message : String(error);
}

if (import.meta.main) {
  // No top-level await: it keeps `bun build --compile --bytecode` from precompiling the executable.
  runAgentMain(process.argv.slice(2)).then((code) => process.exit(code));
}
