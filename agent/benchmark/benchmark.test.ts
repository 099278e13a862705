import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type Captured, captureCommand } from "../offline/testing.ts";
import { createDataBackend, createLocalstorageBackend } from "../providers/data.ts";
import { BandwidthLimiter } from "../transfer/index.ts";
import { runBenchmarkCommand } from "./command.ts";
import { globPaths } from "./files.ts";
import { runScenario } from "./scenario.ts";

// `benchmark` and `benchmark create-scenario` against the localstorage provider in a temp dir.
let root: string;
let config: string;

function run(...argv: string[]): Promise<Captured> {
  return captureCommand(runBenchmarkCommand, argv);
}

beforeAll(() => {
  root = mkdtempSync(join(tmpdir(), "agent-benchmark-"));
  mkdirSync(join(root, "store", "bench"), { recursive: true });
  config = join(root, "agent.yaml");
  writeFileSync(config, `localstorage:\n  path: ${join(root, "store")}\n`);
});

afterAll(() => {
  if (root) rmSync(root, { recursive: true, force: true });
});

describe("benchmark create-scenario", () => {
  test("creates count files of size MiB named as SM names them, keeping files that exist", async () => {
    const dir = join(root, "scenarios", "small");
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, "scenario3x2mb_1"), "kept");
    expect(await run("create-scenario", "-d", dir, "-s", "2", "-c", "3")).toEqual({ code: 0, out: "", err: "" });
    expect(readdirSync(dir).sort()).toEqual(["scenario3x2mb_0", "scenario3x2mb_1", "scenario3x2mb_2"]);
    expect(statSync(join(dir, "scenario3x2mb_0")).size).toBe(2 * 1024 * 1024);
    expect(statSync(join(dir, "scenario3x2mb_1")).size).toBe(4);
  });

  test("bad input", async () => {
    expect(await run("create-scenario", "-d", join(root, "x"))).toEqual({
      code: 1,
      out: "",
      err: "FAILED: provide size and count parameters\n",
    });
    expect(await run("create-scenario", "-s", "1", "-c", "1")).toEqual({
      code: 1,
      out: "",
      err: '\nSTARTUP ERROR: required flag(s) "dir" not set\n\n',
    });
  });
});

describe("benchmark", () => {
  test("copies each scenario to <location>/benchmark, removes it, and prints SM's report on stderr", async () => {
    const scenarios = join(root, "scenarios");
    mkdirSync(join(scenarios, "big"), { recursive: true });
    expect((await run("create-scenario", "-d", join(scenarios, "big"), "-s", "3", "-c", "2")).code).toBe(0);
    const r = await run("-c", config, "-L", "localstorage:bench", "-d", `${scenarios}/*`, "--rate-limit", "0");
    expect(r.out).toBe("");
    expect(r.code).toBe(0);
    const reports = r.err.split(/(?=^Scenario:)/m);
    expect(reports.map((b) => b.split("\n")[0])).toEqual(["Scenario:\tbig", "Scenario:\tsmall"]);
    for (const report of reports) {
      const lines = report.trimEnd().split("\n");
      expect(lines.map((l) => l.replace(/:\t+.*/, ""))).toEqual([
        "Scenario",
        "Size",
        "Duration",
        "HeapInuse",
        "Alloc",
        "TotalAlloc",
        "Sys",
        "Resident",
        "Virtual",
      ]);
      expect(lines[2]).toMatch(/^Duration:\t[0-9.]+(ns|µs|ms|s)$|^Duration:\t(\d+h)?\d+m[0-9.]+s$/);
      for (const line of lines.slice(3))
        expect(line).toMatch(/^\w+:\t\t?([0-9.]+[kMGTP]?|0)\/([0-9.]+[kMGTP]?)\/([0-9.]+[kMGTP]?)$/);
    }
    expect(reports[0]).toContain("Size:\t\t6M\n");
    // small: 4 bytes + 2 x 2 MiB.
    expect(reports[1]).toContain("Size:\t\t4.000M\n");
    expect(existsSync(join(root, "store", "bench", "benchmark"))).toBe(false);
  }, 30_000);

  test("a scenario copies every byte of every file (measured by the copy, then removed)", async () => {
    const dir = join(root, "scenarios", "big");
    const bucket = join(root, "store", "bench");
    const result = await runScenario(dir, createDataBackend(dir), {
      backend: createLocalstorageBackend(join(root, "store")),
      dir: "bench/benchmark",
      transfers: 2,
      limiter: new BandwidthLimiter(0),
    });
    expect(result.errors).toEqual([]);
    expect({ bytes: result.bytes, files: result.files }).toEqual({ bytes: 6 * 1024 * 1024, files: 2 });
    expect(existsSync(join(bucket, "benchmark"))).toBe(false);
  });

  test("an unusable location fails before any scenario; a missing scenario dir is no scenario", async () => {
    writeFileSync(join(root, "store", "afile"), "x");
    const failed = await run("-c", config, "-L", "localstorage:afile", "-d", join(root, "scenarios", "*"));
    expect(failed.code).toBe(1);
    expect(failed.err).toStartWith("FAILED: ");
    expect(failed.err).not.toContain("Scenario:");
    expect(await run("-c", config, "-L", "localstorage:bench", "-d", join(root, "none"))).toEqual({
      code: 0,
      out: "",
      err: "",
    });
    expect((await run("-c", config, "-d", "x")).err).toBe('\nSTARTUP ERROR: required flag(s) "location" not set\n\n');
    expect((await run("-L", "localstorage:bench")).err).toBe('\nSTARTUP ERROR: required flag(s) "dir" not set\n\n');
  });

  test("globs match within one path segment, sorted", () => {
    expect(globPaths(join(root, "scenarios", "*"))).toEqual([
      join(root, "scenarios", "big"),
      join(root, "scenarios", "small"),
    ]);
    expect(globPaths(join(root, "scen*", "s?all"))).toEqual([join(root, "scenarios", "small")]);
    expect(globPaths(join(root, "scenarios", "[b]ig"))).toEqual([join(root, "scenarios", "big")]);
    expect(globPaths(join(root, "nothing", "*"))).toEqual([]);
  });
});
