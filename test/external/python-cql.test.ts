/**
 * A Python CQL client from PyPI (scylla-driver, installed by python-cql.sh into a cached venv) connects to an
 * emulated 2-DC cluster, discovers every peer and reads the schema. Skips, saying why, without python3/pip.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { spawn } from "node:child_process";
import { join } from "node:path";
import { startTestCqlCluster, type TestCqlCluster } from "../emulator/cql/testing.ts";

const SCRIPT = join(import.meta.dir, "python-cql.sh");
const PORT = 9047;

/** Runs the script without blocking the event loop (the emulated nodes live in this process). */
function runPython(host: string, user = "", pass = ""): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn("bash", [SCRIPT, host, String(PORT), user, pass], { timeout: 240_000 });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d: Buffer) => {
      stdout += d.toString();
    });
    child.stderr.on("data", (d: Buffer) => {
      stderr += d.toString();
    });
    child.on("close", (code) => resolve({ code: code ?? -1, stdout, stderr }));
  });
}

describe("Python CQL driver (scylla-driver from PyPI)", () => {
  let cluster: TestCqlCluster;
  let skipReason = "";
  let result: { code: number; stdout: string; stderr: string };

  beforeAll(async () => {
    cluster = await startTestCqlCluster({
      ipPrefix: "127.0.19.",
      dcs: "dc1:2,dc2:2",
      cqlPort: PORT,
      auth: { username: "scylla", password: "pw" },
    });
    result = await runPython(cluster.nodes[0]!.ip, "scylla", "pw");
    if (result.code === 3) {
      skipReason = result.stderr.trim().split("\n").pop() ?? "python3/pip unavailable";
      console.warn(`SKIP python CQL client: ${skipReason}`);
    }
  }, 300_000);
  afterAll(async () => {
    await cluster?.close();
  });

  test("connects with credentials, discovers every peer and the schema", () => {
    if (skipReason) return;
    expect(result.code, result.stderr).toBe(0);
    const out = JSON.parse(result.stdout) as {
      protocol_version: number;
      hosts: Array<{ address: string; dc: string; rack: string }>;
      keyspaces: Record<string, string[]>;
      views: Record<string, string[]>;
      now: string;
    };
    expect(out.protocol_version).toBe(4);
    expect(out.hosts).toEqual(
      cluster.nodes
        .map((n) => ({ address: n.ip, dc: n.dc, rack: n.rack }))
        .sort((a, b) => a.address.localeCompare(b.address)),
    );
    const model = cluster.state.schema;
    for (const ks of model.keyspaces().filter((k) => !k.system)) {
      expect(out.keyspaces[ks.name]).toEqual(
        model
          .tables(ks.name)
          .filter((t) => !t.view)
          .map((t) => t.name)
          .sort(),
      );
      for (const v of model.views(ks.name)) expect(out.views[ks.name]).toContain(v.name);
    }
    expect(out.now).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-1[0-9a-f]{3}-/);
  });

  test("a wrong password fails with Scylla's message", async () => {
    if (skipReason) return;
    const bad = await runPython(cluster.nodes[0]!.ip, "scylla", "wrong");
    expect(bad.code).not.toBe(0);
    expect(bad.stderr).toContain("Username and/or password are incorrect");
  }, 60_000);
});
