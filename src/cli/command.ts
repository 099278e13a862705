/**
 * The command tree as the CLI runner sees it: citty commands whose args type is erased (citty's `CommandDef<T>` is
 * invariant in `T`, so a tree of different commands needs a looser shape).
 * @module
 */
import type { ArgDef, ArgsDef, CommandDef, CommandMeta, Resolvable } from "citty";

/** Any citty `defineCommand(...)` result. */
export interface AnyCommand {
  meta?: Resolvable<CommandMeta>;
  args?: Resolvable<ArgsDef>;
  subCommands?: Resolvable<Record<string, Resolvable<AnyCommand>>>;
  setup?: unknown;
  run?: unknown;
  cleanup?: unknown;
}

/** A lazily loaded command (the values of `commands/index.ts`), with its meta when that is known without loading. */
export type CommandLoader = (() => Promise<AnyCommand>) & { meta?: CommandMeta };

/** A loader that carries the command's meta, so listing the command (help) does not load its module. */
export function lazyCommand(meta: CommandMeta, load: () => Promise<AnyCommand>): CommandLoader {
  return Object.assign(() => load(), { meta });
}

/** A command with its resolved parts. */
export interface ResolvedCommand {
  /** Full path, e.g. `["sctool", "cluster", "add"]`. */
  path: string[];
  command: AnyCommand;
  meta: CommandMeta;
  args: ArgsDef;
  /** Sub-command loaders by name (empty for leaves). */
  subCommands: Record<string, Resolvable<AnyCommand>>;
}

/** Resolves a citty Resolvable (value, promise, or function returning either). */
export async function resolveValue<T>(value: Resolvable<T>): Promise<T> {
  return typeof value === "function" ? await (value as () => T | Promise<T>)() : await value;
}

/** Resolves meta, args and sub-commands of `command`. */
export async function resolveCommand(command: AnyCommand, path: string[]): Promise<ResolvedCommand> {
  const [meta, args, subCommands] = await Promise.all([
    resolveValue(command.meta ?? {}),
    resolveValue(command.args ?? {}),
    resolveValue(command.subCommands ?? {}),
  ]);
  return { path, command, meta, args, subCommands };
}

/** Visible sub-commands, resolved, sorted by name. */
export async function listSubCommands(parent: ResolvedCommand): Promise<ResolvedCommand[]> {
  const entries = await Promise.all(
    Object.entries(parent.subCommands).map(async ([name, loader]) =>
      resolveCommand(await resolveValue(loader), [...parent.path, name]),
    ),
  );
  return entries.filter((entry) => !entry.meta.hidden).sort((a, b) => a.path.join(" ").localeCompare(b.path.join(" ")));
}

/** Names and meta of the visible sub-commands, sorted by name; loaders that carry their meta are not loaded. */
export async function listSubCommandMeta(parent: ResolvedCommand): Promise<{ path: string[]; meta: CommandMeta }[]> {
  const entries = await Promise.all(
    Object.entries(parent.subCommands).map(async ([name, sub]) => {
      const carried = typeof sub === "function" ? (sub as CommandLoader).meta : undefined;
      const meta = carried ?? (await resolveValue((await resolveValue(sub)).meta ?? {}));
      return { path: [...parent.path, name], meta };
    }),
  );
  return entries.filter((entry) => !entry.meta.hidden).sort((a, b) => a.path.join(" ").localeCompare(b.path.join(" ")));
}

/** The flag spellings of an arg: `--name` plus `-x` for one-letter aliases and `--alias` for longer ones. */
export function flagNames(name: string, arg: ArgDef): string[] {
  const aliases = "alias" in arg && arg.alias !== undefined ? [arg.alias].flat() : [];
  return [`--${name}`, ...aliases.map((alias) => (alias.length === 1 ? `-${alias}` : `--${alias}`))];
}

/** Hands a tree command to citty, which types commands by their own args. */
export function toCittyCommand(command: AnyCommand): CommandDef {
  return command as CommandDef;
}
