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

test("check-location creates a missing localstorage bucket (as SM's agent); failures print FAILED and exit 1", async () => {
  const missing = await run("check-location", "-L", "localstorage:newbucket", "-c", join(dir, "agent.yaml"));
  expect(missing.code).toBe(0);
  expect(readdirSync(join(dir, "store"))).toContain("newbucket");
  // A regular file where the bucket's directory should be: nothing can be written there.
  writeFileSync(join(dir, "store", "afile"), "x");
  const blocked = await run("check-location", "-L", "localstorage:afile", "-c", join(dir, "agent.yaml"));
  expect(blocked.code).toBe(1);
  expect(blocked.stderr).toMatch(/^FAILED: .*afile/);
  const bad = await run("check-location", "-L", "Bad_Bucket", "-c", join(dir, "agent.yaml"));
  expect(bad.stderr).toMatch(/^FAILED: invalid location/);
}, 30_000);

test("starting without auth_token is refused, naming the file and the key", async () => {
  const { code, stderr } = await run("-c", join(dir, "agent.yaml"));
  expect(code).toBe(1);
  expect(stderr).toContain("STARTUP ERROR");
  expect(stderr).toContain("auth_token");
  expect(stderr).toContain(join(dir, "agent.yaml"));
});

test("a localstorage.path that does not exist is refused at start, as SM's agent does", async () => {
  const missing = join(dir, "no-such-mount");
  writeFileSync(join(dir, "missing-root.yaml"), `auth_token: t\nlocalstorage:\n  path: ${missing}\n`);
  const { code, stderr } = await run("-c", join(dir, "missing-root.yaml"));
  expect(code).toBe(1);
  expect(stderr).toContain(`STARTUP ERROR: register local dir provider ${missing}: stat ${missing}: no such file`);
  expect(stderr).toContain("hint: create the directory");
});

test("the executable serves until POST /agent/terminate, then exits 0", async () => {
  const { startFakeScylla } = await import("./testing/fake-scylla.ts");
  const ip = "127.0.20.12";
  mkdirSync(join(dir, "data"), { recursive: true });
  const scylla = startFakeScylla({ hostname: ip, dataDir: join(dir, "data") });
  const config = join(dir, "run.yaml");
  writeFileSync(
    config,
    `auth_token: tok\nhttps: ${ip}:10001\nprometheus: ""\ndebug: ""\ncpu: -1\nlogger:\n  encoding: console\nscylla:\n  api_address: ${ip}\n  api_port: ${scylla.port}\n`,
  );
  const proc = Bun.spawn([process.execPath, join(import.meta.dir, "main.ts"), "-c", config], {
    stdout: "pipe",
    stderr: "pipe",
  });
  try {
    const tls = { rejectUnauthorized: false };
    let up = false;
    for (let i = 0; i < 100 && !up; i++) {
      up = await fetch(`https://${ip}:10001/ping`, { tls } as RequestInit).then(
        (r) => r.status === 204,
        () => false,
      );
      if (!up) await Bun.sleep(50);
    }
    expect(up).toBe(true);
    const res = await fetch(`https://${ip}:10001/agent/terminate`, {
      method: "POST",
      headers: { authorization: "Bearer tok" },
      tls,
    } as RequestInit);
    expect(res.status).toBe(200);
    expect(await proc.exited).toBe(0);
  } finally {
    proc.kill();
    await scylla.close();
  }
});

test("SIGTERM stops an idle agent at once, not after the 30 s grace for in-flight requests (as SM's agent)", async () => {
  const { startFakeScylla } = await import("./testing/fake-scylla.ts");
  const ip = "127.5.1.1";
  mkdirSync(join(dir, "data"), { recursive: true });
  const scylla = startFakeScylla({ hostname: ip, dataDir: join(dir, "data") });
  const config = join(dir, "sigterm.yaml");
  writeFileSync(
    config,
    `auth_token: tok\nhttps: ${ip}:10001\nprometheus: ${ip}:5090\ndebug: ""\ncpu: -1\nlogger:\n  encoding: console\nscylla:\n  api_address: ${ip}\n  api_port: ${scylla.port}\n`,
  );
  // The bin entry ends by setting process.exitCode, so any timer left pending would keep the process alive.
  const proc = Bun.spawn([process.execPath, join(import.meta.dir, "../bin/scylla-manager-agent.ts"), "-c", config], {
    stdout: "pipe",
    stderr: "pipe",
  });
  try {
    const tls = { rejectUnauthorized: false };
    let up = false;
    for (let i = 0; i < 100 && !up; i++) {
      up = await fetch(`https://${ip}:10001/ping`, { tls } as RequestInit).then(
        (r) => r.status === 204,
        () => false,
      );
      if (!up) await Bun.sleep(50);
    }
    expect(up).toBe(true);
    proc.kill("SIGTERM");
    const exited = await Promise.race([proc.exited, Bun.sleep(15_000).then(() => "still running after 15 s")]);
    expect(exited).toBe(0);
  } finally {
    proc.kill();
    await scylla.close();
  }
}, 30_000);

test("--help lists the offline commands, and the executable dispatches them", async () => {
  const help = await run("--help");
  expect(help.code).toBe(0);
  expect(help.stdout).toContain("scylla-manager-agent download-files -L <location>");
  expect(help.stdout).toContain("scylla-manager-agent benchmark -L <location>");
  expect(help.stdout).toContain("scylla-manager-agent benchmark create-scenario");
  const usage = await run("download-files", "--help");
  expect(usage.code).toBe(0);
  expect(usage.stdout).toContain("  -L, --location string");
  expect(usage.stdout).toContain("      --dump-tokens");
  const nodes = await run("download-files", "-c", join(dir, "agent.yaml"), "-L", "localstorage:bucket", "--list-nodes");
  expect(nodes).toEqual({ code: 0, stdout: "", stderr: "" });
  const scenario = join(dir, "scenario");
  expect(await run("benchmark", "create-scenario", "-d", scenario, "-s", "1", "-c", "2")).toEqual({
    code: 0,
    stdout: "",
    stderr: "",
  });
  expect(readdirSync(scenario).sort()).toEqual(["scenario2x1mb_0", "scenario2x1mb_1"]);
  const failed = await run("download-files", "-L", "nope");
  expect(failed.code).toBe(1);
  expect(failed.stderr).toStartWith('\nSTARTUP ERROR: invalid argument "nope" for "-L, --location" flag: ');
}, 60_000);
