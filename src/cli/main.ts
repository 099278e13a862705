/**
 * `runCli(argv)`: sctool's entry (also `scylla-manager` without `--daemon`). Resolves the command, rejects unknown
 * commands and flags with a suggestion, prints help, runs the command and prints errors SM style. Returns the exit
 * code; never throws.
 * @module
 */
import { parseArgs, runCommand } from "citty";
import { isManagerError } from "../errors.ts";
import { resolveCommand, toCittyCommand } from "./command.ts";
import { type CliIo, createCliContext, createProcessIo } from "./context.ts";
import { globalArgs, resolveGlobals } from "./globals.ts";
import { renderHelp } from "./help.ts";
import { checkCommandLine, readCommandLine } from "./parse.ts";
import { formatError, UsageError } from "./report.ts";
import { createRootCommand } from "./root.ts";

export interface RunCliOptions {
  /** Default: the process's streams and env. */
  io?: CliIo;
  /** Program name shown in help and completions. Default "sctool". */
  program?: string;
}

/** Runs one command line (without the program name) and returns the exit code. */
export async function runCli(argv: readonly string[], options: RunCliOptions = {}): Promise<number> {
  const io = options.io ?? createProcessIo();
  const program = options.program ?? "sctool";
  const debug = argv.includes("--debug");
  try {
    const root = await resolveCommand(createRootCommand(program), [program]);
    const line = await readCommandLine(root, argv);
    const { command } = line;
    const runnable = typeof command.command.run === "function";
    if (line.help || (!runnable && line.positionals.length === 0)) {
      checkCommandLine(line);
      io.stdout(await renderHelp(command));
      return 0;
    }
    checkCommandLine(line);
    const cittyCommand = { ...toCittyCommand(command.command), subCommands: undefined };
    cittyCommand.args = { ...globalArgs, ...command.args };
    const parsedGlobals = await resolveGlobals(parseArgs(line.rawArgs, cittyCommand.args), { env: io.env });
    const context = createCliContext(io, program, parsedGlobals);
    try {
      await runCommand(cittyCommand, { rawArgs: line.rawArgs, data: context });
    } finally {
      context.close();
    }
    return 0;
  } catch (error) {
    io.stderr(error instanceof UsageError ? formatUsageError(error, debug) : formatError(fromCitty(error), debug));
    return 1;
  }
}

function formatUsageError(error: UsageError, debug: boolean): string {
  return debug ? formatError(error, true) : `Error: ${error.message}\n\n`;
}

/** citty's own argument errors (missing required flag, bad enum value) are usage errors too. */
function fromCitty(error: unknown): unknown {
  if (error instanceof Error && error.name === "CLIError" && !isManagerError(error)) {
    return new UsageError(error.message.replace(/\u001b\[[0-9;]*m/g, ""));
  }
  return error;
}
