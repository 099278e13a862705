/**
 * Shell completion scripts generated from the command tree: bash, zsh (through bashcompinit) and fish.
 * @module
 */
import type { ArgsDef } from "citty";
import { type AnyCommand, flagNames, listSubCommands, type ResolvedCommand, resolveCommand } from "./command.ts";
import { globalArgs } from "./globals.ts";

/** One command of the tree, flattened for the generators. */
export interface CompletionNode {
  /** `sctool cluster add` */
  path: string;
  description: string;
  subCommands: { name: string; description: string }[];
  /** Every flag spelling the command accepts, globals and --help included. */
  flags: { names: string[]; description: string }[];
}

/** Walks the whole tree under `root` (every lazy command is loaded). */
export async function collectCompletionTree(root: AnyCommand, program: string): Promise<CompletionNode[]> {
  const nodes: CompletionNode[] = [];
  const visit = async (command: ResolvedCommand) => {
    const subs = await listSubCommands(command);
    const args: ArgsDef = { ...globalArgs, ...command.args };
    const flags = Object.entries(args)
      .filter(([, arg]) => arg.type !== "positional")
      .map(([name, arg]) => ({ names: flagNames(name, arg), description: firstLine(arg.description) }));
    flags.push({ names: ["--help", "-h"], description: "help" });
    nodes.push({
      path: command.path.join(" "),
      description: firstLine(command.meta.description),
      subCommands: subs.map((sub) => ({ name: sub.path.at(-1) ?? "", description: firstLine(sub.meta.description) })),
      flags,
    });
    for (const sub of subs) await visit(sub);
  };
  await visit(await resolveCommand(root, [program]));
  return nodes;
}

function firstLine(text: string | undefined): string {
  return (text ?? "").split("\n")[0]?.replace(/\.$/, "") ?? "";
}

function functionName(program: string): string {
  return `_${program.replace(/[^A-Za-z0-9]/g, "_")}_completions`;
}

/** A bash completion script (`source <(sctool completion bash)`). */
export function renderBashCompletion(program: string, nodes: readonly CompletionNode[]): string {
  const fn = functionName(program);
  const paths = nodes.filter((node) => node.path !== program).map((node) => `"${node.path}"`);
  const cases = nodes.map((node) => {
    const words = [...node.subCommands.map((sub) => sub.name), ...node.flags.flatMap((flag) => flag.names)];
    return `    "${node.path}") words="${words.join(" ")}" ;;`;
  });
  return `# bash completion for ${program}
${fn}() {
  local cur="\${COMP_WORDS[COMP_CWORD]}" cmd="${program}" words="" i
  for ((i = 1; i < COMP_CWORD; i++)); do
    case "$cmd \${COMP_WORDS[i]}" in
      ${paths.length > 0 ? paths.join("|") : '""'}) cmd="$cmd \${COMP_WORDS[i]}" ;;
    esac
  done
  case "$cmd" in
${cases.join("\n")}
  esac
  COMPREPLY=($(compgen -W "$words" -- "$cur"))
}
complete -o default -F ${fn} ${program}
`;
}

/** A zsh completion script: the bash one through zsh's bashcompinit. */
export function renderZshCompletion(program: string, nodes: readonly CompletionNode[]): string {
  return `#compdef ${program}
# zsh completion for ${program}
autoload -U +X compinit && compinit
autoload -U +X bashcompinit && bashcompinit
${renderBashCompletion(program, nodes).split("\n").slice(1).join("\n")}`;
}

function fishQuote(text: string): string {
  return `'${text.replace(/\\/g, "\\\\").replace(/'/g, "\\'")}'`;
}

/** A fish completion script (`sctool completion fish | source`). */
export function renderFishCompletion(program: string, nodes: readonly CompletionNode[]): string {
  const helper = `__${program.replace(/[^A-Za-z0-9]/g, "_")}_path`;
  const paths = nodes.filter((node) => node.path !== program).map((node) => fishQuote(node.path));
  const lines = [
    `# fish completion for ${program}`,
    `function ${helper}`,
    "    set -l words (commandline -opc)",
    `    set -l path ${fishQuote(program)}`,
    `    set -l known ${paths.join(" ")}`,
    "    for word in $words[2..-1]",
    '        if contains -- "$path $word" $known',
    '            set path "$path $word"',
    "        end",
    "    end",
    "    echo $path",
    "end",
    `complete -c ${program} -f`,
  ];
  for (const node of nodes) {
    const condition = `-n ${fishQuote(`test "(${helper})" = ${fishQuote(node.path)}`)}`;
    for (const sub of node.subCommands) {
      lines.push(`complete -c ${program} ${condition} -a ${fishQuote(sub.name)} -d ${fishQuote(sub.description)}`);
    }
    for (const flag of node.flags) {
      const spec = flag.names
        .map((name) => (name.startsWith("--") ? `-l ${name.slice(2)}` : `-s ${name.slice(1)}`))
        .join(" ");
      lines.push(`complete -c ${program} ${condition} ${spec} -d ${fishQuote(flag.description)}`);
    }
  }
  return `${lines.join("\n")}\n`;
}
