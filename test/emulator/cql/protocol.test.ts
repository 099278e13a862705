import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { connect, type Socket } from "node:net";
import { BodyReader, BodyWriter } from "./codec/buffer.ts";
import { encodeRequest, type Frame, FrameDecoder, Opcode } from "./frame.ts";
import { startTestCqlCluster, type TestCqlCluster } from "./testing.ts";

/** A raw protocol client: sends frames, collects response frames. */
class RawClient {
  private readonly decoder = new FrameDecoder();
  private readonly frames: Frame[] = [];
  private waiters: Array<() => void> = [];
  private constructor(readonly socket: Socket) {
    socket.on("data", (chunk: Buffer) => {
      this.frames.push(...this.decoder.push(chunk));
      for (const w of this.waiters.splice(0)) w();
    });
  }
  static open(ip: string, port = 9042): Promise<RawClient> {
    return new Promise((resolve, reject) => {
      const s = connect(port, ip, () => resolve(new RawClient(s)));
      s.on("error", reject);
    });
  }
  async next(): Promise<Frame> {
    const deadline = Date.now() + 5000;
    while (this.frames.length === 0) {
      if (Date.now() > deadline) throw new Error("no response within 5 s");
      await new Promise<void>((r) => {
        this.waiters.push(r);
        setTimeout(r, 100);
      });
    }
    return this.frames.shift()!;
  }
  async request(version: number, stream: number, opcode: number, body: Buffer = Buffer.alloc(0)): Promise<Frame> {
    this.socket.write(encodeRequest(version, stream, opcode, body));
    return this.next();
  }
  close(): void {
    this.socket.destroy();
  }
}

const startup = (cqlVersion = "3.0.0") => new BodyWriter().short(1).string("CQL_VERSION").string(cqlVersion).toBuffer();
const query = (q: string, version = 4) => {
  const w = new BodyWriter().longString(q).short(0x0001).byte(0);
  void version;
  return w.toBuffer();
};
const errorOf = (f: Frame) => {
  const r = new BodyReader(f.body);
  return { code: r.int(), message: r.string() };
};

