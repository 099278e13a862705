/**
 * `npm run build` (bun build.ts [--only exe|node]):
 *  - dist/scylla-manager: the one executable (`bun build --compile`, two CommonJS bundles with bytecode): server,
 *    sctool and agent, chosen by the name it is invoked under; dist/sctool and dist/scylla-manager-agent are symlinks;
 *  - dist/node/: the library as ESM for Node >= 20 (index.js + lazy chunks, package deps external) with `.d.ts`
 *    (tsc, declarations only), and dist/node/sctool.mjs, a single-file Node CLI bundled by @vercel/ncc.
 */
import { chmodSync, mkdirSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import pkg from "./package.json" with { type: "json" };

const root = import.meta.dir;
const dist = join(root, "dist");
const bin = (name: string) => join(root, "node_modules", ".bin", name);
const externals = [...Object.keys(pkg.dependencies), "bun:sqlite"];

async function run(command: string[]): Promise<void> {
  const child = Bun.spawn(command, { cwd: root, stdout: "inherit", stderr: "inherit" });
  if ((await child.exited) !== 0) throw new Error(`build step failed: ${command.join(" ")}`);
}

/** The names the one executable answers to besides its own (see `programFor` in src/cli/manager-main.ts). */
const EXECUTABLE_LINKS = ["sctool", "scylla-manager-agent"] as const;

/** Where the executable embeds its second bundle (bin/scylla-manager-roles.ts), as src/cli/manager-main.ts loads it. */
const ROLES_BUNDLE = "/$bunfs/root/scylla-manager-roles.js";

/**
 * The executable holds two CommonJS bundles with their bytecode precompiled (a start skips parsing them), both for
 * cold start. sctool's commands and the dispatch are one bundle (about 1 MB); the server, the agent and the other
 * roles are the second (about 5 MB), loaded only when one of them is chosen: a start instantiates every top-level
 * function of its bundle, and sctool's would otherwise carry the storage SDKs and the server. CommonJS, not ESM: in
 * an ESM bundle every `node:` module any bundled module imports is a top-level import, loaded at every start
 * (node:http, node:zlib, node:tls...); in CommonJS each becomes a `require` inside the lazily run module that needs
 * it. A dependency's `import.meta.env` (read only when there is no `process.env`) is the one ESM-only construct in the
 * graph; it is defined to `process.env`.
 */
async function buildExecutable(): Promise<void> {
  const exe = join(dist, "scylla-manager");
  await run([
    process.execPath,
    "build",
    "--compile",
    "--minify",
    "--bytecode",
    // Go's servers (SM's agent and server) accept 1 MiB of request line and headers; Bun's default is 16 KiB, which
    // a repair_async with a few hundred token ranges in its query string exceeds (HTTP 431).
    "--compile-exec-argv=--max-http-header-size=1048576",
    "--format",
    "cjs",
    "--define",
    "import.meta.env=process.env",
    "--define",
    `process.env.SCYLLA_MANAGER_ROLES_BUNDLE=${JSON.stringify(ROLES_BUNDLE)}`,
    "bin/scylla-manager.ts",
    "bin/scylla-manager-roles.ts",
    "--outfile",
    exe,
  ]);
  for (const name of EXECUTABLE_LINKS) {
    rmSync(join(dist, name), { force: true });
    symlinkSync("scylla-manager", join(dist, name));
  }
  // A bundle the runtime cannot load (bytecode generation failed, an ESM-only construct slipped in, the roles bundle
  // is not where manager-main looks) still builds: run one command from each bundle.
  for (const command of [["--version"], ["agent", "--version"]]) {
    const smoke = Bun.spawnSync([exe, ...command], { stdout: "pipe", stderr: "pipe" });
    if (smoke.exitCode !== 0 || smoke.stdout.toString().trim() !== pkg.version) {
      throw new Error(
        `${exe} ${command.join(" ")} failed (exit ${smoke.exitCode}): ${smoke.stderr.toString().slice(0, 500)}`,
      );
    }
  }
}

/** Rewrites `./x.ts` specifiers in emitted declarations to `./x.js`, which every TS resolution maps to `x.d.ts`. */
function rewriteDeclarationImports(dir: string): void {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) rewriteDeclarationImports(path);
    else if (entry.name.endsWith(".d.ts")) {
      const text = readFileSync(path, "utf8");
      const fixed = text.replace(/((?:from\s+|import\()\s*)(["'])(\.{1,2}\/[^"']+)\.ts\2/g, "$1$2$3.js$2");
      if (fixed !== text) writeFileSync(path, fixed);
    }
  }
}

async function buildNodeLibrary(out: string): Promise<void> {
  const library = await Bun.build({
    entrypoints: [join(root, "src/index.ts")],
    outdir: out,
    target: "node",
    format: "esm",
    // Splitting keeps the SQLite adapter (bun:sqlite) in a chunk that only `openStore` with `store: sqlite` loads.
    splitting: true,
    external: externals,
    sourcemap: "linked",
  });
  if (!library.success) throw new AggregateError(library.logs, "library build failed");
  await run([bin("tsc"), "-p", "tsconfig.build.json"]);
  rewriteDeclarationImports(join(out, "types"));
  writeFileSync(join(out, "index.d.ts"), 'export * from "./types/src/index.js";\n');
}

/**
 * ncc bundles JavaScript with every dependency into one file; Bun first turns our TypeScript (with `.ts` specifiers,
 * which ncc's TypeScript loader refuses) into one ESM file.
 */
async function buildNodeCli(out: string): Promise<void> {
  const staging = join(root, ".tmp", "build-node-cli");
  rmSync(staging, { recursive: true, force: true });
  const cli = await Bun.build({
    entrypoints: [join(root, "bin/sctool.ts")],
    outdir: staging,
    naming: "sctool.mjs",
    target: "node",
    format: "esm",
    external: externals,
  });
  if (!cli.success) throw new AggregateError(cli.logs, "CLI pre-bundle failed");
  await run([bin("ncc"), "build", join(staging, "sctool.mjs"), "-o", join(staging, "ncc"), "-e", "bun:sqlite", "-q"]);
  const bundled = readFileSync(join(staging, "ncc", "index.mjs"), "utf8").replace(/^#!.*\n/, "");
  writeFileSync(join(out, "sctool.mjs"), `#!/usr/bin/env node\n${bundled}`);
  chmodSync(join(out, "sctool.mjs"), 0o755);
  rmSync(staging, { recursive: true, force: true });
}

async function buildNode(): Promise<void> {
  const out = join(dist, "node");
  rmSync(out, { recursive: true, force: true });
  mkdirSync(out, { recursive: true });
  await Promise.all([buildNodeLibrary(out), buildNodeCli(out)]);
}

const only = process.argv.includes("--only") ? process.argv[process.argv.indexOf("--only") + 1] : undefined;
if (only !== undefined && only !== "exe" && only !== "node") throw new Error(`--only takes exe or node, got ${only}`);
mkdirSync(dist, { recursive: true });
const started = performance.now();
if (only !== "node") await buildExecutable();
if (only !== "exe") await buildNode();
console.log(`build done in ${((performance.now() - started) / 1000).toFixed(1)}s: ${readdirSync(dist).join(", ")}`);
