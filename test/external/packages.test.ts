/**
 * The .deb and .rpm packages as an SRE installs them (external tier, as root, where dpkg exists): build them with
 * `packaging/package.ts`, `dpkg -i` both, check every file lands where the units and configs say, verify the units
 * with `systemd-analyze verify`, run the installed server and agent by hand as the service user with the installed
 * configs against an emulated cluster and add it through the installed sctool, then remove the packages and check
 * that configs and state stay. `rpm -qlp` must list the same files for the .rpm. The machine is left as found: the
 * packages are purged and the service user, its state dir and the configs removed at the end.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { chmodSync, existsSync, lstatSync, mkdtempSync, readlinkSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { buildPackages } from "../../packaging/package.ts";
import { type EmulatedCluster, startCluster } from "../emulator/index.ts";

const has = (command: string) => spawnSync("sh", ["-c", `command -v ${command}`]).status === 0;
const reason =
  process.env.SM_EXTERNAL_TIER !== "1"
    ? "runs in the external tier (test/external/run.sh)"
    : process.getuid?.() !== 0
      ? "needs root to install packages"
      : !has("dpkg")
        ? "needs dpkg"
        : !has("go") && !existsSync(join(process.env.HOME ?? "", ".cache/scylla-manager-ts/tools"))
          ? "needs go to install nfpm"
          : "";
if (reason) console.log(`packages: skipped, ${reason}`);

const TOKEN = "package-test-token";
const IP_PREFIX = "127.9.0.";
const SERVER = "127.9.0.100:5080";
const INSTALLED = [
  "/usr/bin/scylla-manager",
  "/usr/bin/sctool",
  "/usr/bin/scylla-manager-agent",
  "/etc/scylla-manager/scylla-manager.yaml",
  "/etc/scylla-manager-agent/scylla-manager-agent.yaml",
  "/lib/systemd/system/scylla-manager.service",
  "/lib/systemd/system/scylla-manager-agent.service",
];

/** Runs a command while the in-process emulator keeps answering (spawnSync would block its event loop). */
async function shAsync(command: string, args: string[]) {
  const child = Bun.spawn([command, ...args], { stdout: "pipe", stderr: "pipe" });
  const [stdout, stderr, status] = await Promise.all([
    new Response(child.stdout).text(),
    new Response(child.stderr).text(),
    child.exited,
  ]);
  if (status !== 0) throw new Error(`${command} ${args.join(" ")} failed (${status}):\n${stdout}\n${stderr}`);
  return { stdout, stderr };
}

function sh(command: string, args: string[], options: { allowFail?: boolean } = {}) {
  const result = spawnSync(command, args, { encoding: "utf8" });
  if (result.status !== 0 && !options.allowFail) {
    throw new Error(`${command} ${args.join(" ")} failed (${result.status}):\n${result.stdout}\n${result.stderr}`);
  }
  return result;
}

const work = mkdtempSync(join(tmpdir(), "sm-packages-"));
chmodSync(work, 0o755); // the service user reads the per-node agent configs from here
let files: string[] = [];
let cluster: EmulatedCluster | undefined;
const children: ChildProcess[] = [];

function purge(): void {
  sh("dpkg", ["--purge", "scylla-manager-ts", "scylla-manager-ts-agent"], { allowFail: true });
  sh("userdel", ["scylla-manager"], { allowFail: true });
  sh("groupdel", ["scylla-manager"], { allowFail: true });
  for (const dir of ["/var/lib/scylla-manager", "/etc/scylla-manager", "/etc/scylla-manager-agent"]) {
    rmSync(dir, { recursive: true, force: true });
  }
}

beforeAll(() => {
  if (reason) return;
  // A machine with a real Scylla Manager installed is not ours to change.
  if (sh("dpkg", ["-s", "scylla-manager-server"], { allowFail: true }).status === 0) {
    throw new Error("Scylla Manager's own package is installed here; refusing to install over it");
  }
  files = buildPackages(["deb", "rpm"]);
  // rpm (to list the .rpm) comes from Debian's packages; a fresh machine lacks it.
  if (!has("rpm")) sh("apt-get", ["install", "-y", "-q", "rpm"], { allowFail: true });
}, 900_000);

