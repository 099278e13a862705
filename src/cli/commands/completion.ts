/**
 * `sctool completion bash|zsh|fish`: completion scripts generated from the command tree.
 * @module
 */
import { defineCommand } from "citty";
import {
  type CompletionNode,
  collectCompletionTree,
  renderBashCompletion,
  renderFishCompletion,
  renderZshCompletion,
} from "../completion.ts";
import { getCliContext } from "../context.ts";
import { createRootCommand } from "../root.ts";
import { commandMeta } from "./meta.ts";

type Renderer = (program: string, nodes: readonly CompletionNode[]) => string;

function shellCommand(shell: string, render: Renderer) {
  return defineCommand({
    meta: { name: shell, description: `Generate ${shell} completion` },
    async run(ctx) {
      const { io, program } = getCliContext(ctx);
      io.stdout(render(program, await collectCompletionTree(createRootCommand(program), program)));
    },
  });
}

/** The `completion` command. */
export const completionCommand = defineCommand({
  meta: commandMeta.completion,
  subCommands: {
    bash: shellCommand("bash", renderBashCompletion),
    fish: shellCommand("fish", renderFishCompletion),
    zsh: shellCommand("zsh", renderZshCompletion),
  },
});
