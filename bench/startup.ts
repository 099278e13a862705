/**
 * Cold start and size of the executables: `bun bench/startup.ts [runs]` (default 20 runs per command).
 * Times `sctool version` against a running server, `sctool --help`, `scylla-manager --version` and
 * `scylla-manager-agent --version` of dist/ (build first: npm run build) and, where the interop tier built them
 * (SM_BIN_DIR, or ~/.cache/scylla-manager-ts/sm/<commit>/), the same commands of SM's Go binaries; prints the median
 * wall time, the peak RSS and the ratio ours/SM's, then the executables' sizes. Figures only; nothing asserts speed.
 * What a start spends its time on: `BUN_OPTIONS="--cpu-prof-md --cpu-prof-interval 100" dist/sctool version` writes a
 * markdown CPU profile (look for `node:*` modules a command does not need, and for module initialisers).
 */
import { spawnSync } from "node:child_process";
import { existsSync, lstatSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from "node:fs";
import { homedir, tmpdir } from "node:os";
import { join, resolve } from "node:path";

const RUNS = Number(process.argv[2] ?? 20);
const root = resolve(import.meta.dir, "..");
const dist = join(root, "dist");
const SERVER = "127.10.0.1:5080";

function smBinDir(): string | undefined {
  if (process.env.SM_BIN_DIR) return process.env.SM_BIN_DIR;
  const cache = join(homedir(), ".cache", "scylla-manager-ts", "sm");
  if (!existsSync(cache)) return undefined;
  const dir = readdirSync(cache).find((name) => existsSync(join(cache, name, "sctool")));
  return dir ? join(cache, dir) : undefined;
}

const gnuTime = existsSync("/usr/bin/time");

/** One run: wall ms and max RSS KiB (measured by GNU time where present). */
function runOnce(command: string[]): { ms: number; rssKiB: number; ok: boolean } {
  const started = performance.now();
  const result = gnuTime
    ? spawnSync("/usr/bin/time", ["-f", "%M", ...command], { encoding: "utf8" })
    : spawnSync(command[0] ?? "", command.slice(1), { encoding: "utf8" });
  const ms = performance.now() - started;
  const last = (result.stderr ?? "").trim().split("\n").pop() ?? "";
  return { ms, rssKiB: gnuTime && /^\d+$/.test(last) ? Number(last) : 0, ok: result.status === 0 };
}

/**
 * Median wall ms and max RSS KiB of `RUNS` runs of each command. The commands' runs alternate, so a load that comes
 * and goes on a shared machine weighs on ours and SM's alike.
 */
function measure(commands: string[][]): { ms: number; rssKiB: number; ok: boolean }[] {
  const runs = commands.map(() => ({ times: [] as number[], rssKiB: 0, ok: true }));
  for (let i = 0; i < RUNS; i++) {
    commands.forEach((command, c) => {
      const run = runOnce(command);
      const into = runs[c];
      if (!into) return;
      into.times.push(run.ms);
      into.rssKiB = Math.max(into.rssKiB, run.rssKiB);
      into.ok &&= run.ok;
    });
  }
  return runs.map(({ times, rssKiB, ok }) => {
    times.sort((a, b) => a - b);
    return { ms: times[Math.floor(times.length / 2)] ?? 0, rssKiB, ok };
  });
}

const work = mkdtempSync(join(tmpdir(), "bench-startup-"));
const config = join(work, "server.yaml");
writeFileSync(config, `http: ${SERVER}\nprometheus: ""\nstore: memory\n`);
const server = Bun.spawn([join(dist, "scylla-manager"), "--daemon", "-c", config], {
  stdout: "ignore",
  stderr: "ignore",
});
try {
  for (let i = 0; i < 100; i++) {
    const up = await fetch(`http://${SERVER}/ping`).then(
      (r) => r.ok,
      () => false,
    );
    if (up) break;
    await Bun.sleep(100);
  }
  const api = ["--api-url", `http://${SERVER}/api/v1`];
  const sm = smBinDir();
  const commands: [string, string[], string[] | undefined][] = [
    [
      "sctool version (server running)",
      [join(dist, "sctool"), "version", ...api],
      sm ? [join(sm, "sctool"), "version", ...api] : undefined,
    ],
    ["sctool --help", [join(dist, "sctool"), "--help"], sm ? [join(sm, "sctool"), "--help"] : undefined],
    [
      "scylla-manager --version",
      [join(dist, "scylla-manager"), "--version"],
      sm ? [join(sm, "scylla-manager"), "--version"] : undefined,
    ],
    [
      "scylla-manager-agent --version",
      [join(dist, "scylla-manager-agent"), "--version"],
      sm ? [join(sm, "scylla-manager-agent"), "--version"] : undefined,
    ],
  ];
  console.log(`cold start, median of ${RUNS} runs (wall ms, peak RSS MiB)${sm ? ` vs SM's binaries in ${sm}` : ""}`);
  for (const [name, ours, theirs] of commands) {
    const [a = { ms: 0, rssKiB: 0, ok: false }, b] = measure(theirs ? [ours, theirs] : [ours]);
    const line = `${name.padEnd(34)} ours ${a.ms.toFixed(1).padStart(6)} ms ${(a.rssKiB / 1024).toFixed(1).padStart(6)} MiB${a.ok ? "" : " (exit != 0)"}`;
    if (!b) {
      console.log(line);
      continue;
    }
    console.log(
      `${line} | SM ${b.ms.toFixed(1).padStart(6)} ms ${(b.rssKiB / 1024).toFixed(1).padStart(6)} MiB | ratio ${(a.ms / b.ms).toFixed(2)}x`,
    );
  }
  const size = (path: string) => (existsSync(path) && !lstatSync(path).isSymbolicLink() ? statSync(path).size : 0);
  const mib = (bytes: number) => `${(bytes / 1048576).toFixed(1)} MiB`;
  const ourTotal = ["scylla-manager", "sctool", "scylla-manager-agent"].reduce(
    (sum, n) => sum + size(join(dist, n)),
    0,
  );
  console.log(`\nexecutables: ours ${mib(ourTotal)} in all (one file; sctool and the agent are links to it)`);
  if (sm) {
    const smSizes = ["scylla-manager", "sctool", "scylla-manager-agent"].map((n) => size(join(sm, n)));
    const total = smSizes.reduce((sum, n) => sum + n, 0);
    console.log(
      `             SM's ${mib(total)} in all (server ${mib(smSizes[0] ?? 0)}, sctool ${mib(smSizes[1] ?? 0)}, agent ${mib(smSizes[2] ?? 0)})`,
    );
  }
  const packages = join(dist, "packages");
  if (existsSync(packages)) {
    for (const name of readdirSync(packages)) console.log(`package ${name}: ${mib(size(join(packages, name)))}`);
  }
} finally {
  server.kill("SIGTERM");
  await server.exited;
  rmSync(work, { recursive: true, force: true });
}
