import { afterAll, describe, expect, test } from "bun:test";
import { randomBytes } from "node:crypto";
import { StoreError } from "../../src/errors.ts";
import { makeRun, makeTask, makeTimeUuids, uuidN } from "../../src/store/contract-fixtures.ts";
import { type CqlStore, openCqlStore } from "../../src/store/cql/store.ts";
import { cqlOptions, cqlSkipReason, uniqueKeyspace } from "../support/cql-store.ts";

// The CQL store on real Cassandra beyond the contract: concurrent starts, bad databases, TTLs, concurrent writers.
if (cqlSkipReason) console.warn(`[external] skipping the CQL store open tests: ${cqlSkipReason}`);

const opened: CqlStore[] = [];
const keyspaces: string[] = [];
async function open(keyspace: string, overrides: Parameters<typeof cqlOptions>[1] = {}): Promise<CqlStore> {
  if (!keyspaces.includes(keyspace)) keyspaces.push(keyspace);
  const store = await openCqlStore(cqlOptions(keyspace, overrides));
  opened.push(store);
  return store;
}
async function openError(keyspace: string, overrides: Parameters<typeof cqlOptions>[1] = {}): Promise<StoreError> {
  try {
    await open(keyspace, overrides);
  } catch (error) {
    if (error instanceof StoreError) return error;
    throw error;
  }
  throw new Error("expected a StoreError");
}

afterAll(async () => {
  const admin = opened.find(Boolean);
  if (admin) {
    for (const ks of keyspaces) await admin.client.execute(`DROP KEYSPACE IF EXISTS "${ks}"`).catch(() => undefined);
  }
  for (const store of opened) await store.close();
}, 120_000);

describe.skipIf(Boolean(cqlSkipReason))("cql store: opening", () => {
  test("two servers starting at once on an empty keyspace apply each migration once", async () => {
    const ks = uniqueKeyspace("twostart");
    const [a, b] = await Promise.all([open(ks), open(ks)]);
    expect([...(a?.applied ?? []), ...(b?.applied ?? [])].sort()).toEqual(["001_initial.cql", "002_task_version.cql"]);
    const rows = (await a?.client.execute(`SELECT name, done, checksum FROM "${ks}".gocqlx_migrate`))?.rows ?? [];
    expect(rows.map((r) => [r.get("name"), r.get("done")]).sort()).toEqual([
      ["001_initial.cql", 1],
      ["002_task_version.cql", 1],
    ]);
    // both work on the same data
    await a?.putTask(makeTask(uuidN(1), "repair", uuidN(2)));
    expect((await b?.getTask(uuidN(1), "repair", uuidN(2)))?.id).toBe(uuidN(2));
    // a later start applies nothing
    expect((await open(ks)).applied).toEqual([]);
  }, 180_000);

  test("a keyspace from a newer version is refused, naming the unknown migration", async () => {
    const ks = uniqueKeyspace("newer");
    const first = await open(ks);
    await first.client.execute(
      `INSERT INTO "${ks}".gocqlx_migrate (name, checksum, done, start_time) VALUES ('999_future.cql', 'x', 1, toTimestamp(now()))`,
    );
    const error = await openError(ks);
    expect(error.message).toContain("999_future.cql");
    expect(error.message).toContain("newer version");
    expect(error.hint).toContain("nothing was changed");
  }, 120_000);

  test("an unreachable database names the hosts tried and the error", async () => {
    const error = await openError("never_created", { hosts: ["127.6.255.1", "127.6.255.2"], timeoutMs: 1000 });
    expect(error.message).toContain("127.6.255.1:9042");
    expect(error.message).toContain("127.6.255.2:9042");
    expect(error.message).toMatch(/hosts tried: .*(ECONNREFUSED|timed out|timeout)/i);
    expect(error.hint).toContain("database.hosts");
  }, 60_000);

  test.skipIf(!process.env.SM_EXT_CASSANDRA_USER)(
    "wrong credentials say so",
    async () => {
      const error = await openError("never_created", { password: "wrong-password" });
      expect(error.message).toContain("authentication failed");
      expect(error.message).toContain(process.env.SM_EXT_CASSANDRA_USER ?? "");
      expect(error.hint).toContain("database.password");
    },
    60_000,
  );

  test("a server with another secret key is refused once secrets exist", async () => {
    const ks = uniqueKeyspace("keys");
    const store = await open(ks);
    await store.putSecret(uuidN(1), "cql_creds", new TextEncoder().encode("user:pass"));
    const raw = (await store.client.execute(`SELECT data FROM "${ks}".secrets`)).first()?.get("data") as Buffer;
    expect(raw.toString("latin1")).not.toContain("user:pass"); // encrypted at rest
    const error = await openError(ks, { secretKey: new Uint8Array(randomBytes(32)) });
    expect(error.message).toContain("encrypted with key");
  }, 120_000);
});

