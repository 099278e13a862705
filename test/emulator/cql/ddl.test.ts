import { describe, expect, test } from "bun:test";
import { fromNodeContext } from "./adapter.ts";
import { type DdlStatement, executeDdl } from "./ddl.ts";
import { CqlError } from "./errors.ts";
import { parseStatement } from "./parser/parse.ts";
import { createTestClusterState } from "./testing.ts";

function setup() {
  const { state, nodes } = createTestClusterState({ ipPrefix: "127.0.16.", dcs: "dc1:3,dc2:3", schema: null });
  const view = fromNodeContext(nodes[0]!);
  const run = (cql: string, keyspace?: string) =>
    executeDdl(parseStatement(cql).statement as DdlStatement, { schema: view.schema, keyspace });
  const fails = (cql: string, keyspace?: string): CqlError => {
    try {
      run(cql, keyspace);
    } catch (err) {
      if (err instanceof CqlError) return err;
      throw err;
    }
    throw new Error(`expected "${cql}" to fail`);
  };
  return { state, run, fails };
}

describe("DDL through the schema model", () => {
  test("CREATE KEYSPACE and TABLE report schema changes; IF NOT EXISTS on an existing one is a no-op", () => {
    const { state, run } = setup();
    expect(
      run("CREATE KEYSPACE k WITH replication = {'class': 'NetworkTopologyStrategy', 'replication_factor': 3}"),
    ).toEqual({
      change: "CREATED",
      target: "KEYSPACE",
      keyspace: "k",
    });
    expect(state.schema.keyspace("k")?.replication).toMatchObject({ dc1: "3", dc2: "3" });
    expect(
      run("CREATE TABLE t (a int, b int, c text, PRIMARY KEY ((a), b)) WITH CLUSTERING ORDER BY (b DESC)", "k"),
    ).toMatchObject({
      change: "CREATED",
      target: "TABLE",
      name: "t",
    });
    expect(run("CREATE TABLE IF NOT EXISTS k.t (a int PRIMARY KEY)")).toBeNull();
    const cols = state.schema
      .table("k", "t")
      ?.columns.map((c) => `${c.name}:${c.kind}:${c.position}:${c.clusteringOrder}`);
    expect(cols).toEqual(["a:partition_key:0:none", "b:clustering:0:desc", "c:regular:-1:none"]);
  });

  test("errors carry the protocol's codes and Scylla's wording", () => {
    const { fails, run } = setup();
    run("CREATE KEYSPACE k WITH replication = {'class': 'SimpleStrategy', 'replication_factor': 1}");
    run("CREATE TABLE k.t (a int PRIMARY KEY)");
    expect(fails("CREATE TABLE k.t (a int PRIMARY KEY)")).toMatchObject({
      code: 0x2400,
      extra: { keyspace: "k", table: "t" },
    });
    expect(
      fails("CREATE KEYSPACE k WITH replication = {'class': 'SimpleStrategy', 'replication_factor': 1}"),
    ).toMatchObject({
      code: 0x2400,
      extra: { keyspace: "k" },
    });
    expect(fails("CREATE KEYSPACE z WITH durable_writes = true").code).toBe(0x2300);
    expect(fails("CREATE KEYSPACE z WITH replication = {'class': 'NoSuchStrategy'}").code).toBe(0x2300);
    expect(fails("CREATE TABLE x (a int PRIMARY KEY)").message).toContain("No keyspace has been specified");
    expect(fails("CREATE TABLE k.u (a int, PRIMARY KEY (b))").message).toBe(
      "Unknown definition b referenced in PRIMARY KEY",
    );
    expect(fails("CREATE TABLE k.u (a int PRIMARY KEY) WITH bogus = 1")).toMatchObject({
      code: 0x2000,
      message: "Unknown property 'bogus'",
    });
    expect(fails("ALTER TABLE k.t WITH tombstone_gc = {'mode': 'sometimes'}").code).toBe(0x2300);
    expect(fails("DROP TABLE k.nope").code).toBe(0x2200);
    expect(fails("DROP KEYSPACE system").code).toBe(0x2100);
    expect(
      run('DROP TABLE IF EXISTS "8f2d3a10-0000-4000-8000-000000000000"."8f2d3a10-0000-4000-8000-000000000001"'),
    ).toBeNull();
  });

  test("ALTER TABLE/MATERIALIZED VIEW WITH tombstone_gc updates extensions", () => {
    const { state, run, fails } = setup();
    run("CREATE KEYSPACE k WITH replication = {'class': 'NetworkTopologyStrategy', 'dc1': 3}");
    run("CREATE TABLE k.t (a int, b int, PRIMARY KEY (a, b))");
    run(
      "CREATE MATERIALIZED VIEW k.v AS SELECT a, b FROM k.t WHERE a IS NOT NULL AND b IS NOT NULL PRIMARY KEY (b, a)",
    );
    run(`ALTER TABLE "k"."t" WITH tombstone_gc = {'mode': 'repair'}`);
    run(`ALTER MATERIALIZED VIEW "k"."v" WITH tombstone_gc = {'mode': 'disabled'}`);
    expect(state.schema.table("k", "t")?.extensions.tombstone_gc).toContain("'mode':'repair'");
    expect(state.schema.table("k", "v")?.extensions.tombstone_gc).toContain("'mode':'disabled'");
    expect(fails("ALTER TABLE k.v WITH comment = 'x'").message).toBe("Cannot use ALTER TABLE on Materialized View");
    expect(fails("DROP TABLE k.v").message).toBe("Cannot use DROP TABLE on Materialized View");
    expect(run("DROP MATERIALIZED VIEW IF EXISTS k.v")).toMatchObject({ change: "DROPPED", name: "v" });
  });

  test("indexes, types and ALTER KEYSPACE", () => {
    const { state, run, fails } = setup();
    run(
      "CREATE KEYSPACE k WITH replication = {'class': 'NetworkTopologyStrategy', 'dc1': 3} AND durable_writes = false",
    );
    run("CREATE TYPE k.addr (street text, n int)");
    run("CREATE TABLE k.t (a int PRIMARY KEY, b text, home frozen<addr>)");
    expect(fails("CREATE TABLE k.u (a int PRIMARY KEY, b frozen<nope>)").message).toContain("Unknown type");
    expect(run("CREATE INDEX ON k.t (b)")).toMatchObject({ change: "UPDATED", target: "TABLE", name: "t" });
    expect(state.schema.indexes("k").map((i) => i.name)).toEqual(["t_b_idx"]);
    expect(run(`DROP INDEX IF EXISTS "k"."t_b_idx"`)).toMatchObject({ change: "UPDATED", name: "t" });
    run("ALTER KEYSPACE k WITH replication = {'class': 'NetworkTopologyStrategy', 'dc1': 3, 'dc2': 2}");
    expect(state.schema.keyspace("k")).toMatchObject({ durableWrites: false, replication: { dc1: "3", dc2: "2" } });
  });
});