describe("CQL wire protocol", () => {
  let cluster: TestCqlCluster;
  let ip: string;
  beforeAll(async () => {
    cluster = await startTestCqlCluster({ ipPrefix: "127.0.18.", dcs: "dc1:1", schema: null });
    ip = cluster.nodes[0]!.ip;
  });
  afterAll(async () => {
    await cluster?.close();
  });

  test("the health check's raw 9-byte OPTIONS frame gets SUPPORTED with Scylla's options, a shard per connection", async () => {
    const c = await RawClient.open(ip);
    c.socket.write(Buffer.from([0x04, 0x00, 0x00, 0x00, 0x05, 0x00, 0x00, 0x00, 0x00]));
    const f = await c.next();
    c.close();
    expect(f.version).toBe(4);
    expect(f.opcode).toBe(0x06);
    const r = new BodyReader(f.body);
    const n = r.short();
    const opts: Record<string, string[]> = {};
    for (let i = 0; i < n; i++) opts[r.string()] = r.stringList();
    expect(opts.CQL_VERSION).toEqual(["3.3.1"]);
    expect(opts.COMPRESSION).toEqual([]);
    expect(opts).toMatchObject({
      SCYLLA_NR_SHARDS: ["2"],
      SCYLLA_SHARDING_ALGORITHM: ["biased-token-round-robin"],
      SCYLLA_SHARDING_IGNORE_MSB: ["12"],
      SCYLLA_PARTITIONER: ["org.apache.cassandra.dht.Murmur3Partitioner"],
      SCYLLA_LWT_ADD_METADATA_MARK: ["LWT_OPTIMIZATION_META_BIT_MASK=2147483648"],
      SCYLLA_RATE_LIMIT_ERROR: ["ERROR_CODE=61440"],
    });
    expect(opts.SCYLLA_SHARD_AWARE_PORT).toBeUndefined();
    // Connections are spread over the node's shards: two more connections land on both shards.
    const shards = new Set<string>([opts.SCYLLA_SHARD?.[0] ?? ""]);
    for (let k = 0; k < 2; k++) {
      const other = await RawClient.open(ip);
      const g = await other.request(4, 1, Opcode.Options);
      other.close();
      const rr = new BodyReader(g.body);
      const m = rr.short();
      for (let i = 0; i < m; i++) {
        const key = rr.string();
        const values = rr.stringList();
        if (key === "SCYLLA_SHARD") shards.add(values[0] ?? "");
      }
    }
    expect([...shards].sort()).toEqual(["0", "1"]);
  });

  test("a v5 request gets a protocol error in a v4 frame so drivers downgrade", async () => {
    const c = await RawClient.open(ip);
    const f = await c.request(5, 3, Opcode.Options);
    c.close();
    expect(f.version).toBe(4);
    expect(f.stream).toBe(3);
    expect(f.opcode).toBe(Opcode.Error);
    expect(errorOf(f)).toMatchObject({
      code: 0x000a,
      message: expect.stringContaining("Invalid or unsupported protocol version"),
    });
  });

  test("v3 connections get v3 frames, stream ids echo, and queries before STARTUP are refused", async () => {
    const c = await RawClient.open(ip);
    const early = await c.request(3, 7, Opcode.Query, query("SELECT key FROM system.local"));
    expect(early.opcode).toBe(Opcode.Error);
    expect(errorOf(early).code).toBe(0x000a);
    const ready = await c.request(3, 9, Opcode.Startup, startup());
    expect(ready).toMatchObject({ version: 3, stream: 9, opcode: Opcode.Ready });
    const rows = await c.request(
      3,
      300,
      Opcode.Query,
      query("SELECT key, cluster_name FROM system.local WHERE key='local'"),
    );
    expect(rows).toMatchObject({ version: 3, stream: 300, opcode: Opcode.Result });
    const r = new BodyReader(rows.body);
    expect(r.int()).toBe(2);
    c.close();
  });

  test("STARTUP without CQL_VERSION and a mixed-version frame are protocol errors", async () => {
    const c = await RawClient.open(ip);
    const bad = await c.request(4, 1, Opcode.Startup, new BodyWriter().short(0).toBuffer());
    expect(errorOf(bad)).toEqual({ code: 0x000a, message: "Missing value CQL_VERSION in STARTUP message" });
    const mixed = await c.request(3, 2, Opcode.Options);
    expect(mixed.opcode).toBe(Opcode.Error);
    c.close();
  });

  test("every unsupported statement answers an error frame promptly", async () => {
    const c = await RawClient.open(ip);
    await c.request(4, 1, Opcode.Startup, startup());
    const statements = [
      "UPDATE ks.t SET a = 1 WHERE k = 1",
      "TRUNCATE system.local",
      "GRANT SELECT ON ALL KEYSPACES TO bob",
      "SELECT * FROM nope.t",
      "CREATE TABLE t (a int PRIMARY KEY)",
      "DROP KEYSPACE system",
      "SELECT writetime(x) FROM system.local",
      "garbage",
      "",
    ];
    const codes: number[] = [];
    for (const [i, s] of statements.entries()) {
      const f = await c.request(4, i + 10, Opcode.Query, query(s));
      expect(f.opcode).toBe(Opcode.Error);
      codes.push(errorOf(f).code);
    }
    expect(codes).toEqual([0x2200, 0x2100, 0x2200, 0x2200, 0x2200, 0x2100, 0x2200, 0x2000, 0x2000]);
    c.close();
  });

  test("REGISTER gets READY and schema changes are pushed as events on stream -1", async () => {
    const c = await RawClient.open(ip);
    await c.request(4, 1, Opcode.Startup, startup());
    const reg = await c.request(4, 2, Opcode.Register, new BodyWriter().stringList(["SCHEMA_CHANGE"]).toBuffer());
    expect(reg.opcode).toBe(Opcode.Ready);
    const res = await c.request(
      4,
      3,
      Opcode.Query,
      query("CREATE KEYSPACE ev WITH replication = {'class': 'SimpleStrategy', 'replication_factor': 1}"),
    );
    const frames = [res, await c.next()];
    const event = frames.find((f) => f.opcode === Opcode.Event)!;
    const result = frames.find((f) => f.opcode === Opcode.Result)!;
    expect(event.stream).toBe(-1);
    const er = new BodyReader(event.body);
    expect([er.string(), er.string(), er.string(), er.string()]).toEqual([
      "SCHEMA_CHANGE",
      "CREATED",
      "KEYSPACE",
      "ev",
    ]);
    const rr = new BodyReader(result.body);
    expect(rr.int()).toBe(5);
    c.close();
  });
});
