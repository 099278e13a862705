/**
 * SM's own sctool against our server, command by command, with its output compared to our sctool's on the same
 * server (only times, ids, RTTs and names are normalised). The emulated cluster runs our agents on 127.5.1.x.
 * Remaining deliberate differences are listed in KNOWN (and in docs/compatibility.md); anything else that differs
 * fails.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { type EmulatedCluster, startCluster } from "../emulator/index.ts";
import {
  type Daemon,
  interopSkipReason,
  normalise,
  ourSctool,
  type RunResult,
  smSctool,
  startOurServer,
  tempDir,
} from "./support.ts";

const skip = interopSkipReason();
if (skip !== undefined) console.warn(`SKIP interop sctool suite: ${skip}`);

const TOKEN = "interop-token";
let cluster: EmulatedCluster;
let server: { apiUrl: string; daemon: Daemon };
let temp: { dir: string; remove: () => void };

/** Commands whose outputs still differ on purpose: command → why (see docs/compatibility.md). */
const KNOWN: Record<string, string> = {
  "status -c nope": "SM prints the error on stdout and exits 0; ours prints it on stderr and exits 1",
  "tasks -c nope": "SM prints the error on stdout and exits 0; ours prints it on stderr and exits 1",
  "cluster list --nope": "ours adds ', did you mean <closest flag>?' to an unknown flag",
};

function same(name: string, sm: RunResult, ours: RunResult, rename: [string, string][] = []): void {
  const clean = (text: string) => {
    let out = normalise(text);
    for (const [from, to] of rename) out = out.replaceAll(from, to);
    return out;
  };
  const a = { code: sm.code, stdout: clean(sm.stdout), stderr: clean(sm.stderr) };
  const b = { code: ours.code, stdout: clean(ours.stdout), stderr: clean(ours.stderr) };
  if (KNOWN[name] !== undefined) {
    console.warn(`known difference (${name}): ${KNOWN[name]}`);
    return;
  }
  expect({ name, ...b }).toEqual({ name, ...a });
}

describe.skipIf(skip !== undefined)("SM's sctool against our server", () => {
  beforeAll(async () => {
    temp = tempDir("sm-interop-sctool-");
    cluster = await startCluster({
      dcs: "dc1:2,dc2:1",
      ipPrefix: "127.5.1.",
      tokensPerNode: 8,
      agents: { authToken: TOKEN },
    });
    server = await startOurServer("127.5.1.200", temp.dir);
  }, 120_000);

  afterAll(async () => {
    await server?.daemon.stop();
    await cluster?.close();
    temp?.remove();
  });

  const both = async (...args: string[]) => {
    const sm = await smSctool(server.apiUrl, ...args);
    const ours = await ourSctool(server.apiUrl, ...args);
    return { sm, ours };
  };

  test("cluster add (one cluster each), cluster list", async () => {
    const host = cluster.nodes[0]?.ip ?? "";
    const sm = await smSctool(
      server.apiUrl,
      "cluster",
      "add",
      "--host",
      host,
      "--auth-token",
      TOKEN,
      "--name",
      "by-sm",
    );
    const ours = await ourSctool(
      server.apiUrl,
      "cluster",
      "add",
      "--host",
      host,
      "--auth-token",
      TOKEN,
      "--name",
      "by-ts",
    );
    expect(sm.code).toBe(0);
    same("cluster add", sm, ours, [["by-ts", "by-sm"]]);
    const list = await both("cluster", "list");
    same("cluster list", list.sm, list.ours);
  }, 60_000);

  for (const args of [
    ["status", "-c", "by-sm"],
    ["status"],
    ["tasks", "-c", "by-sm"],
    ["tasks", "-c", "by-sm", "--all"],
    ["tasks", "-c", "by-sm", "-t", "healthcheck"],
    ["tasks"],
    ["info", "healthcheck/cql", "-c", "by-sm"],
    ["progress", "healthcheck/cql", "-c", "by-sm"],
    ["progress", "repair", "-c", "by-sm"],
    ["info", "repair/nope", "-c", "by-sm"],
    ["info", "nope", "-c", "by-sm"],
    ["status", "-c", "nope"],
    ["tasks", "-c", "nope"],
    ["cluster", "list", "--nope"],
    ["status", "-c"],
    ["suspend", "-c", "by-sm"],
    ["tasks", "-c", "by-sm"],
    ["resume", "-c", "by-sm"],
    ["stop", "healthcheck/cql", "-c", "by-sm"],
    ["start", "healthcheck/cql", "-c", "by-sm"],
  ]) {
    test(`sctool ${args.join(" ")}`, async () => {
      const { sm, ours } = await both(...args);
      same(args.join(" "), sm, ours);
    }, 30_000);
  }

  test("cluster delete", async () => {
    const sm = await smSctool(server.apiUrl, "cluster", "delete", "-c", "by-sm");
    const ours = await ourSctool(server.apiUrl, "cluster", "delete", "-c", "by-ts");
    same("cluster delete", sm, ours);
    const list = await both("cluster", "list");
    expect(list.sm.code).toBe(0);
    same("cluster list (empty)", list.sm, list.ours);
  }, 30_000);
});
