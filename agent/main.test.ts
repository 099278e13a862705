import { afterAll, beforeAll, expect, test } from "bun:test";
import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseAgentArgs } from "./main.ts";

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "agent-main-"));
  mkdirSync(join(dir, "store/bucket"), { recursive: true });
  writeFileSync(join(dir, "agent.yaml"), `localstorage:\n  path: ${join(dir, "store")}\n`);
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function run(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const proc = Bun.spawn([process.execPath, join(import.meta.dir, "main.ts"), ...args], {
    stdout: "pipe",
    stderr: "pipe",
  });
  const [stdout, stderr, code] = await Promise.all([
    new Response(proc.stdout).text(),
    new Response(proc.stderr).text(),
    proc.exited,
  ]);
  return { code, stdout, stderr };
}

test("argument parsing", () => {
  expect(parseAgentArgs(["-c", "a.yaml", "--config-file=b.yaml"])).toMatchObject({
    command: "run",
    configFiles: ["a.yaml", "b.yaml"],
  });
  expect(parseAgentArgs(["check-location", "-L", "s3:b", "--debug"])).toMatchObject({
    command: "check-location",
    location: "s3:b",
    debug: true,
  });
  expect(() => parseAgentArgs(["check-location"])).toThrow(/-L/);
  expect(() => parseAgentArgs(["--nope"])).toThrow(/unknown flag/);
});

test("--version prints the version", async () => {
  const { code, stdout } = await run("--version");
  expect(code).toBe(0);
  expect(stdout.trim()).toMatch(/^\d+\.\d+\.\d+/);
});

test("check-location succeeds silently and leaves nothing behind", async () => {
  const { code, stdout, stderr } = await run(
    "check-location",
    "-L",
    "localstorage:bucket",
    "-c",
    join(dir, "agent.yaml"),
  );
  expect({ code, stdout, stderr }).toEqual({ code: 0, stdout: "", stderr: "" });
  expect(readdirSync(join(dir, "store/bucket"))).toEqual([]);
});

test("check-location failures print FAILED and exit 1", async () => {
  const missing = await run("check-location", "-L", "localstorage:nobucket", "-c", join(dir, "agent.yaml"));
  expect(missing.code).toBe(1);
  expect(missing.stderr).toMatch(/^FAILED: .*nobucket/);
  const bad = await run("check-location", "-L", "Bad_Bucket", "-c", join(dir, "agent.yaml"));
  expect(bad.stderr).toMatch(/^FAILED: invalid location/);
});

test("starting without auth_token is refused, naming the file and the key", async () => {
  const { code, stderr } = await run("-c", join(dir, "agent.yaml"));
  expect(code).toBe(1);
  expect(stderr).toContain("STARTUP ERROR");
  expect(stderr).toContain("auth_token");
  expect(stderr).toContain(join(dir, "agent.yaml"));
});