afterAll(async () => {
  stopAll(children.splice(0), "SIGKILL");
  await cluster?.close();
  if (!reason) purge();
  rmSync(work, { recursive: true, force: true });
}, 120_000);

function stopAll(list: ChildProcess[], signal: NodeJS.Signals): void {
  for (const child of list) {
    try {
      if (child.pid) process.kill(-child.pid, signal);
    } catch {
      // already gone
    }
  }
}

/** Starts an installed executable as the service user; resolves once `ready` shows in its output. */
function startAsServiceUser(args: string[], ready: RegExp, env: Record<string, string> = {}): Promise<void> {
  // Its own process group, so stopping it reaches the executable behind runuser (which does not forward signals).
  const child = spawn("runuser", ["-u", "scylla-manager", "--", ...args], {
    env: { ...process.env, ...env },
    detached: true,
  });
  children.push(child);
  let output = "";
  return new Promise((done, fail) => {
    const timer = setTimeout(() => fail(new Error(`${args[0]} did not start:\n${output}`)), 60_000);
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      if (ready.test(output)) {
        clearTimeout(timer);
        done();
      }
    };
    child.stdout?.on("data", onData);
    child.stderr?.on("data", onData);
    child.on("exit", (code) => fail(new Error(`${args[0]} exited ${code}:\n${output}`)));
  });
}

