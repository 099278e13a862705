import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { Client } from "cassandra-driver";
import { dumpSchema, EXTRA_DDL, startTestCqlCluster, type TestCqlCluster } from "./testing.ts";

describe.each([
  ["vnodes by default", false, 9042],
  ["tablets by default", true, 9048],
])("DESCRIBE SCHEMA WITH INTERNALS round trip (%s)", (_label, tabletsEnabled, port) => {
  let source: TestCqlCluster;
  let target: TestCqlCluster;
  let a: Client;
  let b: Client;

  beforeAll(async () => {
    source = await startTestCqlCluster({ ipPrefix: "127.0.19.", dcs: "dc1:2,dc2:1", cqlPort: port, tabletsEnabled });
    target = await startTestCqlCluster({
      ipPrefix: "127.0.19.",
      dcs: "dc1:2,dc2:1",
      cqlPort: port + 1,
      schema: null,
      tabletsEnabled,
    });
    a = new Client({ contactPoints: [source.nodes[0]!.ip], localDataCenter: "dc1", protocolOptions: { port } });
    b = new Client({
      contactPoints: [target.nodes[0]!.ip],
      localDataCenter: "dc1",
      protocolOptions: { port: port + 1 },
    });
    await a.connect();
    await b.connect();
    for (const ddl of EXTRA_DDL) await a.execute(ddl);
  });
  afterAll(async () => {
    await a?.shutdown();
    await b?.shutdown();
    await source?.close();
    await target?.close();
  });

  test("replaying the output on a fresh cluster recreates the same system_schema rows", async () => {
    const described = await a.execute("DESCRIBE SCHEMA WITH INTERNALS");
    expect(described.columns.map((c) => c.name)).toEqual(["keyspace_name", "type", "name", "create_statement"]);
    const types = described.rows.map((r) => r.type);
    expect(new Set(types)).toEqual(new Set(["keyspace", "type", "table", "index", "view"]));
    expect(described.rows.some((r) => String(r.keyspace_name).startsWith("system"))).toBe(false);
    const keyspaceStatements = described.rows
      .filter((r) => r.type === "keyspace")
      .map((r) => String(r.create_statement));
    expect(keyspaceStatements.some((st) => st.includes("'enabled': false"))).toBe(tabletsEnabled);
    expect(keyspaceStatements.filter((st) => st.includes("'enabled': true"))).toHaveLength(1);
    for (const row of described.rows) await b.execute(row.create_statement);
    const want = await dumpSchema(a);
    const got = await dumpSchema(b);
    expect(want.tables!.length).toBeGreaterThan(3);
    expect(got).toEqual(want);
  });

  test("the replayed schema describes identically", async () => {
    const first = (await a.execute("DESCRIBE SCHEMA WITH INTERNALS")).rows.map((r) => r.create_statement);
    const second = (await b.execute("DESCRIBE SCHEMA WITH INTERNALS")).rows.map((r) => r.create_statement);
    expect(second).toEqual(first);
  });
});
