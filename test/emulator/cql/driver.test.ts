import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { connect } from "node:net";
import { auth, Client, errors } from "cassandra-driver";
import { BodyReader, BodyWriter } from "./codec/buffer.ts";
import { encodeRequest, FrameDecoder, Opcode } from "./frame.ts";
import { startTestCqlCluster, type TestCqlCluster } from "./testing.ts";

describe("DataStax Node driver against an emulated 2-DC cluster", () => {
  let cluster: TestCqlCluster;
  let client: Client;

  beforeAll(async () => {
    cluster = await startTestCqlCluster({ ipPrefix: "127.0.16.", dcs: "dc1:3,dc2:3" });
    client = new Client({ contactPoints: [cluster.nodes[0]!.ip], localDataCenter: "dc1" });
    await client.connect();
  });
  afterAll(async () => {
    await client?.shutdown();
    await cluster?.close();
  });

  test("discovers every peer with its DC and rack", () => {
    const hosts = client.hosts.values().map((h) => `${h.address} ${h.datacenter} ${h.rack}`);
    const expected = cluster.nodes.map((n) => `${n.ip}:9042 ${n.dc} ${n.rack}`);
    expect(hosts.sort()).toEqual(expected.sort());
  });

  test("reads the schema metadata of every user keyspace, table and column", async () => {
    const model = cluster.state.schema;
    const userKs = model.keyspaces().filter((k) => !k.system);
    expect(userKs.length).toBeGreaterThan(0);
    for (const ks of userKs) {
      await client.metadata.refreshKeyspace(ks.name);
      const meta = client.metadata.keyspaces[ks.name];
      expect(meta?.name).toBe(ks.name);
      expect(meta?.strategy).toBe(ks.replication.class);
      for (const t of model.tables(ks.name).filter((x) => !x.view)) {
        const tm = await client.metadata.getTable(ks.name, t.name);
        expect(tm?.columns.map((c) => c.name).sort()).toEqual(t.columns.map((c) => c.name).sort());
        expect(tm?.partitionKeys.map((c) => c.name)).toEqual(
          t.columns.filter((c) => c.kind === "partition_key").map((c) => c.name),
        );
      }
    }
  });

  test("answers SELECT now() and schema_version agreement queries", async () => {
    const now = await client.execute("SELECT now() FROM system.local WHERE key='local'");
    expect(now.rows).toHaveLength(1);
    const local = await client.execute("SELECT schema_version FROM system.local WHERE key='local'");
    const peers = await client.execute("SELECT schema_version FROM system.peers");
    expect(peers.rows).toHaveLength(5);
    const versions = new Set([...local.rows, ...peers.rows].map((r) => r.schema_version.toString()));
    expect([...versions]).toEqual([cluster.state.schema.version]);
  });

  test("prepared SELECT id FROM system_schema.tables with bound values returns the table id", async () => {
    const t = cluster.state.schema.tables().find((x) => !x.view && !cluster.state.schema.keyspace(x.keyspace)?.system)!;
    const res = await client.execute(
      "SELECT id FROM system_schema.tables WHERE keyspace_name=? AND table_name=?",
      [t.keyspace, t.name],
      { prepare: true },
    );
    expect(res.rows[0]?.id.toString()).toBe(t.id);
    const ext = await client.execute(
      "SELECT extensions FROM system_schema.tables WHERE keyspace_name=? AND table_name=?",
      [t.keyspace, t.name],
      { prepare: true },
    );
    expect(ext.rows[0]?.extensions.tombstone_gc.toString()).toContain("timeout");
  });

  test("pages through system_schema.columns", async () => {
    const all = await client.execute("SELECT * FROM system_schema.columns");
    const pages: number[] = [];
    let total = 0;
    await new Promise<void>((resolve, reject) => {
      client.eachRow(
        "SELECT * FROM system_schema.columns",
        [],
        { fetchSize: 7, autoPage: true },
        () => total++,
        (err, result) => {
          if (err) return reject(err);
          pages.push(result.rowLength);
          resolve();
        },
      );
    });
    expect(total).toBe(all.rowLength);
    const first = await client.execute("SELECT * FROM system_schema.columns", [], { fetchSize: 7 });
    expect(first.rowLength).toBe(7);
    expect(first.pageState).toBeTruthy();
    expect(all.rowLength).toBeGreaterThan(7);
  });

  test("DDL changes the schema for every node and bumps schema_version", async () => {
    const before = cluster.state.schema.version;
    const res = await client.execute(
      "CREATE KEYSPACE drv_ks WITH replication = {'class': 'NetworkTopologyStrategy', 'dc1': 1} AND durable_writes = true",
    );
    expect((res.info as { isSchemaInAgreement?: boolean }).isSchemaInAgreement).toBe(true);
    await client.execute(
      "CREATE TABLE drv_ks.t (a int, b text, c bigint, PRIMARY KEY ((a), b)) WITH CLUSTERING ORDER BY (b DESC)",
    );
    await client.execute("ALTER TABLE drv_ks.t WITH tombstone_gc = {'mode': 'repair'}");
    expect(cluster.state.schema.version).not.toBe(before);
    const other = new Client({ contactPoints: [cluster.nodes[4]!.ip], localDataCenter: "dc2" });
    await other.connect();
    try {
      const row = (
        await other.execute(
          "SELECT extensions FROM system_schema.tables WHERE keyspace_name='drv_ks' AND table_name='t'",
        )
      ).rows[0];
      expect(row?.extensions.tombstone_gc.toString()).toContain("'mode':'repair'");
      const cols = await other.execute(
        "SELECT column_name, kind, clustering_order FROM system_schema.columns WHERE keyspace_name='drv_ks'",
      );
      expect(cols.rows.map((r) => `${r.column_name}:${r.kind}:${r.clustering_order}`).sort()).toEqual([
        "a:partition_key:none",
        "b:clustering:desc",
        "c:regular:none",
      ]);
    } finally {
      await other.shutdown();
    }
    await expect(
      client.execute("CREATE KEYSPACE drv_ks WITH replication = {'class': 'NetworkTopologyStrategy', 'dc1': 1}"),
    ).rejects.toMatchObject({
      code: 0x2400,
      keyspace: "drv_ks",
    });
    await client.execute("DROP KEYSPACE drv_ks");
    expect(cluster.state.schema.keyspace("drv_ks")).toBeUndefined();
  });

  test("rows written with INSERT and BATCH are read back from any node; TRUNCATE empties the table", async () => {
    await client.execute(
      "CREATE KEYSPACE rows_ks WITH replication = {'class': 'NetworkTopologyStrategy', 'dc1': 3, 'dc2': 3}",
    );
    await client.execute("CREATE TABLE rows_ks.t (id uuid PRIMARY KEY, data blob, n bigint, tags set<text>)");
    const id = "9b1f8e3c-0000-4000-8000-000000000001";
    await client.execute(
      "INSERT INTO rows_ks.t (id, data, n, tags) VALUES (?, ?, ?, ?)",
      [id, Buffer.from("abc"), 7, ["a", "b"]],
      {
        prepare: true,
      },
    );
    await client.batch(
      [
        { query: "INSERT INTO rows_ks.t (id, data) VALUES (uuid(), 0x01)" },
        { query: "INSERT INTO rows_ks.t (id, data) VALUES (?, ?)", params: [id, Buffer.from("xyz")] },
      ],
      { prepare: true },
    );
    const other = new Client({ contactPoints: [cluster.nodes[3]!.ip], localDataCenter: "dc2" });
    await other.connect();
    try {
      const all = await other.execute("SELECT id, data FROM rows_ks.t");
      expect(all.rowLength).toBe(2);
      expect((await other.execute("SELECT count(*) FROM rows_ks.t")).rows[0]?.count.toString()).toBe("2");
      const one = await other.execute("SELECT data, n, tags FROM rows_ks.t WHERE id = ?", [id], { prepare: true });
      expect(one.rows[0]?.data.toString()).toBe("xyz");
      expect(one.rows[0]?.n.toString()).toBe("7");
      expect(one.rows[0]?.tags).toEqual(["a", "b"]);
      const lwt = await other.execute(`INSERT INTO rows_ks.t (id) VALUES (${id}) IF NOT EXISTS`);
      expect(lwt.rows[0]?.["[applied]"]).toBe(false);
      await expect(
        other.batch([
          { query: "INSERT INTO rows_ks.t (id) VALUES (uuid())" },
          { query: "INSERT INTO rows_ks.t (data) VALUES (0x00)" },
        ]),
      ).rejects.toMatchObject({ code: 0x2200 });
      expect((await other.execute("SELECT id FROM rows_ks.t")).rowLength).toBe(2);
      await other.execute("UPDATE rows_ks.t SET n = ? WHERE id = ?", [9, id], { prepare: true });
      expect((await client.execute(`SELECT n FROM rows_ks.t WHERE id = ${id}`)).rows[0]?.n.toString()).toBe("9");
      await client.execute("DELETE n FROM rows_ks.t WHERE id = ?", [id], { prepare: true });
      expect((await client.execute(`SELECT n FROM rows_ks.t WHERE id = ${id}`)).rows[0]?.n).toBeNull();
      await client.execute(`DELETE FROM rows_ks.t WHERE id = ${id}`);
      expect((await other.execute("SELECT id FROM rows_ks.t")).rowLength).toBe(1);
      await other.execute("TRUNCATE rows_ks.t");
      expect((await client.execute("SELECT id FROM rows_ks.t")).rowLength).toBe(0);
    } finally {
      await other.shutdown();
      await client.execute("DROP KEYSPACE rows_ks");
    }
  });

  test("unsupported and invalid statements fail fast with CQL errors", async () => {
    await expect(client.execute("SELECT * FROM system.peers_v2")).rejects.toMatchObject({
      code: 0x2200,
      message: "unconfigured table peers_v2",
    });
    await expect(client.execute("SELEC * FROM system.local")).rejects.toMatchObject({ code: 0x2000 });
    await expect(client.execute("UPDATE ks1.users SET data = 0x00 WHERE name = 'x'")).rejects.toMatchObject({
      code: 0x2200,
      message: "Non PRIMARY KEY columns found in where clause: name",
    });
    await expect(client.execute("UPDATE ks1.users SET data = 0x00 WHERE id = uuid() IF EXISTS")).rejects.toMatchObject({
      code: 0x2200,
    });
    await expect(client.execute("INSERT INTO ks1.users (name) VALUES ('x')")).rejects.toMatchObject({ code: 0x2200 });
    await expect(client.execute("INSERT INTO system.local (key) VALUES ('x')")).rejects.toMatchObject({ code: 0x2100 });
    await expect(client.execute("SELECT * FROM system_schema.tables WHERE table_name='x'")).rejects.toMatchObject({
      code: 0x2200,
      message: expect.stringContaining("ALLOW FILTERING"),
    });
    await expect(client.execute("SELECT nope FROM system.local")).rejects.toBeInstanceOf(errors.ResponseError);
  });
});

