/**
 * The npm package as a user gets it: `npm pack` (built dist/node only), installed with plain npm into a fresh
 * project, type-checked under `moduleResolution: nodenext`, imported and run with plain Node, and its `sctool` bin
 * run through npx. Runs in the external tier (`test/external/run.sh` sets SM_EXTERNAL_TIER=1): installing the
 * package's dependencies from the registry is too slow for `npm test`.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import pkg from "../../package.json" with { type: "json" };

const root = resolve(import.meta.dir, "../..");
const enabled = process.env.SM_EXTERNAL_TIER === "1";
if (!enabled) console.log("npm-package: skipped, runs in the external tier (test/external/run.sh)");

const work = mkdtempSync(join(tmpdir(), "sm-pack-"));
afterAll(() => rmSync(work, { recursive: true, force: true }), 120_000);

function sh(command: string, args: string[], cwd: string) {
  const result = spawnSync(command, args, { cwd, encoding: "utf8", env: { ...process.env, npm_config_fund: "false" } });
  if (result.status !== 0) throw new Error(`${command} ${args.join(" ")} failed:\n${result.stdout}\n${result.stderr}`);
  return result.stdout;
}

let packedFiles: string[] = [];
let tarball = "";
beforeAll(() => {
  if (!enabled) return;
  if (!existsSync(join(root, "dist/node/index.js"))) sh(process.execPath, ["build.ts", "--only", "node"], root);
  // --ignore-scripts: dist/node is built above (or by .ci/run); `npm pack` alone runs the prepack build itself.
  const [report] = JSON.parse(sh("npm", ["pack", "--ignore-scripts", "--json", "--pack-destination", work], root));
  tarball = join(work, report.filename);
  packedFiles = report.files.map((file: { path: string }) => file.path);
  const project = join(work, "project");
  sh("mkdir", ["-p", project], work);
  writeFileSync(join(project, "package.json"), JSON.stringify({ name: "consumer", private: true, type: "module" }));
  sh("npm", ["install", "--no-audit", "--prefer-offline", tarball, "typescript@5.9.3", "@types/node@20"], project);
}, 600_000);

describe.skipIf(!enabled)("npm package", () => {
  test("carries the built library and the Node CLI, nothing else", () => {
    expect(packedFiles).toContain("dist/node/index.js");
    expect(packedFiles).toContain("dist/node/index.d.ts");
    expect(packedFiles).toContain("dist/node/sctool.mjs");
    const stray = packedFiles.filter((path) => !/^(dist\/node\/|README\.md$|package\.json$|LICENSE)/.test(path));
    expect(stray).toEqual([]);
    expect(Object.keys(pkg.dependencies)).not.toContain("ofetch");
  });

  test("type-checks under nodenext and runs on plain Node", () => {
    const project = join(work, "project");
    writeFileSync(
      join(project, "check.ts"),
      `import { createMemoryStore, ValidationError, type PingOutcome, type Store } from "scylla-manager-ts";
const store: Store = createMemoryStore();
const outcome: PingOutcome | undefined = undefined;
const error = new ValidationError("bad input");
const name: string = error.name;
console.log(JSON.stringify({ name, outcome: outcome ?? null, closed: typeof store.close }));
`,
    );
    sh(
      join(project, "node_modules/.bin/tsc"),
      ["--strict", "--module", "nodenext", "--moduleResolution", "nodenext", "--target", "es2022", "check.ts"],
      project,
    );
    const out = JSON.parse(sh("node", ["check.js"], project));
    expect(out).toEqual({ name: "ValidationError", outcome: null, closed: "function" });
  }, 120_000);

  test("the sctool bin runs under Node", () => {
    const project = join(work, "project");
    const help = sh("npx", ["--no-install", "sctool", "--help"], project);
    expect(help).toContain("Available Commands:");
  }, 60_000);
});
