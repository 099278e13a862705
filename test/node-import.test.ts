/**
 * Plain Node >= 20 imports the library build (dist/node) and runs the Node CLI bundle. Builds dist/node first when
 * it is missing or older than the sources.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { spawnSync } from "node:child_process";
import { mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { defaultServerConfig } from "../src/config/server.ts";
import { type Daemon, startDaemon } from "../src/server/daemon.ts";
import { MANAGER_VERSION } from "../src/server/version.ts";
import { createSilentLogger } from "../src/util/log.ts";

const root = resolve(import.meta.dir, "..");
const nodeDir = join(root, "dist", "node");
const hasNode = spawnSync("node", ["--version"]).status === 0;
if (!hasNode) console.log("node-import: skipped, `node` is not on PATH");

function newestMtime(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true, recursive: true })) {
    if (entry.isFile()) newest = Math.max(newest, statSync(join(entry.parentPath, entry.name)).mtimeMs);
  }
  return newest;
}

function isFresh(): boolean {
  try {
    const built = Math.min(statSync(join(nodeDir, "index.js")).mtimeMs, statSync(join(nodeDir, "sctool.mjs")).mtimeMs);
    return built > Math.max(newestMtime(join(root, "src")), statSync(join(root, "build.ts")).mtimeMs);
  } catch {
    return false;
  }
}

/** Runs node without blocking the event loop (the in-process daemon must keep answering). */
async function node(args: string[]) {
  const child = Bun.spawn(["node", ...args], { cwd: root, stdout: "pipe", stderr: "pipe" });
  const [stdout, stderr, code] = await Promise.all([
    new Response(child.stdout).text(),
    new Response(child.stderr).text(),
    child.exited,
  ]);
  return { code, stdout, stderr };
}

const work = mkdtempSync(join(tmpdir(), "sm-node-"));
let daemon: Daemon | undefined;
beforeAll(async () => {
  if (!hasNode) return;
  if (!isFresh()) {
    const build = spawnSync(process.execPath, ["build.ts", "--only", "node"], { cwd: root, encoding: "utf8" });
    if (build.status !== 0) throw new Error(`build failed:\n${build.stdout}\n${build.stderr}`);
  }
  const config = { ...defaultServerConfig(), store: "memory" as const, http: "127.0.50.50:0", prometheus: "" };
  daemon = await startDaemon([], { config, logger: createSilentLogger() });
}, 120_000);
afterAll(async () => {
  await daemon?.close();
  rmSync(work, { recursive: true, force: true });
});

describe.skipIf(!hasNode)("dist/node under plain node", () => {
  test("imports the library and uses the memory store", async () => {
    const script = `
      import { createMemoryStore, isManagerError, openStore, ValidationError, MANAGER_VERSION } from ${JSON.stringify(join(nodeDir, "index.js"))};
      const store = createMemoryStore();
      const cluster = { id: "9a7f6c2e-0c4b-4b8e-9d43-2f0d3f3d6a11", name: "c1", labels: {}, host: "10.0.0.1",
        knownHosts: ["10.0.0.1"], port: 0, authToken: "t", forceTlsDisabled: false, forceNonSslSessionPort: false };
      await store.putCluster(cluster);
      const back = await store.getCluster(cluster.id);
      const sqlite = await openStore({ store: "sqlite", data_dir: "", secret_key: "", secret_key_file: "" }).catch((e) => e);
      console.log(JSON.stringify({ back, node: process.versions.node, version: MANAGER_VERSION,
        branded: isManagerError(new ValidationError("x")), sqlite: sqlite.message }));
      await store.close();
    `;
    const result = await node(["--input-type=module", "-e", script]);
    expect(result.stderr).toBe("");
    const out = JSON.parse(result.stdout);
    expect(out.back).toMatchObject({ id: "9a7f6c2e-0c4b-4b8e-9d43-2f0d3f3d6a11", name: "c1", host: "10.0.0.1" });
    expect(Number(out.node.split(".")[0])).toBeGreaterThanOrEqual(20);
    expect(out.version).toBe(MANAGER_VERSION);
    expect(out.branded).toBe(true);
    expect(out.sqlite).toContain("needs the Bun runtime");
  }, 30_000);

  test("the .d.ts types resolve for a TypeScript consumer", () => {
    const file = join(work, "consumer.ts");
    writeFileSync(
      file,
      `import { createMemoryStore, type Store } from ${JSON.stringify(join(nodeDir, "index.js"))};
const store: Store = createMemoryStore();
// @ts-expect-error getCluster takes an id string
void store.getCluster(42);
`,
    );
    const tsc = spawnSync(
      join(root, "node_modules", ".bin", "tsc"),
      ["--noEmit", "--strict", "--module", "nodenext", "--moduleResolution", "nodenext", "--skipLibCheck", file],
      { encoding: "utf8" },
    );
    expect(tsc.stdout + tsc.stderr).toBe("");
    expect(tsc.status).toBe(0);
  }, 60_000);

  test("the ncc CLI bundle runs sctool under node", async () => {
    const cli = join(nodeDir, "sctool.mjs");
    const help = await node([cli, "--help"]);
    expect(help.code).toBe(0);
    expect(help.stdout).toContain("Available Commands:");
    // Every command loads under Node (no Bun-only import on a command's path).
    const names = [...help.stdout.matchAll(/^ {2}([a-z-]+) {2,}/gm)].map((match) => match[1] ?? "");
    expect(names.length).toBeGreaterThan(1);
    for (const name of names) {
      const commandHelp = await node([cli, name, "--help"]);
      expect({ name, code: commandHelp.code, stderr: commandHelp.stderr }).toEqual({ name, code: 0, stderr: "" });
    }
    const version = await node([cli, "version", "--api-url", `${daemon?.urls.http}/api/v1`]);
    expect(version).toEqual({
      code: 0,
      stdout: `Client version: ${MANAGER_VERSION}\nServer version: ${MANAGER_VERSION}\n`,
      stderr: "",
    });
    const unknown = await node([cli, "verison"]);
    expect(unknown.code).toBe(1);
    // SM prints a blank line after every error.
    expect(unknown.stderr).toBe('Error: unknown command "verison" for "sctool", did you mean "version"?\n\n');
    // About 30 Node start-ups one after another: on a loaded 2-core machine that alone nears 30 s.
  }, 120_000);
});
