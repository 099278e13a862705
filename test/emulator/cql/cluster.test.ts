/** The CQL server and Alternator as B1's startCluster wires them into every node. */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { connect } from "node:net";
import { auth, Client } from "cassandra-driver";
import { type EmulatedCluster, startCluster } from "../index.ts";

/** Sends the health check's 9-byte OPTIONS frame; resolves with the response opcode or the failure. */
function rawPing(ip: string, port: number): Promise<number | string> {
  return new Promise((resolve) => {
    const s = connect(port, ip, () => s.write(Buffer.from([4, 0, 0, 0, 5, 0, 0, 0, 0])));
    s.setTimeout(1000, () => {
      s.destroy();
      resolve("timeout");
    });
    s.on("data", (d: Buffer) => {
      s.destroy();
      resolve(d[4] ?? -1);
    });
    s.on("error", (e: NodeJS.ErrnoException) => resolve(e.code ?? e.message));
  });
}

describe("CQL and Alternator in a cluster started by startCluster", () => {
  let cluster: EmulatedCluster;
  beforeAll(async () => {
    cluster = await startCluster({
      dcs: "dc1:2,dc2:1",
      ipPrefix: "127.0.17.",
      auth: "cassandra:secret",
      alternator: true,
      tokensPerNode: 16,
    });
  }, 20_000);
  afterAll(async () => {
    await cluster?.close();
  });

  test("every node answers the raw OPTIONS ping and Alternator's GET /", async () => {
    for (const n of cluster.nodes) {
      expect(await rawPing(n.ip, n.cqlPort)).toBe(0x06);
      expect((await fetch(`http://${n.ip}:8000/`)).status).toBe(200);
    }
  });

  test("a driver logs in, sees every node, and a stopped node refuses then comes back", async () => {
    const client = new Client({
      contactPoints: [cluster.nodes[0]!.ip],
      localDataCenter: "dc1",
      authProvider: new auth.PlainTextAuthProvider("cassandra", "secret"),
    });
    await client.connect();
    try {
      expect(client.hosts.length).toBe(3);
      const victim = cluster.nodes[2]!;
      await cluster.faults.stopNode(victim.ip);
      expect(await rawPing(victim.ip, victim.cqlPort)).toBe("ECONNREFUSED");
      await cluster.faults.startNode(victim.ip);
      expect(await rawPing(victim.ip, victim.cqlPort)).toBe(0x06);
      await cluster.faults.blackhole(victim.ip, "cql");
      expect(await rawPing(victim.ip, victim.cqlPort)).toBe("timeout");
      await cluster.faults.unblackhole(victim.ip, "cql");
      const peers = await client.execute("SELECT peer FROM system.peers");
      expect(peers.rowLength).toBe(2);
    } finally {
      await client.shutdown();
    }
  });
});
