import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { connect as tlsConnect } from "node:tls";
import { Client } from "cassandra-driver";
import { generate } from "selfsigned";
import { startTestCqlCluster, type TestCqlCluster } from "./testing.ts";

const IP = "127.0.18.";

async function makeCerts() {
  const now = Date.now();
  const validity = { notBeforeDate: new Date(now - 3600_000), notAfterDate: new Date(now + 86400_000) };
  const ca = await generate([{ name: "commonName", value: "emulator-ca" }], {
    keyType: "ec",
    curve: "P-256",
    algorithm: "sha256",
    ...validity,
    extensions: [
      { name: "basicConstraints", cA: true },
      { name: "keyUsage", digitalSignature: true, keyCertSign: true },
      { name: "extKeyUsage", serverAuth: true, clientAuth: true },
      { name: "subjectAltName", altNames: [{ type: 7 as const, ip: `${IP}1` }] },
    ],
  });
  const client = await generate([{ name: "commonName", value: "manager" }], {
    keyType: "ec",
    curve: "P-256",
    algorithm: "sha256",
    ...validity,
    ca: { key: ca.private, cert: ca.cert },
    extensions: [{ name: "extKeyUsage", clientAuth: true }],
  });
  return { ca, client };
}

/** Opens TLS, sends the 9-byte OPTIONS frame and returns the response opcode, or the error text. */
function tlsPing(port: number, cert?: { cert: string; key: string }): Promise<number | string> {
  return new Promise((resolve) => {
    const s = tlsConnect({ host: `${IP}1`, port, rejectUnauthorized: false, ...cert }, () => {
      s.write(Buffer.from([4, 0, 0, 0, 5, 0, 0, 0, 0]));
    });
    s.setTimeout(5000, () => {
      s.destroy();
      resolve("timeout");
    });
    s.on("data", (d: Buffer) => {
      s.destroy();
      resolve(d[4] ?? -1);
    });
    s.on("error", (e: Error) => resolve(e.message));
    s.on("close", () => resolve("closed"));
  });
}

describe("CQL over TLS with client certificates", () => {
  let cluster: TestCqlCluster;
  let certs: Awaited<ReturnType<typeof makeCerts>>;

  beforeAll(async () => {
    certs = await makeCerts();
    cluster = await startTestCqlCluster({
      ipPrefix: IP,
      dcs: "dc1:1",
      schema: null,
      cqlPort: 9044,
      tls: {
        enabled: true,
        certificate: certs.ca.cert,
        key: certs.ca.private,
        ca: certs.ca.cert,
        requireClientAuth: true,
        certificatePath: "/etc/scylla/db.crt",
        keyfilePath: "/etc/scylla/db.key",
      },
    });
  });
  afterAll(async () => {
    await cluster?.close();
  });

  test("the SSL port serves TLS and answers the OPTIONS ping with a client certificate", async () => {
    expect(cluster.servers[0]!.sslPort).toBe(9142);
    expect(await tlsPing(9142, { cert: certs.client.cert, key: certs.client.private })).toBe(0x06);
  });

  test("without a client certificate the handshake is refused", async () => {
    const result = await tlsPing(9142);
    expect(result).not.toBe(0x06);
  });

  test("the DataStax driver connects with the client certificate", async () => {
    const client = new Client({
      contactPoints: [`${IP}1`],
      localDataCenter: "dc1",
      protocolOptions: { port: 9142 },
      sslOptions: {
        rejectUnauthorized: true,
        ca: [certs.ca.cert],
        cert: certs.client.cert,
        key: certs.client.private,
        host: `${IP}1`,
      },
    });
    await client.connect();
    const res = await client.execute("SELECT release_version FROM system.local WHERE key='local'");
    expect(res.rows[0]?.release_version).toBe("3.0.8");
    await client.shutdown();
  });
});
