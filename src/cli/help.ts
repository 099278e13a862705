/**
 * Help text in cobra's layout (SM's sctool is a cobra program): description, Usage, Available Commands, Flags,
 * Global Flags.
 * @module
 */
import type { ArgDef, ArgsDef } from "citty";
import { listSubCommandMeta, type ResolvedCommand } from "./command.ts";
import { globalArgs } from "./globals.ts";

interface FlagRow {
  left: string;
  description: string;
}

function flagRows(args: ArgsDef): FlagRow[] {
  return Object.entries(args)
    .filter(([, arg]) => arg.type !== "positional")
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([name, arg]) => ({ left: flagLeft(name, arg), description: flagDescription(arg) }));
}

function flagLeft(name: string, arg: ArgDef): string {
  const aliases = "alias" in arg && arg.alias !== undefined ? [arg.alias].flat() : [];
  const short = aliases.find((alias) => alias.length === 1);
  const hint = arg.type === "boolean" ? "" : ` ${arg.valueHint ?? (arg.type === "enum" ? "string" : "string")}`;
  return `${short ? `-${short}, ` : "    "}--${name}${hint}`;
}

function flagDescription(arg: ArgDef): string {
  let text = arg.description ?? "";
  if (arg.type === "enum" && arg.options) text += ` (one of: ${arg.options.join(", ")})`;
  if (arg.default !== undefined && arg.default !== false && arg.default !== "") {
    text += typeof arg.default === "string" ? ` (default "${arg.default}")` : ` (default ${arg.default})`;
  }
  return text;
}

function renderRows(rows: FlagRow[]): string {
  const width = Math.max(...rows.map((row) => row.left.length));
  return rows
    .map((row) => {
      const [first = "", ...rest] = row.description.split("\n");
      const pad = " ".repeat(width + 5);
      return [`  ${row.left.padEnd(width)}   ${first}`.trimEnd(), ...rest.map((line) => `${pad}${line}`)].join("\n");
    })
    .join("\n");
}

function usageLine(command: ResolvedCommand, hasSubCommands: boolean): string {
  const name = command.path.join(" ");
  if (hasSubCommands && !command.command.run) return `${name} [command]`;
  const positionals = Object.entries(command.args)
    .filter(([, arg]) => arg.type === "positional")
    .map(([argName, arg]) => {
      const label = arg.valueHint ?? argName;
      return arg.required === false || arg.default !== undefined ? `[${label}]` : `<${label}>`;
    });
  return [name, ...positionals, "[flags]"].join(" ");
}

/** Renders the help of `command`. */
export async function renderHelp(command: ResolvedCommand): Promise<string> {
  const subs = await listSubCommandMeta(command);
  const parts: string[] = [];
  if (command.meta.description) parts.push(command.meta.description.trimEnd());
  const usage = [`  ${usageLine(command, subs.length > 0)}`];
  if (subs.length > 0 && command.command.run) usage.push(`  ${command.path.join(" ")} [command]`);
  parts.push(`Usage:\n${usage.join("\n")}`);
  if (subs.length > 0) {
    const width = Math.max(...subs.map((sub) => (sub.path.at(-1) ?? "").length), 11);
    const lines = subs.map((sub) =>
      `  ${(sub.path.at(-1) ?? "").padEnd(width)} ${(sub.meta.description ?? "").split("\n")[0]}`.trimEnd(),
    );
    parts.push(`Available Commands:\n${lines.join("\n")}`);
  }
  const own = flagRows({
    ...command.args,
    help: { type: "boolean", alias: "h", description: `help for ${command.path.at(-1)}` },
  });
  const isRoot = command.path.length === 1;
  const globals = flagRows(globalArgs);
  parts.push(`Flags:\n${renderRows(isRoot ? [...globals, ...own].sort(byName) : own)}`);
  if (!isRoot) parts.push(`Global Flags:\n${renderRows(globals)}`);
  if (subs.length > 0) {
    parts.push(`Use "${command.path.join(" ")} [command] --help" for more information about a command.`);
  }
  return `${parts.join("\n\n")}\n`;
}

function byName(a: FlagRow, b: FlagRow): number {
  return a.left.replace(/^.*--/, "").localeCompare(b.left.replace(/^.*--/, ""));
}
