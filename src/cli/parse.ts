/**
 * Finds the command a command line names and checks its flags before citty parses them (citty accepts unknown
 * flags silently; sctool, like cobra, rejects them).
 * @module
 */
import type { ArgsDef } from "citty";
import { type AnyCommand, flagNames, type ResolvedCommand, resolveCommand, resolveValue } from "./command.ts";
import { globalArgs } from "./globals.ts";
import { UsageError } from "./report.ts";
import { findClosest } from "./suggest.ts";

/** The outcome of walking a command line. */
export interface CommandLine {
  command: ResolvedCommand;
  /** The arguments left for the command (sub-command names removed). */
  rawArgs: string[];
  positionals: string[];
  help: boolean;
}

const HELP_ARGS: ArgsDef = { help: { type: "boolean", alias: "h" } };

function isStringFlag(token: string, args: ArgsDef): boolean {
  if (token.includes("=")) return false;
  for (const [name, arg] of Object.entries(args)) {
    if (arg.type !== "string" && arg.type !== "enum") continue;
    if (flagNames(name, arg).includes(token)) return true;
  }
  return false;
}

async function findSubCommand(parent: ResolvedCommand, name: string): Promise<AnyCommand | undefined> {
  const direct = parent.subCommands[name];
  if (direct) return resolveValue(direct);
  for (const loader of Object.values(parent.subCommands)) {
    const sub = await resolveValue(loader);
    const meta = await resolveValue(sub.meta ?? {});
    if (meta.alias && [meta.alias].flat().includes(name)) return sub;
  }
  return undefined;
}

/** Walks `argv` from `root` down to the named command. */
export async function readCommandLine(root: ResolvedCommand, argv: readonly string[]): Promise<CommandLine> {
  let current = root;
  const rawArgs: string[] = [];
  const positionals: string[] = [];
  let help = false;
  for (let i = 0; i < argv.length; i++) {
    const token = argv[i] ?? "";
    if (token === "--") {
      rawArgs.push(...argv.slice(i));
      positionals.push(...argv.slice(i + 1));
      break;
    }
    if (token.startsWith("-") && token !== "-") {
      rawArgs.push(token);
      if (token === "--help" || token === "-h") help = true;
      if (isStringFlag(token, { ...globalArgs, ...current.args })) {
        // cobra's words: a value flag at the very end has no value.
        if (i + 1 >= argv.length) {
          throw new UsageError(
            token.startsWith("--")
              ? `flag needs an argument: ${token}`
              : `flag needs an argument: '${token.slice(1)}' in ${token}`,
          );
        }
        rawArgs.push(argv[++i] ?? "");
      }
      continue;
    }
    if (positionals.length === 0 && Object.keys(current.subCommands).length > 0) {
      const sub = await findSubCommand(current, token);
      if (sub) {
        current = await resolveCommand(sub, [...current.path, token]);
        continue;
      }
    }
    rawArgs.push(token);
    positionals.push(token);
  }
  return { command: current, rawArgs, positionals, help };
}

/**
 * Checks flags and positional arguments of a command line against its command.
 * @throws UsageError naming the closest valid name.
 */
export function checkCommandLine(line: CommandLine): void {
  const { command } = line;
  const args: ArgsDef = { ...globalArgs, ...command.args, ...HELP_ARGS };
  const longNames = new Set<string>();
  const shortNames = new Set<string>();
  for (const [name, arg] of Object.entries(args)) {
    if (arg.type === "positional") continue;
    for (const flag of flagNames(name, arg)) (flag.startsWith("--") ? longNames : shortNames).add(flag);
    if (arg.type === "boolean") longNames.add(`--no-${name}`);
  }
  const candidates = [...longNames].filter((name) => !name.startsWith("--no-"));
  for (let i = 0; i < line.rawArgs.length; i++) {
    const token = line.rawArgs[i] ?? "";
    if (token === "--") break;
    if (!token.startsWith("-") || token === "-") continue;
    if (token.startsWith("--")) {
      const name = token.split("=")[0] ?? token;
      if (!longNames.has(name)) {
        throw new UsageError(`unknown flag: ${name}, did you mean ${findClosest(name, candidates)}?`);
      }
      if (isStringFlag(token, args)) i++;
      continue;
    }
    const short = `-${token[1]}`;
    if (!shortNames.has(short)) {
      const closest = findClosest(short, [...shortNames, ...candidates]);
      throw new UsageError(`unknown shorthand flag: '${token[1]}' in ${token}, did you mean ${closest}?`);
    }
    if (token.length === 2 && isStringFlag(token, args)) i++;
  }
  const subNames = Object.keys(command.subCommands);
  const name = command.path.join(" ");
  const first = line.positionals[0];
  if (first !== undefined && subNames.length > 0) {
    throw new UsageError(`unknown command "${first}" for "${name}", did you mean "${findClosest(first, subNames)}"?`);
  }
  const accepted = Object.values(command.args).filter((arg) => arg.type === "positional").length;
  const extra = line.positionals[accepted];
  if (extra !== undefined) {
    throw new UsageError(`unknown command "${extra}" for "${name}" (it accepts ${accepted || "no"} arguments)`);
  }
}
