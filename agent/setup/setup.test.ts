import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createSilentLogger } from "../../src/util/log.ts";
import { type EmulatedCluster, startCluster } from "../../test/emulator/index.ts";
import { callApi, type InProcessServer, startInProcessServer } from "../../test/support/in-process-server.ts";
import { loadAgentConfig } from "../config.ts";
import { type RunningAgent, startAgent } from "../server.ts";
import { readSetupKeys } from "./config-file.ts";
import { runAgentSetup, writeCertificatePair } from "./setup.ts";
import { generateAuthToken } from "./token.ts";

const dir = mkdtempSync(join(tmpdir(), "sm-agent-setup-"));
let cluster: EmulatedCluster;
let server: InProcessServer;
const agents: RunningAgent[] = [];

beforeAll(async () => {
  cluster = await startCluster({ dcs: "dc1:3", ipPrefix: "127.9.1.", dir: join(dir, "emu") });
  server = await startInProcessServer();
}, 60_000);
afterAll(async () => {
  await Promise.all(agents.map((agent) => agent.close()));
  await server?.manager.close();
  await cluster?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe("token-gen", () => {
  test("128 characters of [a-zA-Z0-9], different every time", () => {
    const a = generateAuthToken();
    expect(a).toMatch(/^[a-zA-Z0-9]{128}$/);
    expect(generateAuthToken()).not.toBe(a);
  });
});

describe("agent setup", () => {
  test("a fresh config with a generated token works with the server on the first try", async () => {
    const lines: string[] = [];
    const configs: string[] = [];
    let token = "";
    for (const node of cluster.nodes) {
      const file = join(dir, `agent-${node.ip}.yaml`);
      writeFileSync(
        file,
        `# operator's note stays\nhttps: ${node.ip}:10001\nprometheus: ""\ndebug: ""\nscylla:\n  api_address: ${node.ip}\n  api_port: ${node.restPort}\n`,
      );
      const code = await runAgentSetup({
        configFile: file,
        ...(token ? { authToken: token } : {}),
        out: (line) => lines.push(line),
      });
      expect(code).toBe(0);
      token = readSetupKeys(file).authToken;
      configs.push(file);
    }
    expect(lines).toContain("auth_token: generated");
    expect(lines.filter((line) => line.startsWith("Scylla REST API: OK")).length).toBe(3);
    expect(readFileSync(configs[0] ?? "", "utf8")).toContain("# operator's note stays");
    expect(statSync(configs[0] ?? "").mode & 0o777).toBe(0o640);

    for (const [index, node] of cluster.nodes.entries()) {
      agents.push(
        await startAgent(loadAgentConfig([configs[index] ?? ""]), {
          logger: createSilentLogger(),
          configFiles: [configs[index] ?? ""],
          scyllaOverrides: { data_directory: node.dataDir },
          defaultMetrics: false,
          pinCpu: false,
          cloudMetadata: { awsUrl: "http://127.0.0.1:9", gcpUrl: "http://127.0.0.1:9", azureUrl: "http://127.0.0.1:9" },
          terminate: () => {},
        }),
      );
    }
    const added = await callApi(server.app, "POST", "/clusters", {
      host: cluster.nodes[0]?.ip,
      auth_token: token,
      name: "set-up",
    });
    expect(added.status).toBe(201);
  }, 120_000);

  test("an unreachable Scylla REST API fails the check with the fix", async () => {
    const file = join(dir, "unreachable.yaml");
    writeFileSync(file, "scylla:\n  api_address: 127.9.1.99\n  api_port: 10000\n");
    const lines: string[] = [];
    const code = await runAgentSetup({ configFile: file, checkTimeoutMs: 2000, out: (line) => lines.push(line) });
    expect(code).toBe(1);
    expect(lines.join("\n")).toMatch(/Scylla REST API: FAILED at http:\/\/127\.9\.1\.99:10000\/.*\n {2}fix: /);
  }, 30_000);

  test("--tls-cert-dir writes a certificate pair the agent config then names; ssl-cert-gen never overwrites", async () => {
    const file = join(dir, "tls.yaml");
    const certs = join(dir, "certs");
    writeFileSync(file, `scylla:\n  api_address: ${cluster.nodes[0]?.ip}\n  api_port: ${cluster.nodes[0]?.restPort}\n`);
    expect(await runAgentSetup({ configFile: file, tlsCertDir: certs, out: () => {} })).toBe(0);
    const keys = readSetupKeys(file);
    expect(readFileSync(keys.tlsCertFile, "utf8")).toContain("BEGIN CERTIFICATE");
    expect(statSync(keys.tlsKeyFile).mode & 0o777).toBe(0o600);
    const lines: string[] = [];
    expect(await writeCertificatePair(certs, ["node1"], (line) => lines.push(line))).toBe(1);
    expect(lines[0]).toContain("exists");
  }, 60_000);
});
