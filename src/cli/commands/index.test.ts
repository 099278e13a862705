import { describe, expect, test } from "bun:test";
import { lazyCommand, resolveCommand, resolveValue } from "../command.ts";
import { renderHelp } from "../help.ts";
import { commands } from "./index.ts";

describe("top-level commands", () => {
  test("each loader carries the meta its module uses", async () => {
    for (const [name, loader] of Object.entries(commands)) {
      const command = await loader();
      expect({ name, meta: loader.meta }).toEqual({ name, meta: await resolveValue(command.meta ?? {}) });
      expect(loader.meta?.name).toBe(name);
    }
  });

  test("help lists commands whose loaders carry their meta without loading them", async () => {
    const loaded: string[] = [];
    const sub = (name: string, hidden = false) =>
      lazyCommand({ name, description: `Do ${name}\n\nLonger text.`, hidden }, async () => {
        loaded.push(name);
        return { meta: { name } };
      });
    const root = await resolveCommand(
      { meta: { name: "tool", description: "A tool" }, subCommands: { b: sub("b"), a: sub("a"), z: sub("z", true) } },
      ["tool"],
    );
    const help = await renderHelp(root);
    expect(help).toContain("Available Commands:\n  a           Do a\n  b           Do b\n\n");
    expect(help).not.toContain("Do z");
    expect(loaded).toEqual([]);
  });
});
