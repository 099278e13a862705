/**
 * The commands the README and the demo print run as printed on a clone after `npm ci`: no bare `bun` (it is not on
 * the PATH; `npx bun` and `./node_modules/.bin/bun` find the pinned one), every `npm run` script, `npx` tool and
 * repository file they name exists, and the demo's commands (and the README's lines that explore the demo) exit 0
 * against the running demo.
 */
import { afterAll, describe, expect, test } from "bun:test";
import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { join, resolve } from "node:path";

const root = resolve(import.meta.dir, "..");
const readme = readFileSync(join(root, "README.md"), "utf8");
const scripts = (JSON.parse(readFileSync(join(root, "package.json"), "utf8")) as { scripts: Record<string, string> })
  .scripts;

/** The README's `sh` blocks, each as its command lines (comments and continuation lines joined). */
function shBlocks(markdown: string): string[][] {
  return [...markdown.matchAll(/^```sh\n([\s\S]*?)^```$/gm)].map((match) =>
    (match[1] ?? "")
      .replace(/\\\n\s*/g, " ")
      .split("\n")
      .map((line) => line.replace(/\s+#\s.*$/, "").trim())
      .filter((line) => line !== "" && !line.startsWith("#")),
  );
}

/** A line's commands: split on `&&`, `||`, `;` and pipes. */
function commandsOf(line: string): string[][] {
  return line
    .split(/&&|\|\||;|\|/)
    .map((part) => part.trim().split(/\s+/))
    .filter((words) => words[0]);
}

describe("README commands", () => {
  const blocks = shBlocks(readme);

  test("the README has its command blocks", () => {
    expect(blocks.length).toBeGreaterThanOrEqual(8);
  });

  test("no bare bun; every npm script, npx tool and repository path they name exists", () => {
    const problems: string[] = [];
    for (const block of blocks) {
      // Lines after a `cd` elsewhere run in the user's own project (the npm install example), not in the clone.
      let inClone = true;
      for (const line of block) {
        for (const words of commandsOf(line)) {
          const [first = "", second = "", third = ""] = words[0] === "sudo" ? words.slice(1) : words;
          if (first === "cd") inClone = false;
          if (first === "bun") problems.push(`bare bun: ${line}`);
          if (!inClone) continue;
          if (first === "npm" && second === "run" && !(third in scripts)) problems.push(`no npm script: ${line}`);
          if (first === "npx" && !existsSync(join(root, "node_modules/.bin", second)))
            problems.push(`npx ${second} is not installed by npm ci: ${line}`);
          if ((first === "npx" && second === "bun") || first === "./node_modules/.bin/bun") {
            const file = first === "npx" ? third : second;
            if (!existsSync(join(root, file))) problems.push(`no such file ${file}: ${line}`);
          }
          for (const word of words) {
            if (/^(bin|bench|examples|packaging|src|test)\/[\w./-]+$/.test(word) && !existsSync(join(root, word)))
              problems.push(`no such path ${word}: ${line}`);
          }
        }
      }
    }
    expect(problems).toEqual([]);
  });

  test("the source entry points run as printed", () => {
    const line = blocks.flat().find((l) => l.includes("bin/scylla-manager-agent.ts --version"));
    expect(line).toBeDefined();
    const run = spawnSync("sh", ["-c", line ?? "false"], { cwd: root, encoding: "utf8", timeout: 60_000 });
    expect({ status: run.status, stdout: run.stdout.trim() }).toEqual({
      status: 0,
      stdout: expect.stringMatching(/^\d+\.\d+\.\d+/),
    });
  });
});

describe("npm run demo", () => {
  let demo: ChildProcess | undefined;
  afterAll(async () => {
    if (demo && demo.exitCode === null) {
      demo.kill("SIGKILL");
      await new Promise((done) => demo?.once("exit", done));
    }
  });

  test("every command it prints, and the README's commands for it, run against it", async () => {
    // What `npm run demo` runs (its script), started directly so that Ctrl-C (SIGINT) reaches the demo itself.
    expect(scripts.demo).toBe("bun examples/demo.ts");
    const child = spawn(join(root, "node_modules/.bin/bun"), ["examples/demo.ts"], {
      cwd: root,
      stdio: ["ignore", "pipe", "pipe"],
    });
    demo = child;
    let output = "";
    child.stdout?.on("data", (chunk: Buffer) => {
      output += chunk.toString();
    });
    child.stderr?.on("data", (chunk: Buffer) => {
      output += chunk.toString();
    });
    const deadline = Date.now() + 120_000;
    while (!output.includes("Press Ctrl-C") && child.exitCode === null && Date.now() < deadline) await Bun.sleep(200);
    expect(output).toContain("Press Ctrl-C");

    // The transcript's `$ ...` lines and the indented commands to explore with; re-adding the cluster would only
    // say its name is taken, so that one is left out.
    const printed = output
      .split("\n")
      .map((line) => line.replace(/^\$ /, "").trim())
      .filter((line) => /^(npx |curl )/.test(line) && !line.includes(" cluster add "));
    expect(printed.filter((line) => line.includes(" status -c demo")).length).toBeGreaterThanOrEqual(3);
    // The README's block after `npm run demo` explores the same demo.
    const forDemo = shBlocks(readme).find((block) => block.some((line) => line.includes("127.0.100.200")));
    expect(forDemo).toBeDefined();
    const failures: string[] = [];
    for (const line of [...printed, ...(forDemo ?? [])]) {
      const run = spawnSync("sh", ["-c", line], { cwd: root, encoding: "utf8", timeout: 60_000 });
      if (run.status !== 0 || run.stdout.trim() === "")
        failures.push(`${line}: exit ${run.status}: ${run.stderr.slice(0, 300)}`);
    }
    expect(failures).toEqual([]);

    child.kill("SIGINT");
    const code = await new Promise<number | null>((done) => child.once("exit", (exit) => done(exit)));
    expect(code).toBe(0);
  }, 240_000);
});