describe.skipIf(Boolean(cqlSkipReason))("cql store: TTLs and concurrent writers", () => {
  test("run and progress rows expire after the TTL; tasks and validate-backup progress do not", async () => {
    const ks = uniqueKeyspace("ttl");
    const store = await open(ks, { runTtlSeconds: 2 });
    const c = uuidN(1);
    const t = uuidN(2);
    const [runId = ""] = makeTimeUuids(1);
    await store.putTask(makeTask(c, "backup", t));
    await store.putRun(makeRun(c, "backup", t, runId, "DONE"));
    await store.putServiceRun("backup_run", { clusterId: c, taskId: t, runId, value: { stage: "DONE" } });
    await store.putProgress("backup_run_progress", c, t, runId, [{ key: "h/ks/t", value: 1 }]);
    await store.putProgress("validate_backup_run_progress", c, t, runId, [{ key: "dc/h/loc", value: 2 }]);
    expect(await store.listRuns(c, "backup", t, 0)).toHaveLength(1);
    await new Promise((r) => setTimeout(r, 3_500));
    expect(await store.listRuns(c, "backup", t, 0)).toEqual([]);
    expect(await store.listRunsByStatus("DONE")).toEqual([]);
    expect(await store.listServiceRuns("backup_run", c, t, 0)).toEqual([]);
    expect(await store.listProgress("backup_run_progress", c, t, runId)).toEqual([]);
    expect(await store.listProgress("validate_backup_run_progress", c, t, runId)).toEqual([
      { key: "dc/h/loc", value: 2 },
    ]);
    expect((await store.getTask(c, "backup", t))?.id).toBe(t);
  }, 120_000);

  test("two servers writing the same run at once lose no row", async () => {
    const ks = uniqueKeyspace("writers");
    const a = await open(ks);
    const b = await open(ks);
    const c = uuidN(1);
    const t = uuidN(2);
    const [runId = ""] = makeTimeUuids(1);
    const rows = (prefix: string) => Array.from({ length: 40 }, (_, i) => ({ key: `${prefix}/${i}`, value: i }));
    await Promise.all([
      ...rows("a").map((row) => a.putProgress("repair_run_progress", c, t, runId, [row])),
      ...rows("b").map((row) => b.putProgress("repair_run_progress", c, t, runId, [row])),
      a.batch(rows("x").map((row) => ({ op: "putDrawer", clusterId: c, key: row.key, value: row.value }))),
      ...makeTimeUuids(20).map((id, i) => (i % 2 ? a : b).putRun(makeRun(c, "repair", t, id, "RUNNING"))),
    ]);
    expect(await b.listProgress("repair_run_progress", c, t, runId)).toHaveLength(80);
    expect(await a.listRuns(c, "repair", t, 0)).toHaveLength(20);
    expect(await b.getDrawer(c, "x/39")).toBe(39);
  }, 120_000);

  test("a task written through another server is listed at once (each server's task memory follows tasks_version)", async () => {
    const ks = uniqueKeyspace("taskmem");
    const a = await open(ks);
    const b = await open(ks);
    const c = uuidN(1);
    expect(await a.listTasks(c)).toEqual([]);
    await b.putTask(makeTask(c, "repair", uuidN(2)));
    expect((await a.listTasks(c)).map((t) => t.id)).toEqual([uuidN(2)]);
    expect((await a.listTasks(c)).map((t) => t.id)).toEqual([uuidN(2)]); // from memory now
    await b.putTask(makeTask(c, "repair", uuidN(2), { name: "renamed" }));
    expect((await a.listTasks(c))[0]?.name).toBe("renamed");
    await b.batch([
      { op: "putTask", task: makeTask(c, "backup", uuidN(3)) },
      { op: "putTask", task: makeTask(uuidN(9), "repair", uuidN(4), { deleted: true }) },
    ]);
    expect((await a.listAllTasks()).map((t) => t.id)).toEqual([uuidN(3), uuidN(2)]);
    expect((await a.listAllTasks({ includeDeleted: true })).map((t) => t.id)).toEqual([uuidN(3), uuidN(2), uuidN(4)]);
    expect((await a.listTasks(c, { type: "backup" })).map((t) => t.id)).toEqual([uuidN(3)]);
    // Each caller gets its own copies.
    const listed = await a.listTasks(c);
    if (listed[0]) listed[0].name = "changed by a caller";
    expect((await a.listTasks(c))[0]?.name).toBe("backup-0000");
    // A wiped partition is not answered from memory.
    await b.client.execute(`DELETE FROM ${b.keyspace}.scheduler_task WHERE cluster_id = ?`, [c], { prepare: true });
    expect(await a.listTasks(c)).toEqual([]);
  }, 120_000);

  test("a keyspace from before tasks_version gets the column, and its rows without one are listed", async () => {
    const ks = uniqueKeyspace("prever");
    const old = await open(ks);
    // As a keyspace at 001 only: the column and the migration's row gone, a task row written without a version.
    await old.client.execute(`ALTER TABLE "${ks}".scheduler_task DROP tasks_version`);
    await old.client.execute(`DELETE FROM "${ks}".gocqlx_migrate WHERE name = '002_task_version.cql'`);
    const legacy = makeTask(uuidN(1), "repair", uuidN(2));
    const insert = `INSERT INTO "${ks}".scheduler_task (cluster_id, type, id, deleted, doc) VALUES (?, ?, ?, ?, ?)`;
    await old.client.execute(insert, [legacy.clusterId, legacy.type, legacy.id, false, JSON.stringify(legacy)], {
      prepare: true,
    });
    const upgraded = await open(ks);
    expect(upgraded.applied).toEqual(["002_task_version.cql"]);
    expect((await upgraded.listTasks(uuidN(1))).map((t) => t.id)).toEqual([uuidN(2)]);
    // Without a version nothing is answered from memory.
    const another = makeTask(uuidN(1), "repair", uuidN(3));
    await upgraded.client.execute(
      insert,
      [another.clusterId, another.type, another.id, false, JSON.stringify(another)],
      {
        prepare: true,
      },
    );
    expect((await upgraded.listTasks(uuidN(1))).map((t) => t.id)).toEqual([uuidN(2), uuidN(3)]);
    // A migration run again (a claim taken over) finds the column and skips the ALTER.
    await upgraded.client.execute(`DELETE FROM "${ks}".gocqlx_migrate WHERE name = '002_task_version.cql'`);
    expect((await open(ks)).applied).toEqual(["002_task_version.cql"]);
  }, 180_000);
});
