import { describe, expect, test } from "bun:test";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startCluster } from "./index.ts";

describe("startCluster", () => {
  test("writes cluster.json, creates data dirs, loads a --schema file; close frees the ports for a restart", async () => {
    const dir = mkdtempSync(join(tmpdir(), "emu-index-"));
    try {
      const schemaFile = join(dir, "schema.yaml");
      writeFileSync(
        schemaFile,
        "keyspaces:\n  - name: shop\n    replication: {class: NetworkTopologyStrategy, dc1: 2}\n    tables:\n      - {name: orders, size: 3MiB}\n",
      );
      const first = await startCluster({
        dcs: [2],
        dir,
        ipPrefix: "127.0.12.",
        schema: schemaFile,
        seed: 9,
        tokensPerNode: 4,
      });
      const doc = JSON.parse(readFileSync(join(dir, "cluster.json"), "utf8")) as {
        control: string;
        nodes: Array<Record<string, unknown>>;
      };
      expect(doc.control).toBe(first.controlUrl);
      expect(doc.nodes).toEqual(
        first.nodes.map((n) => ({
          ip: n.ip,
          dc: "dc1",
          rack: n.rack,
          host_id: n.hostId,
          rest_port: 10000,
          cql_port: 9042,
          prometheus_port: 9180,
          data_dir: join(dir, n.ip, "data"),
        })),
      );
      for (const n of first.nodes) expect(existsSync(n.dataDir)).toBe(true);
      const ip = first.nodes[0]?.ip;
      expect(await (await fetch(`http://${ip}:10000/storage_service/keyspaces?type=user`)).json()).toEqual(["shop"]);
      // Bytes of the live SSTable files on disk: the schema's 3 MiB of data plus the small components.
      const tableDir = readdirSync(join(first.nodes[0]!.dataDir, "shop")).find((d) => d.startsWith("orders-"))!;
      const tablePath = join(first.nodes[0]!.dataDir, "shop", tableDir);
      const onDisk = readdirSync(tablePath, { withFileTypes: true })
        .filter((e) => e.isFile())
        .reduce((sum, e) => sum + statSync(join(tablePath, e.name)).size, 0);
      const reported = await (
        await fetch(`http://${ip}:10000/column_family/metrics/total_disk_space_used/shop:orders`)
      ).json();
      expect(reported).toBe(onDisk);
      expect(reported).toBeGreaterThanOrEqual(3 * 1024 * 1024);
      const metrics = await (await fetch(`http://${ip}:9180/metrics?name=memory_total_memory`)).text();
      expect(metrics.match(/^scylla_memory_total_memory\{shard="\d+"\} \d+$/gm)?.length).toBe(2);
      expect(metrics).not.toContain("scylla_database_total_writes");
      const hostIds = first.nodes.map((n) => n.hostId);
      await first.close();
      await expect(fetch(`http://${ip}:10000/storage_service/host_id`)).rejects.toThrow();
      const again = await startCluster({ dcs: [2], dir, ipPrefix: "127.0.12.", seed: 9, tokensPerNode: 4 });
      expect(again.nodes.map((n) => n.hostId)).toEqual(hostIds);
      await again.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test("bad options are named", async () => {
    await expect(startCluster({ dcs: "dc1:zero" })).rejects.toThrow(/invalid --dcs part/);
    await expect(startCluster({ dcs: [1], ipPrefix: "127.0.12" })).rejects.toThrow(/invalid IP prefix/);
    await expect(startCluster({ dcs: [1], auth: "nopass" })).rejects.toThrow(/USER:PASS/);
    await expect(startCluster({ dcs: [1], scyllaVersion: "master" })).rejects.toThrow(/scylla-version/);
  });
});

test("a second cluster on the same IPs fails with a message naming the port; close is idempotent", async () => {
  const one = await startCluster({ dcs: [1], ipPrefix: "127.0.12.", tokensPerNode: 2, cql: false });
  try {
    await expect(startCluster({ dcs: [1], ipPrefix: "127.0.12.", tokensPerNode: 2, cql: false })).rejects.toThrow(
      /cannot listen on 127\.0\.12\.1 (rest|prometheus) port/,
    );
  } finally {
    await one.close();
    await one.close();
  }
});

test("with enable_tablets off the default tablet keyspace uses vnodes and the replication lists stay disjoint", async () => {
  const c = await startCluster({ dcs: [1], ipPrefix: "127.0.12.", tokensPerNode: 2, cql: false, tablets: false });
  try {
    const get = async (path: string) => (await fetch(`http://${c.nodes[0]?.ip}:10000${path}`)).json();
    expect(await get("/storage_service/keyspaces?replication=tablets")).toEqual([]);
    expect(await get("/storage_service/keyspaces?replication=vnodes")).toContain("tablet_ks");
    expect(await get("/v2/config/enable_tablets")).toBe(false);
    expect(() =>
      c.schema.createKeyspace(
        {
          name: "t2",
          replication: { class: "org.apache.cassandra.locator.NetworkTopologyStrategy", dc1: "1" },
          durableWrites: true,
          tablets: true,
        },
        false,
      ),
    ).toThrow(/tablets are disabled/);
  } finally {
    await c.close();
  }
});
