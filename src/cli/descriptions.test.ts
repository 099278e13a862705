/**
 * Every command's one-line description (the first line of `meta.description`, shown in `sctool --help`) is SM's
 * `synopsis` from the sctool contracts, for each command that both have.
 */
import { describe, expect, test } from "bun:test";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { parse } from "yaml";
import { type ResolvedCommand, resolveCommand, resolveValue } from "./command.ts";
import { createRootCommand } from "./root.ts";

const contracts = fileURLToPath(new URL("../../../shared/contracts/sctool/", import.meta.url));

// The root names this program, not SM's build; SM's completion synopses lack a space ("Generate bashcompletion",
// its doc generator's typo), which we do not copy.
const OWN_WORDING = new Set(["sctool", "sctool completion bash", "sctool completion fish", "sctool completion zsh"]);

function readSynopses(): Map<string, string> {
  const synopses = new Map<string, string>();
  for (const file of readdirSync(contracts).filter((name) => name.endsWith(".yaml"))) {
    const doc = parse(readFileSync(`${contracts}${file}`, "utf8")) as { name?: string; synopsis?: string };
    // A block scalar synopsis (`synopsis: |`) ends with a newline that is no part of the one-liner.
    if (doc.name && doc.synopsis) synopses.set(doc.name, doc.synopsis.trimEnd());
  }
  return synopses;
}

async function collectDescriptions(command: ResolvedCommand, out: Map<string, string>): Promise<void> {
  out.set(["sctool", ...command.path.slice(1)].join(" "), (command.meta.description ?? "").split("\n")[0] ?? "");
  for (const [name, loader] of Object.entries(command.subCommands)) {
    await collectDescriptions(await resolveCommand(await resolveValue(loader), [...command.path, name]), out);
  }
}

const absent = !existsSync(contracts);
if (absent) console.warn(`skip: descriptions.test.ts: SM's sctool synopses not found in ${contracts}`);

describe("command descriptions", () => {
  test.skipIf(absent)("match SM's synopsis in the sctool contracts", async () => {
    const synopses = readSynopses();
    const ours = new Map<string, string>();
    await collectDescriptions(await resolveCommand(createRootCommand("sctool"), ["sctool"]), ours);
    const compared = [...ours.keys()].filter((name) => synopses.has(name) && !OWN_WORDING.has(name));
    expect(compared.length).toBeGreaterThanOrEqual(15);
    expect(Object.fromEntries(compared.map((name) => [name, ours.get(name)]))).toEqual(
      Object.fromEntries(compared.map((name) => [name, synopses.get(name)])),
    );
  });
});
