import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { createHash, createHmac } from "node:crypto";
import { SignatureV4 } from "@smithy/signature-v4";
import { fromNodeContext } from "../cql/adapter.ts";
import { startTestCqlCluster, type TestCqlCluster } from "../cql/testing.ts";
import { type AlternatorServer, startAlternatorForView } from "./server.ts";

/** SHA-256 in the shape @smithy/signature-v4 expects (with HMAC when given a secret). */
type Source = string | ArrayBuffer | ArrayBufferView;
const toBuffer = (d: Source) =>
  typeof d === "string"
    ? Buffer.from(d)
    : ArrayBuffer.isView(d)
      ? Buffer.from(d.buffer, d.byteOffset, d.byteLength)
      : Buffer.from(d);
class Sha256 {
  private readonly h;
  constructor(secret?: Source) {
    this.h = secret === undefined ? createHash("sha256") : createHmac("sha256", toBuffer(secret));
  }
  update(data: Source): void {
    this.h.update(toBuffer(data));
  }
  async digest(): Promise<Uint8Array> {
    return new Uint8Array(this.h.digest());
  }
}

const IP = "127.0.19.";
const SCAN = JSON.stringify({ TableName: ".scylla.alternator.system_schema.tables", Limit: 1 });

async function call(
  port: number,
  target: string,
  body: string,
  creds?: { accessKeyId: string; secretAccessKey: string },
) {
  const headers: Record<string, string> = {
    host: `${IP}1:${port}`,
    "content-type": "application/x-amz-json-1.0",
    "x-amz-target": `DynamoDB_20120810.${target}`,
  };
  let signed = headers;
  if (creds) {
    const signer = new SignatureV4({ credentials: creds, region: "scylla", service: "dynamodb", sha256: Sha256 });
    const req = await signer.sign({
      method: "POST",
      protocol: "http:",
      hostname: `${IP}1`,
      port,
      path: "/",
      headers,
      body,
    });
    signed = req.headers as Record<string, string>;
  }
  const res = await fetch(`http://${IP}1:${port}/`, { method: "POST", headers: signed, body });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

describe("Alternator", () => {
  let cluster: TestCqlCluster;
  let open: AlternatorServer;
  let enforced: AlternatorServer;

  beforeAll(async () => {
    cluster = await startTestCqlCluster({
      ipPrefix: IP,
      dcs: "dc1:1",
      cqlPort: 9045,
      auth: { username: "alt", password: "s3cret" },
    });
    cluster.state.schema.createKeyspace(
      {
        name: "alternator_orders",
        replication: { class: "org.apache.cassandra.locator.NetworkTopologyStrategy", dc1: "1" },
        durableWrites: true,
        tablets: false,
      },
      false,
    );
    cluster.state.schema.createTable(
      {
        keyspace: "alternator_orders",
        name: "orders",
        columns: [{ name: "p", type: "blob", kind: "partition_key", position: 0, clusteringOrder: "none" }],
        options: {},
        extensions: {},
      },
      false,
    );
    const view = fromNodeContext(cluster.nodes[0]!);
    open = await startAlternatorForView(view, { port: 8000, enforceAuthorization: false });
    enforced = await startAlternatorForView(view, { port: 8001, httpsPort: 8100, enforceAuthorization: true });
  });
  afterAll(async () => {
    await open?.close();
    await enforced?.close();
    await cluster?.close();
  });

  test("GET / answers 200 on HTTP and HTTPS", async () => {
    const res = await fetch(`http://${IP}1:8000/`);
    expect(res.status).toBe(200);
    expect(await res.text()).toContain("healthy");
    const https = await fetch(`https://${IP}1:8100/`, { tls: { rejectUnauthorized: false } } as RequestInit);
    expect(https.status).toBe(200);
  });

  test("the health ping's Scan with Limit 1 returns one item when authorization is not enforced", async () => {
    const res = await call(8000, "Scan", SCAN);
    expect(res.status).toBe(200);
    expect(res.body.Count).toBe(1);
    expect(res.body.LastEvaluatedKey).toBeDefined();
  });

  test("ListTables lists Alternator tables only", async () => {
    const res = await call(8000, "ListTables", "{}");
    expect(res.body).toEqual({ TableNames: ["orders"] });
  });

  test("with enforcement, unsigned, unknown-user and wrong-secret requests are refused like Scylla", async () => {
    const unsigned = await call(8001, "Scan", SCAN);
    expect(unsigned.status).toBe(400);
    expect(String(unsigned.body.__type)).toEndWith("MissingAuthenticationTokenException");
    const unknown = await call(8001, "Scan", SCAN, { accessKeyId: "nobody", secretAccessKey: "x" });
    expect(unknown.body.message).toBe("User not found: nobody");
    const wrong = await call(8001, "Scan", SCAN, { accessKeyId: "alt", secretAccessKey: "wrong" });
    expect(wrong.body.message).toBe("The security token included in the request is invalid.");
    const right = await call(8001, "Scan", SCAN, { accessKeyId: "alt", secretAccessKey: "s3cret" });
    expect(right.status).toBe(200);
    expect(right.body.Count).toBe(1);
  });

  test("unknown operations and tables are DynamoDB errors", async () => {
    const op = await call(8000, "PutItem", "{}");
    expect(op.status).toBe(400);
    expect(String(op.body.__type)).toEndWith("UnknownOperationException");
    const missing = await call(8000, "Scan", JSON.stringify({ TableName: "nope" }));
    expect(String(missing.body.__type)).toEndWith("ResourceNotFoundException");
  });
});
