import { describe, expect, test } from "bun:test";
import { CqlError } from "../errors.ts";
import { parseStatement } from "./parse.ts";
import { tokenize } from "./tokenizer.ts";

describe("tokenizer", () => {
  test("keeps quoted identifiers' case, unescapes strings, reads uuids, blobs, negatives and skips comments", () => {
    const tokens = tokenize(`SELECT "MyCol", 'it''s', $$a;b$$, 123e4567-e89b-12d3-a456-426614174000, 0xCAFE, -5 -- note
      /* block */ FROM t;`);
    expect(tokens.map((t) => `${t.kind}:${t.text}`)).toEqual([
      "ident:select",
      "qident:MyCol",
      "symbol:,",
      "string:it's",
      "symbol:,",
      "string:a;b",
      "symbol:,",
      "uuid:123e4567-e89b-12d3-a456-426614174000",
      "symbol:,",
      "blob:cafe",
      "symbol:,",
      "number:-5",
      "ident:from",
      "ident:t",
      "symbol:;",
      "eof:",
    ]);
  });

  test("an unterminated string is a Syntax error naming the position", () => {
    expect(() => tokenize("SELECT 'oops")).toThrow(CqlError);
    expect(() => tokenize("SELECT 'oops")).toThrow("line 1:7");
  });
});

describe("parser", () => {
  test("SELECT with binds, IN, LIMIT and ALLOW FILTERING", () => {
    const { statement, bindCount } = parseStatement(
      "select keyspace_name, now() AS t from system_schema.tables where keyspace_name in (?, :b) and table_name = 'x' limit ? allow filtering;",
    );
    expect(bindCount).toBe(3);
    expect(statement).toMatchObject({
      type: "select",
      table: { keyspace: "system_schema", name: "tables" },
      selectors: [
        { kind: "column", name: "keyspace_name" },
        { kind: "call", fn: "now", alias: "t" },
      ],
      where: [
        { column: "keyspace_name", op: "IN", value: { kind: "list", items: [{ index: 0 }, { index: 1, name: "b" }] } },
        { column: "table_name", op: "=", value: { kind: "literal", value: "x" } },
      ],
      limit: { kind: "bind", index: 2 },
      allowFiltering: true,
    });
  });

  test("CREATE TABLE keeps types as system_schema prints them and the PRIMARY KEY forms", () => {
    const { statement } = parseStatement(
      `CREATE TABLE IF NOT EXISTS "Ks".t (a VARCHAR, b frozen<map<text,list<int>>>, s int static, PRIMARY KEY ((a, s), b))
       WITH compaction = {'class': 'LeveledCompactionStrategy'} AND CLUSTERING ORDER BY (b DESC) AND comment = 'c'`,
    );
    expect(statement).toMatchObject({
      type: "createTable",
      ifNotExists: true,
      table: { keyspace: "Ks", name: "t" },
      columns: [
        { name: "a", type: "text" },
        { name: "b", type: "frozen<map<text, list<int>>>" },
        { name: "s", type: "int", isStatic: true },
      ],
      primaryKey: { partition: ["a", "s"], clustering: ["b"] },
      options: {
        properties: { compaction: { class: "LeveledCompactionStrategy" }, comment: "c" },
        clusteringOrder: [{ column: "b", order: "desc" }],
      },
    });
  });

  test("a materialized view keeps its WHERE clause verbatim", () => {
    const { statement } = parseStatement(
      "CREATE MATERIALIZED VIEW ks.v AS SELECT * FROM ks.t WHERE b IS NOT NULL AND a IS NOT NULL PRIMARY KEY (b, a)",
    );
    expect(statement).toMatchObject({
      type: "createView",
      whereClause: "b IS NOT NULL AND a IS NOT NULL",
      columns: "*",
    });
  });

  test("DESCRIBE forms", () => {
    expect(parseStatement("DESCRIBE SCHEMA WITH INTERNALS").statement).toEqual({
      type: "describe",
      what: "schema",
      internals: true,
    });
    expect(parseStatement("DESC FULL SCHEMA").statement).toEqual({ type: "describe", what: "schema", internals: true });
    expect(parseStatement("describe table ks.t").statement).toMatchObject({
      what: "table",
      name: { keyspace: "ks", name: "t" },
    });
  });

  test("garbage, reserved words as names and trailing tokens are Syntax errors", () => {
    for (const bad of ["SELEC * FROM t", "CREATE TABLE select (a int PRIMARY KEY)", "SELECT * FROM t t2", "DROP"]) {
      expect(() => parseStatement(bad)).toThrow(CqlError);
    }
  });
});

describe("Scylla's USING TIMEOUT", () => {
  test("is accepted on SELECT (after ALLOW FILTERING and BYPASS CACHE), INSERT, UPDATE and DELETE", () => {
    const select = parseStatement(
      "SELECT keyspace_name FROM system_schema.tables WHERE keyspace_name = ? ALLOW FILTERING BYPASS CACHE USING TIMEOUT 1h30m;",
    );
    expect(select.statement.type).toBe("select");
    expect(select.bindCount).toBe(1);
    expect(parseStatement("SELECT * FROM t USING TIMEOUT 500ms").statement.type).toBe("select");
    expect(parseStatement("INSERT INTO t (a) VALUES (1) USING TTL 10 AND TIMEOUT 2s").statement.type).toBe("insert");
    expect(parseStatement("UPDATE t USING TIMEOUT 10s AND TIMESTAMP 5 SET b = 1 WHERE a = 1").statement.type).toBe(
      "update",
    );
    expect(parseStatement("DELETE FROM t USING TIMEOUT 1m WHERE a = 1").statement.type).toBe("delete");
  });

  test("a malformed duration or a SELECT USING TTL is refused", () => {
    expect(() => parseStatement("SELECT * FROM t USING TIMEOUT 10 parsecs")).toThrow(CqlError);
    expect(() => parseStatement("SELECT * FROM t USING TIMEOUT 10x")).toThrow("Unable to convert '10x' to a duration");
    expect(() => parseStatement("SELECT * FROM t USING TTL 10")).toThrow(CqlError);
    expect(() => parseStatement("SELECT * FROM t USING TIMEOUT")).toThrow(CqlError);
  });
});
