import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { mkdirSync, readdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { type EmulatedCluster, startCluster } from "../emulator/index.ts";

// Our agent in front of the emulator: the calls SM makes through it, end to end.
const TOKEN = "e2e-token";
let cluster: EmulatedCluster;

beforeAll(async () => {
  cluster = await startCluster({
    dcs: [2],
    ipPrefix: "127.0.23.",
    agents: { authToken: TOKEN },
    scyllaVersion: "2025.1.0",
  });
}, 20_000);
afterAll(async () => {
  await cluster?.close();
});

function agent(ip: string, path: string, init: RequestInit = {}): Promise<Response> {
  const headers = new Headers(init.headers);
  headers.set("authorization", `Bearer ${TOKEN}`);
  return fetch(`https://${ip}:10001${path}`, { ...init, headers, tls: { rejectUnauthorized: false } } as RequestInit);
}

describe("agent in front of the emulator", () => {
  test("node_info reads the node's config with SM's types", async () => {
    for (const node of cluster.nodes) {
      const res = await agent(node.ip, "/agent/node_info");
      expect(res.status).toBe(200);
      const info = (await res.json()) as Record<string, unknown>;
      expect(info.listen_address).toBe(node.ip);
      expect(info.api_address).toBe(node.ip);
      expect(info.api_port).toBe(String(node.restPort));
      expect(info.native_transport_port).toBe(String(node.cqlPort));
      expect(info.data_directory).toBe(node.dataDir);
      expect(String(info.scylla_version)).toStartWith("2025.1.0");
      // Booleans are true or absent, strings non-empty or absent: SM's agent omits zero values.
      for (const key of [
        "client_encryption_enabled",
        "cql_password_protected",
        "enable_tablets",
        "sstable_uuid_format",
      ]) {
        expect(info[key] === undefined || info[key] === true).toBe(true);
      }
      for (const key of [
        "native_transport_port_ssl",
        "prometheus_port",
        "rpc_port",
        "alternator_port",
        "alternator_https_port",
      ]) {
        expect(info[key] === undefined || (typeof info[key] === "string" && info[key] !== "")).toBe(true);
      }
      expect(info.storage_size as number).toBeGreaterThan(0);
      // Scylla reports its SSL port even when client encryption is off (the emulator must not answer 400 there).
      expect(info.native_transport_port_ssl).toBe("9142");
    }
  });

  test("Scylla REST calls pass through unchanged", async () => {
    const node = cluster.nodes[0];
    if (node === undefined) throw new Error("no node");
    const direct = await (await fetch(`http://${node.ip}:${node.restPort}/storage_service/host_id`)).json();
    const proxied = await agent(node.ip, "/storage_service/host_id");
    expect(proxied.status).toBe(200);
    expect(await proxied.json()).toEqual(direct);
    const dc = await agent(node.ip, `/snitch/datacenter?host=${node.ip}`);
    expect(await dc.json()).toBe(node.dc);
  });

  test("/metrics proxies the node's Prometheus endpoint", async () => {
    const node = cluster.nodes[0];
    if (node === undefined) throw new Error("no node");
    const res = await agent(node.ip, "/metrics?name=database_total_writes");
    expect(res.status).toBe(200);
    expect(await res.text()).toContain("scylla_database_total_writes");
  });

  test("rc lists and uploads from the node's data dir", async () => {
    const node = cluster.nodes[1];
    if (node === undefined) throw new Error("no node");
    const snap = "ks1/t1-0123456789abcdef0123456789abcdef/snapshots/sm_20250101000000UTC";
    mkdirSync(join(node.dataDir, snap), { recursive: true });
    writeFileSync(join(node.dataDir, snap, "me-1-big-Data.db"), "data");
    const res = await agent(node.ip, "/agent/rclone/operations/list", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ fs: "data:", remote: snap }),
    });
    const list = (await res.json()) as { list: Array<{ Name: string; Size: number }> };
    expect(list.list).toEqual([expect.objectContaining({ Name: "me-1-big-Data.db", Size: 4 })]);
    expect(readdirSync(join(node.dataDir, snap))).toEqual(["me-1-big-Data.db"]);
  });

  test("a stopped node's REST API gives 502 with an empty body through its agent", async () => {
    const node = cluster.nodes[1];
    if (node === undefined) throw new Error("no node");
    await cluster.faults.stopNode(node.ip);
    try {
      const res = await agent(node.ip, "/storage_service/host_id");
      expect(res.status).toBe(502);
      expect(await res.text()).toBe("");
    } finally {
      await cluster.faults.startNode(node.ip);
    }
    expect((await agent(node.ip, "/storage_service/host_id")).status).toBe(200);
  });
});
