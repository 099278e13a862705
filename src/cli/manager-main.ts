/**
 * The `scylla-manager` executable: `--daemon [-c file]...` runs the server, `--version` prints the version, anything
 * else is the sctool command set. Invoked under the name `sctool` (e.g. a symlink), it is plain sctool.
 * @module
 */
import { basename } from "node:path";
import { MANAGER_VERSION } from "../server/version.ts";
import { runCli } from "./main.ts";
import { findClosest } from "./suggest.ts";

const DAEMON_USAGE = `Usage:
  scylla-manager --daemon [-c/--config-file <path>]...   run the server (configs merged in order)
  scylla-manager --version                                print the version
  scylla-manager <sctool command> [flags]                 run an sctool command (see --help)
`;

/** The program name for `argv0` (a path): `sctool` when invoked as such, else `scylla-manager`. */
export function programFor(argv0: string | undefined): "sctool" | "scylla-manager" {
  return /^sctool(\.exe)?$/.test(basename(argv0 ?? "")) ? "sctool" : "scylla-manager";
}

/**
 * Parses the daemon's flags.
 * @throws Error naming the bad flag.
 */
export function parseDaemonArgs(argv: readonly string[]): { configFiles: string[] } {
  const configFiles: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const token = argv[i] ?? "";
    if (token === "--daemon") continue;
    if (token === "-c" || token === "--config-file") {
      const value = argv[++i];
      if (value === undefined || value === "") throw new Error(`flag needs an argument: ${token}`);
      configFiles.push(value);
      continue;
    }
    const inline = /^(?:--config-file|-c)=(.+)$/.exec(token);
    if (inline?.[1]) {
      configFiles.push(inline[1]);
      continue;
    }
    const name = token.split("=")[0] ?? token;
    throw new Error(
      token.startsWith("-")
        ? `unknown flag: ${name}, did you mean ${findClosest(name, ["--config-file", "--daemon"])}?`
        : `unexpected argument "${token}" in daemon mode`,
    );
  }
  return { configFiles };
}

/** Runs the `scylla-manager` executable; resolves to the exit code. */
export async function runManagerMain(argv: readonly string[], argv0?: string): Promise<number> {
  const program = programFor(argv0);
  if (program === "sctool") return runCli(argv, { program });
  if (argv.includes("--daemon")) {
    let configFiles: string[];
    try {
      ({ configFiles } = parseDaemonArgs(argv));
    } catch (error) {
      process.stderr.write(`Error: ${(error as Error).message}\n\n${DAEMON_USAGE}`);
      return 1;
    }
    // Imported here so sctool commands never load the server.
    const { runDaemon } = await import("../server/daemon.ts");
    return runDaemon(configFiles);
  }
  if (argv.length === 1 && (argv[0] === "--version" || argv[0] === "-v")) {
    process.stdout.write(`${MANAGER_VERSION}\n`);
    return 0;
  }
  return runCli(argv, { program });
}