describe.skipIf(reason !== "")("packages", () => {
  const deb = (name: string) => files.find((file) => file.includes(`${name}_`) && file.endsWith(".deb")) ?? "";
  const rpm = (name: string) => files.find((file) => file.includes(`${name}-0`) && file.endsWith(".rpm")) ?? "";

  test("install with dpkg: files where the units and configs say, the service user, configs kept private", () => {
    purge();
    sh("dpkg", ["-i", deb("scylla-manager-ts"), deb("scylla-manager-ts-agent")]);
    for (const path of INSTALLED) expect({ path, exists: existsSync(path) }).toEqual({ path, exists: true });
    expect(lstatSync("/usr/bin/sctool").isSymbolicLink()).toBe(true);
    expect(readlinkSync("/usr/bin/sctool")).toBe("scylla-manager");
    expect(sh("id", ["-u", "scylla-manager"]).status).toBe(0);
    expect(lstatSync("/etc/scylla-manager/scylla-manager.yaml").mode & 0o777).toBe(0o640);
    expect(lstatSync("/var/lib/scylla-manager").isDirectory()).toBe(true);
    const conffiles = sh("dpkg-query", ["--control-show", "scylla-manager-ts", "conffiles"]).stdout;
    expect(conffiles).toContain("/etc/scylla-manager/scylla-manager.yaml");
  }, 120_000);

  test("systemd-analyze verify accepts both units", () => {
    if (!has("systemd-analyze")) {
      console.log("packages: systemd-analyze missing, unit verification skipped");
      return;
    }
    const result = sh(
      "systemd-analyze",
      ["verify", "/lib/systemd/system/scylla-manager.service", "/lib/systemd/system/scylla-manager-agent.service"],
      { allowFail: true },
    );
    // Units we do not ship (scylla-server.service) may be named as missing; nothing about our own units may be.
    const ours = `${result.stdout}${result.stderr}`
      .split("\n")
      .filter((line) => /scylla-manager(-agent)?\.service:/.test(line) && !/scylla-server\.service/.test(line));
    expect(ours).toEqual([]);
  }, 60_000);

  test("the installed server and agents, run as the service user, manage an emulated cluster", async () => {
    cluster = await startCluster({ dcs: "dc1:3", ipPrefix: IP_PREFIX, dir: join(work, "emu") });
    chmodSync(join(work, "emu"), 0o755);
    for (const node of cluster.nodes) {
      const config = join(work, `agent-${node.ip}.yaml`);
      writeFileSync(
        config,
        `auth_token: ${TOKEN}\nhttps: ${node.ip}:10001\nprometheus: ${node.ip}:5090\ndebug: ""\n` +
          `scylla:\n  api_address: ${node.ip}\n  api_port: ${node.restPort}\n`,
      );
      chmodSync(config, 0o644);
      await startAsServiceUser(
        ["/usr/bin/scylla-manager-agent", "-c", "/etc/scylla-manager-agent/scylla-manager-agent.yaml", "-c", config],
        /listening on/,
      );
    }
    const override = join(work, "server.yaml");
    writeFileSync(override, `http: ${SERVER}\nprometheus: ""\n`);
    chmodSync(override, 0o644);
    await startAsServiceUser(
      ["/usr/bin/scylla-manager", "--daemon", "-c", "/etc/scylla-manager/scylla-manager.yaml", "-c", override],
      /server started/,
      { SCYLLA_MANAGER_DATA_DIR: "/var/lib/scylla-manager" },
    );
    const api = ["--api-url", `http://${SERVER}/api/v1`];
    const add = await shAsync("/usr/bin/sctool", [
      "cluster",
      "add",
      ...api,
      "--host",
      `${IP_PREFIX}1`,
      "--auth-token",
      TOKEN,
      "--name",
      "packaged",
    ]);
    expect(add.stdout).toMatch(/^[0-9a-f-]{36}$/m);
    const status = await shAsync("/usr/bin/sctool", ["status", ...api, "-c", "packaged"]);
    expect(status.stdout.match(/\bUN\b/g)?.length).toBe(3);
    expect(existsSync("/var/lib/scylla-manager/scylla-manager.db")).toBe(true);
    expect(sh("stat", ["-c", "%U", "/var/lib/scylla-manager/scylla-manager.db"]).stdout.trim()).toBe("scylla-manager");

    // doctor as the README says to run it (the service user reads the config and the store): the server, the store
    // and every node through the installed agents. Free disk space is this machine's, so its verdict is not asserted.
    const doctor = Bun.spawn(
      [
        "runuser",
        "-u",
        "scylla-manager",
        "--",
        "/usr/bin/scylla-manager",
        "doctor",
        "-c",
        "/etc/scylla-manager/scylla-manager.yaml",
        "-c",
        override,
      ],
      { stdout: "pipe", stderr: "pipe" },
    );
    const report = await new Response(doctor.stdout).text();
    await doctor.exited;
    expect(report).toMatch(/^\[ OK \] server: /m);
    expect(report).toMatch(/^\[ OK \] store schema: \/var\/lib\/scylla-manager\/scylla-manager\.db/m);
    for (const node of cluster.nodes) {
      expect(report).toContain(`[ OK ] cluster packaged / ${node.ip}: UN`);
      expect(report).toContain(`[ OK ] cluster packaged / ${node.ip} agent certificate: valid until`);
    }
    stopAll(children.splice(0), "SIGTERM");
  }, 180_000);

  test("remove keeps configs and state; an edited config survives a reinstall", () => {
    writeFileSync("/etc/scylla-manager/scylla-manager.yaml", "# edited by the operator\nhttp: 127.0.0.1:5080\n");
    sh("dpkg", ["-r", "scylla-manager-ts", "scylla-manager-ts-agent"]);
    expect(existsSync("/usr/bin/scylla-manager")).toBe(false);
    expect(existsSync("/etc/scylla-manager/scylla-manager.yaml")).toBe(true);
    expect(existsSync("/etc/scylla-manager-agent/scylla-manager-agent.yaml")).toBe(true);
    expect(existsSync("/var/lib/scylla-manager/scylla-manager.db")).toBe(true);
    sh("dpkg", ["-i", "--force-confold", deb("scylla-manager-ts")]);
    expect(sh("cat", ["/etc/scylla-manager/scylla-manager.yaml"]).stdout).toContain("edited by the operator");
  }, 120_000);

  test("the .rpm lists the same files as the .deb", () => {
    if (!has("rpm")) {
      console.log("packages: rpm missing (apt-get install rpm), .rpm listing skipped");
      return;
    }
    for (const name of ["scylla-manager-ts", "scylla-manager-ts-agent"]) {
      const fromRpm = sh("rpm", ["-qlp", rpm(name)])
        .stdout.split("\n")
        .filter((line) => line.startsWith("/"))
        .sort();
      const fromDeb = sh("dpkg-deb", ["-c", deb(name)])
        .stdout.split("\n")
        .map((line) => line.split(/\s+/)[5]?.replace(/^\./, "") ?? "")
        .filter((path) => path.length > 1 && !path.endsWith("/"))
        .sort();
      expect({ name, files: fromRpm }).toEqual({ name, files: fromDeb });
    }
  }, 60_000);
});
