/**
 * The one executable: `scylla-manager --daemon [-c file]...` runs the server, `--version` prints the version,
 * `scylla-manager agent ...` is the node agent, anything else is the sctool command set. Invoked under the name
 * `sctool` or `scylla-manager-agent` (the links the build and the packages create), it is plain sctool or the agent.
 * Each role is imported only when chosen, so a client command never loads the server or the agent, and the build
 * (build.ts) keeps every module's own imports lazy too.
 * @module
 */
import { basename } from "node:path";
import { MANAGER_VERSION } from "../server/version.ts";
import { isOneShot } from "./oneshot/detect.ts";
import { findClosest } from "./suggest.ts";

const DAEMON_USAGE = `Usage:
  scylla-manager --daemon [-c/--config-file <path>]...   run the server (configs merged in order)
  scylla-manager --version                                print the version
  scylla-manager agent [agent flags]                      run the node agent (same as scylla-manager-agent)
  scylla-manager doctor [-c/--config-file <path>]...      check the installation end to end and say what to fix
  scylla-manager repair --host IP --auth-token T [flags]  run a one-shot repair in this process
  scylla-manager backup --host IP --auth-token T -L LOC   run a one-shot backup in this process
  scylla-manager import-sm [-c file]... [flags]           import a Scylla Manager 3.x keyspace (see --help)
  scylla-manager <sctool command> [flags]                 run an sctool command (see --help)
`;

/**
 * The roles besides sctool. In the executable they are a second embedded bundle whose path the build defines (a
 * computed specifier, so the bundler leaves it out of this one); from source, the module itself.
 */
async function loadRoles(): Promise<typeof import("./roles.ts").roles> {
  const module: typeof import("./roles.ts") = process.env.SCYLLA_MANAGER_ROLES_BUNDLE
    ? await import(String(process.env.SCYLLA_MANAGER_ROLES_BUNDLE))
    : await import("./roles.ts");
  return module.roles;
}

/** The role for `argv0` (a path): the name the executable was invoked under picks sctool, the agent or the manager. */
export function programFor(argv0: string | undefined): "sctool" | "scylla-manager-agent" | "scylla-manager" {
  const name = basename(argv0 ?? "").replace(/\.exe$/, "");
  if (name === "sctool") return "sctool";
  if (name === "scylla-manager-agent") return "scylla-manager-agent";
  return "scylla-manager";
}

async function runDoctorCommand(argv: readonly string[]): Promise<number> {
  let configFiles: string[];
  try {
    ({ configFiles } = parseDaemonArgs(argv));
  } catch (error) {
    process.stderr.write(`Error: ${(error as Error).message}\n\n${DAEMON_USAGE}`);
    return 1;
  }
  const { runDoctor, formatDoctorReport } = await (await loadRoles()).doctor();
  const findings = await runDoctor({ configFiles });
  process.stdout.write(formatDoctorReport(findings));
  return findings.some((finding) => finding.verdict === "fail") ? 1 : 0;
}

async function runAgent(argv: readonly string[]): Promise<number> {
  const { runAgentMain } = await (await loadRoles()).agent();
  return runAgentMain(argv);
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

/** sctool's command set, loaded on demand: `--version` and the other roles never load it. */
async function runCli(argv: readonly string[], options: { program: string }): Promise<number> {
  const cli = await import("./main.ts");
  return cli.runCli(argv, options);
}

/** Runs the `scylla-manager` executable; resolves to the exit code. */
export async function runManagerMain(argv: readonly string[], argv0?: string): Promise<number> {
  const program = programFor(argv0);
  if (program === "sctool") return runCli(argv, { program });
  if (program === "scylla-manager-agent") return runAgent(argv);
  if (argv[0] === "agent") return runAgent(argv.slice(1));
  if (argv[0] === "doctor") return runDoctorCommand(argv.slice(1));
  if (isOneShot("repair", argv)) {
    const { runOneShotRepair } = await (await loadRoles()).oneShotRepair();
    return runOneShotRepair(argv);
  }
  if (isOneShot("backup", argv)) {
    const { runOneShotBackup } = await (await loadRoles()).oneShotBackup();
    return runOneShotBackup(argv);
  }
  if (argv[0] === "import-sm") {
    const { runImportSm } = await (await loadRoles()).importSm();
    return runImportSm(argv.slice(1));
  }
  if (argv.includes("--daemon")) {
    let configFiles: string[];
    try {
      ({ configFiles } = parseDaemonArgs(argv));
    } catch (error) {
      process.stderr.write(`Error: ${(error as Error).message}\n\n${DAEMON_USAGE}`);
      return 1;
    }
    const { runDaemon } = await (await loadRoles()).daemon();
    return runDaemon(configFiles);
  }
  if (argv.length === 1 && (argv[0] === "--version" || argv[0] === "-v")) {
    process.stdout.write(`${MANAGER_VERSION}\n`);
    return 0;
  }
  return runCli(argv, { program });
}