describe("PasswordAuthenticator", () => {
  let cluster: TestCqlCluster;
  beforeAll(async () => {
    cluster = await startTestCqlCluster({
      ipPrefix: "127.0.17.",
      dcs: "dc1:2",
      auth: { username: "cassandra", password: "secret" },
    });
  });
  afterAll(async () => {
    await cluster?.close();
  });

  test("a wrong password is an AuthenticationError with Scylla's wording", async () => {
    const client = new Client({
      contactPoints: [cluster.nodes[0]!.ip],
      localDataCenter: "dc1",
      authProvider: new auth.PlainTextAuthProvider("cassandra", "wrong"),
    });
    const err = await client.connect().then(
      () => undefined,
      (e: unknown) => e,
    );
    await client.shutdown();
    const inner = Object.values((err as errors.NoHostAvailableError).innerErrors)[0];
    expect(inner).toBeInstanceOf(errors.AuthenticationError);
    expect(String((inner as Error).message)).toContain("Username and/or password are incorrect");
  });

  test("the right password connects", async () => {
    const client = new Client({
      contactPoints: [cluster.nodes[0]!.ip],
      localDataCenter: "dc1",
      authProvider: new auth.PlainTextAuthProvider("cassandra", "secret"),
    });
    await client.connect();
    const res = await client.execute("SELECT cluster_name FROM system.local WHERE key='local'");
    expect(res.rows[0]?.cluster_name).toBe("emulated");
    await client.shutdown();
  });
});

