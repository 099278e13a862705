/**
 * `npm run package`: the .deb and .rpm packages of the server (+ sctool) and of the agent, into dist/packages/.
 * Builds dist/scylla-manager first when it is missing, and installs the packager (nfpm, from the Go module proxy)
 * once into a cache outside the repo. `--formats deb` (or `rpm`, `deb,rpm`, the default) picks the formats.
 * @module
 */
import { existsSync, mkdirSync, readdirSync } from "node:fs";
import { homedir } from "node:os";
import { join, resolve } from "node:path";
import pkg from "../package.json" with { type: "json" };

/** nfpm's release pinned for reproducible packages (newer ones may need a newer Go than the machine has). */
const NFPM_VERSION = "v2.45.2";
const root = resolve(import.meta.dir, "..");
const out = join(root, "dist", "packages");
const cacheDir = process.env.SM_TOOLS_CACHE ?? join(homedir(), ".cache", "scylla-manager-ts", "tools");

function run(command: string[], env: Record<string, string> = {}): void {
  const result = Bun.spawnSync(command, {
    cwd: root,
    env: { ...process.env, ...env },
    stdout: "inherit",
    stderr: "inherit",
  });
  if (result.exitCode !== 0) throw new Error(`package step failed: ${command.join(" ")}`);
}

/** The nfpm binary, installed with `go install` into the cache the first time. */
export function ensureNfpm(): string {
  const dir = join(cacheDir, `nfpm-${NFPM_VERSION}`);
  const binary = join(dir, "nfpm");
  if (!existsSync(binary)) {
    console.log(`installing nfpm ${NFPM_VERSION} into ${dir} (go install, once)`);
    run(["go", "install", `github.com/goreleaser/nfpm/v2/cmd/nfpm@${NFPM_VERSION}`], { GOBIN: dir, CGO_ENABLED: "0" });
  }
  return binary;
}

/** Debian and RPM name the same machine differently; nfpm takes Go's names and maps them. */
function goArch(): string {
  return process.arch === "x64" ? "amd64" : process.arch === "arm64" ? "arm64" : process.arch;
}

export function buildPackages(formats: readonly string[]): string[] {
  if (!existsSync(join(root, "dist", "scylla-manager"))) run([process.execPath, "build.ts", "--only", "exe"]);
  const nfpm = ensureNfpm();
  mkdirSync(out, { recursive: true });
  const env = { VERSION: pkg.version, ARCH: goArch() };
  for (const config of ["packaging/nfpm-server.yaml", "packaging/nfpm-agent.yaml"]) {
    for (const format of formats) run([nfpm, "package", "-f", config, "-p", format, "-t", out], env);
  }
  return readdirSync(out).map((name) => join(out, name));
}

if (import.meta.main) {
  const index = process.argv.indexOf("--formats");
  const formats = (index > 0 ? (process.argv[index + 1] ?? "") : "deb,rpm").split(",").filter(Boolean);
  for (const format of formats) {
    if (format !== "deb" && format !== "rpm") throw new Error(`--formats takes deb and/or rpm, got ${format}`);
  }
  for (const file of buildPackages(formats)) console.log(file);
}
