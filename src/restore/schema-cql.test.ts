import { expect, test } from "bun:test";
import { planSchemaSteps, splitCqlStatements } from "./schema-cql.ts";

test("schema rows: skipped kinds and statement splitting", () => {
  const row = (keyspace: string, type: string, name: string, cql_stmt: string) => ({ keyspace, type, name, cql_stmt });
  const steps = planSchemaSteps(
    [
      row("", "role", "r", "CREATE ROLE r"),
      row("ks", "keyspace", "ks", "CREATE KEYSPACE ks WITH replication = {'class': 'NetworkTopologyStrategy'};"),
      row("ks", "table", "t", "CREATE TABLE ks.t (a int PRIMARY KEY);\nALTER TABLE ks.t DROP b;\n"),
      row("ks", "table", '"t$paxos"', 'CREATE TABLE ks."t$paxos" (a int PRIMARY KEY)'),
      row("system_replicated_keys", "keyspace", "system_replicated_keys", "CREATE KEYSPACE x"),
      row("audit", "keyspace", "audit", "CREATE KEYSPACE audit"),
      row("alternator_T", "keyspace", "alternator_T", 'CREATE KEYSPACE "alternator_T"'),
    ],
    new Set(["alternator_T"]),
  );
  expect(steps.map((s) => s.statements)).toEqual([
    ["CREATE KEYSPACE ks WITH replication = {'class': 'NetworkTopologyStrategy'}"],
    ["CREATE TABLE ks.t (a int PRIMARY KEY)", "ALTER TABLE ks.t DROP b"],
  ]);
  expect(splitCqlStatements(" ; ;")).toEqual([]);
});