describe("STATUS_CHANGE events", () => {
  test("a registered connection hears a peer go DOWN and come back UP", async () => {
    const cluster = await startTestCqlCluster({ ipPrefix: "127.0.17.", dcs: "dc1:2", cqlPort: 9049, schema: null });
    const socket = connect(9049, cluster.nodes[0]!.ip);
    const decoder = new FrameDecoder();
    const events: string[] = [];
    socket.on("data", (d: Buffer) => {
      for (const f of decoder.push(d)) {
        if (f.opcode !== Opcode.Event) continue;
        const r = new BodyReader(f.body);
        const kind = r.string();
        const change = r.string();
        const addr = r.raw(r.byte());
        events.push(`${kind} ${change} ${[...addr].join(".")}:${r.int()}`);
      }
    });
    await new Promise<void>((r) => socket.once("connect", () => r()));
    socket.write(
      encodeRequest(4, 1, Opcode.Startup, new BodyWriter().short(1).string("CQL_VERSION").string("3.0.0").toBuffer()),
    );
    socket.write(encodeRequest(4, 2, Opcode.Register, new BodyWriter().stringList(["STATUS_CHANGE"]).toBuffer()));
    const peer = cluster.nodes[1]!;
    const waitFor = async (n: number) => {
      const deadline = Date.now() + 5000;
      while (events.length < n && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    };
    await new Promise((r) => setTimeout(r, 100));
    peer.setUp(false);
    await waitFor(1);
    peer.setUp(true);
    await waitFor(2);
    socket.destroy();
    await cluster.close();
    expect(events).toEqual([`STATUS_CHANGE DOWN ${peer.ip}:9049`, `STATUS_CHANGE UP ${peer.ip}:9049`]);
  });
});
