/**
 * Clusters and status end to end: the emulator (2 DCs × 3 nodes on 127.0.32.x) with our agents, our REST app with
 * E's Manager, in one process.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import tls from "node:tls";
import type { NodeStatusJson } from "../../src/healthcheck/model.ts";
import type { Manager } from "../../src/manager/manager.ts";
import type { createApp } from "../../src/server/app.ts";
import type { Store } from "../../src/store/store.ts";
import { type EmulatedCluster, startCluster } from "../emulator/index.ts";
import { callApi, startInProcessServer } from "../support/in-process-server.ts";

const TOKEN = "e2e-cluster-token";
let cluster: EmulatedCluster;
let store: Store;
let manager: Manager;
let app: ReturnType<typeof createApp>;

beforeAll(async () => {
  cluster = await startCluster({ dcs: [3, 3], ipPrefix: "127.0.32.", agents: { authToken: TOKEN } });
  ({ store, manager, app } = await startInProcessServer());
}, 30_000);
afterAll(async () => {
  await manager?.close();
  await cluster?.close();
});

function call(method: string, path: string, body?: unknown) {
  return callApi(app, method, path, body);
}

async function status(cluster: string): Promise<{ ms: number; nodes: NodeStatusJson[] }> {
  const started = performance.now();
  const answer = await call("GET", `/cluster/${cluster}/status`);
  expect(answer.status).toBe(200);
  return { ms: performance.now() - started, nodes: answer.json };
}

describe("cluster add against the emulator", () => {
  test("any one node's IP discovers all six nodes, closest DC first", async () => {
    const created = await call("POST", "/clusters", { host: "127.0.32.5", name: "emu", auth_token: TOKEN });
    expect(created.status).toBe(201);
    const id = created.headers.get("Location")?.split("/").pop() ?? "";
    const record = await store.getCluster(id);
    expect(record?.knownHosts.slice().sort()).toEqual(cluster.nodes.map((n) => n.ip).sort());
    const tasks = await store.listTasks(id);
    expect(
      tasks
        .filter((t) => t.type === "healthcheck")
        .map((t) => t.name)
        .sort(),
    ).toEqual(["alternator", "cql", "rest"]);
    const { nodes } = await status("emu");
    expect(nodes.map((n) => [n.dc, n.host, n.status, n.cql_status, n.rest_status])).toEqual(
      cluster.nodes.map((n) => [n.dc, n.ip, "UN", "UP", "UP"]),
    );
    const byIp = new Map(cluster.nodes.map((n) => [n.ip, n.hostId]));
    for (const node of nodes) {
      expect(node.host_id).toBe(byIp.get(node.host) as string);
      expect(node.scylla_version).toStartWith("2025.1.0");
      expect(node.cpu_count).toBeGreaterThan(0);
    }
  });

  test("a wrong token fails with the auth_token hint; nothing stored", async () => {
    const before = (await store.listClusters()).length;
    const answer = await call("POST", "/clusters", { host: "127.0.32.1", name: "bad", auth_token: "nope" });
    expect(answer.status).toBe(400);
    expect(answer.json.message).toContain("make sure auth_token config option on nodes is set correctly");
    // SM's tip is part of the message and `details` stays empty, so sctool does not print the tip twice.
    expect(answer.json.details).toBe("");
    expect((await store.listClusters()).length).toBe(before);
  });

  test("an unreachable host fails with the port hint", async () => {
    const answer = await call("POST", "/clusters", { host: "127.0.32.99", name: "gone", auth_token: TOKEN });
    expect(answer.status).toBe(400);
    expect(answer.json.message).toContain("make sure the IP is correct and access to port 10001 is unblocked");
    expect(answer.json.details).toBe("");
  });
});

function agentFingerprint(ip: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = tls.connect({ host: ip, port: 10001, rejectUnauthorized: false }, () => {
      resolve(socket.getPeerCertificate().fingerprint256);
      socket.end();
    });
    socket.on("error", reject);
  });
}

describe("agent certificate pinning (beyond SM)", () => {
  test("the agents' fingerprints are accepted; a wrong one is refused before any request", async () => {
    const fingerprints = await Promise.all(cluster.nodes.map((n) => agentFingerprint(n.ip)));
    const pinned = await call("POST", "/clusters", {
      host: "127.0.32.1",
      name: "pinned",
      auth_token: TOKEN,
      agent_cert_fingerprint: fingerprints.join(","),
    });
    expect(pinned.status).toBe(201);
    const { nodes } = await status("pinned");
    expect(nodes.map((n) => n.rest_status)).toEqual(cluster.nodes.map(() => "UP"));
    const wrong = await call("POST", "/clusters", {
      host: "127.0.32.1",
      name: "wrong-pin",
      auth_token: TOKEN,
      agent_cert_fingerprint: "AB".repeat(32),
    });
    expect(wrong.status).toBe(400);
    expect(wrong.json.message).toContain("does not match the pinned");
    expect(wrong.json.message).toContain("agent_cert_fingerprint");
    await call("DELETE", "/cluster/pinned");
  });
});

describe("status against the emulator", () => {
  test("a blackholed REST port is TIMEOUT within the 1 s budget; other nodes unaffected", async () => {
    const victim = cluster.nodes[1]?.ip as string;
    await cluster.faults.blackhole(victim, "rest");
    try {
      const { ms, nodes } = await status("emu");
      const node = nodes.find((n) => n.host === victim);
      expect(node?.rest_status).toBe("TIMEOUT");
      expect(node?.cql_status).toBe("UP");
      for (const other of nodes.filter((n) => n.host !== victim)) expect(other.rest_status).toBe("UP");
      // Budget: max_timeout (1 s) plus generous slack for a loaded test machine.
      expect(ms).toBeLessThan(3_000);
    } finally {
      await cluster.faults.unblackhole(victim, "rest");
    }
  });

  test("a stopped node is DN with nothing pinged; the others stay UP", async () => {
    const victim = cluster.nodes[5]?.ip as string;
    await cluster.faults.stopNode(victim);
    try {
      const { nodes } = await status("emu");
      const node = nodes.find((n) => n.host === victim);
      expect(node).toMatchObject({ status: "DN", cql_status: "", rest_status: "", alternator_status: "" });
      for (const other of nodes.filter((n) => n.host !== victim)) {
        expect([other.status, other.cql_status, other.rest_status]).toEqual(["UN", "UP", "UP"]);
      }
    } finally {
      await cluster.faults.startNode(victim);
    }
  });
});
