import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Backup } from "../../src/backup/backup.ts";
import { Cluster } from "../../src/cluster/cluster.ts";
import { Restore } from "../../src/restore/restore.ts";
import { dumpSchema, EXTRA_DDL } from "../emulator/cql/testing.ts";
import { type EmulatedCluster, startCluster } from "../emulator/index.ts";
import { testSchemaSpec } from "../emulator/storage/testing.ts";
import { restoredOnceProblems } from "./harness.ts";

// Restore schema into an empty cluster, then the tables on top: our Backup writes a 2-node cluster (127.4.3.x, the
// test schema plus a UDT, quoted names, options, an index and a view) to localstorage; an empty 2-node cluster
// (127.4.4.x) gets the schema back (same system_schema rows, ids aside) and then every SSTable once.
const TOKEN = "restore-schema";
const FAST = { jobPollSeconds: 1, loadRetryMs: 200, viewPollMs: 200 };
let root: string;
let source: EmulatedCluster;
let target: EmulatedCluster;
let tag = "";

async function connect(emu: EmulatedCluster): Promise<Cluster> {
  return Cluster.connect({ host: emu.nodes[0]?.ip as string, authToken: TOKEN });
}

beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), "restore-schema-"));
  mkdirSync(join(root, "bucket"));
  const agents = { authToken: TOKEN, config: { localstorage: { path: root } } };
  source = await startCluster({ dcs: [2], ipPrefix: "127.4.3.", schema: testSchemaSpec(), agents });
  target = await startCluster({ dcs: [2], ipPrefix: "127.4.4.", seed: 5, schema: { keyspaces: [] }, agents });
  const cluster = await connect(source);
  try {
    const cql = await cluster.cqlSession();
    try {
      for (const ddl of EXTRA_DDL) await cql.execute(ddl);
    } finally {
      await cql.shutdown();
    }
    const backup = await Backup.plan(cluster, { location: ["localstorage:bucket"], keyspace: ["ks1", "ks3"] });
    tag = (await backup.run()).snapshotTag;
  } finally {
    await cluster.close();
  }
}, 120_000);

afterAll(async () => {
  await source?.close();
  await target?.close();
  if (root) rmSync(root, { recursive: true, force: true });
});

describe("restore schema into an empty cluster, then tables", () => {
  test("the schema file recreates identical system_schema rows", async () => {
    const cluster = await connect(target);
    try {
      const restore = await Restore.plan(cluster, {
        location: ["localstorage:bucket"],
        snapshotTag: tag,
        type: "schema",
        timings: FAST,
      });
      const result = await restore.run();
      expect(result.progress.restored).toBe(result.progress.size);
    } finally {
      await cluster.close();
    }
    const [a, b] = [await connect(source), await connect(target)];
    try {
      const [ca, cb] = [await a.cqlSession(), await b.cqlSession()];
      try {
        const want = await dumpSchema(ca);
        const got = await dumpSchema(cb);
        expect(want.tables?.length).toBeGreaterThan(4);
        expect(got).toEqual(want);
      } finally {
        await ca.shutdown();
        await cb.shutdown();
      }
    } finally {
      await a.close();
      await b.close();
    }
  }, 120_000);

  test("restoring the tables on top loads every SSTable of the snapshot once and rebuilds the view", async () => {
    const cluster = await connect(target);
    try {
      const since = target.ledger.loads();
      const restore = await Restore.plan(cluster, {
        location: ["localstorage:bucket"],
        snapshotTag: tag,
        keyspace: ["ks1", "ks3"],
        repair: null,
        timings: FAST,
      });
      const tables = restore.units.flatMap((u) => u.tables.map((t) => `${u.keyspace}.${t.table}`)).sort();
      expect(tables).toEqual(["ks1.Events", "ks1.small_table", "ks1.users", "ks3.blobs"]);
      expect(restore.views.map((v) => `${v.keyspace}.${v.view}`).sort()).toEqual([
        "ks1.events_by_at",
        "ks1.events_tags",
        "ks1.users_by_name",
      ]);
      await restore.run();
      // ks1.Events (created by CQL) has no SSTables: it is a unit of size 0 with nothing to load.
      const withData = tables.filter((t) => t !== "ks1.Events");
      expect(
        restoredOnceProblems({ source: source.ledger, target: target.ledger, tables: withData, since, tag }),
      ).toEqual([]);
      expect(target.ledger.loads("ks1", "Events").filter((l) => !since.includes(l))).toEqual([]);
      const cql = await cluster.cqlSession();
      try {
        const views = await cql.execute("SELECT view_name FROM system_schema.views WHERE keyspace_name = 'ks1'");
        expect(views.rows.map((r) => r.view_name).sort()).toEqual([
          "events_by_at",
          "events_tags_index",
          "users_by_name",
        ]);
      } finally {
        await cql.shutdown();
      }
    } finally {
      await cluster.close();
    }
  }, 180_000);
});
