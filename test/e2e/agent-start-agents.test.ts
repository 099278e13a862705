import { afterAll, beforeAll, expect, test } from "bun:test";
import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type FakeScylla, startFakeScylla } from "../../agent/testing/fake-scylla.ts";
import { type EmulatedAgents, startAgents } from "../emulator/agents.ts";

// startAgents against two fake Scylla nodes (the emulator e2e lives in agent-emulator.test.ts).
const ips = ["127.0.21.1", "127.0.21.2"];
let root: string;
let scyllas: FakeScylla[];
let agents: EmulatedAgents;

beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), "agents-"));
  scyllas = ips.map((ip) => {
    const dataDir = join(root, ip);
    mkdirSync(dataDir);
    return startFakeScylla({ hostname: ip, dataDir });
  });
  agents = await startAgents(
    { nodes: scyllas.map((s, i) => ({ ip: ips[i] ?? "", restPort: s.port, dataDir: join(root, ips[i] ?? "") })) },
    { authToken: "tok" },
  );
});
afterAll(async () => {
  await agents.close();
  await Promise.all(scyllas.map((s) => s.close()));
  rmSync(root, { recursive: true, force: true });
});

test("one agent per node on <ip>:10001 with the node's data dir", async () => {
  for (const [i, ip] of ips.entries()) {
    const res = await fetch(`https://${ip}:10001/agent/node_info`, {
      headers: { authorization: "Bearer tok" },
      tls: { rejectUnauthorized: false },
    } as RequestInit);
    expect(res.status).toBe(200);
    const info = (await res.json()) as { listen_address: string; data_directory: string };
    expect(info.listen_address).toBe(ip);
    expect(info.data_directory).toBe(join(root, ips[i] ?? ""));
  }
  expect(agents.byIp.get("127.0.21.2")?.url).toBe("https://127.0.21.2:10001");
});
