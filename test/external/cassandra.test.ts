import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { Client } from "cassandra-driver";

// The Cassandra node run.sh starts (test/external/cassandra/): the launcher's outcome as a client sees it.
const env = process.env;
const contactPoints = env.SM_EXT_CASSANDRA_CONTACT_POINTS?.split(",");
const skip =
  env.SM_EXT_CASSANDRA_SKIP ??
  (contactPoints ? undefined : "no Cassandra running: use test/external/run.sh, which starts one");
if (skip) console.warn(`[external] skipping the Cassandra launcher check: ${skip}`);

describe.skipIf(Boolean(skip))("Cassandra launcher (external tier)", () => {
  let client: Client;
  beforeAll(async () => {
    client = new Client({
      contactPoints: contactPoints ?? [],
      localDataCenter: env.SM_EXT_CASSANDRA_LOCAL_DC ?? "",
      ...(env.SM_EXT_CASSANDRA_USER
        ? { credentials: { username: env.SM_EXT_CASSANDRA_USER, password: env.SM_EXT_CASSANDRA_PASSWORD ?? "" } }
        : {}),
    });
    await client.connect();
  }, 30_000);
  afterAll(async () => {
    await client?.shutdown();
  });

  test("serves CQL as Cassandra 5.0 with lightweight transactions", async () => {
    const local = await client.execute("SELECT release_version FROM system.local");
    expect(String(local.first().get("release_version"))).toStartWith("5.0.");
    const ks = `launcher_${Date.now()}`;
    await client.execute(
      `CREATE KEYSPACE ${ks} WITH replication = {'class': 'SimpleStrategy', 'replication_factor': 1}`,
    );
    try {
      await client.execute(`CREATE TABLE ${ks}.t (k text PRIMARY KEY, v int)`);
      const first = await client.execute(`INSERT INTO ${ks}.t (k, v) VALUES ('a', 1) IF NOT EXISTS`);
      const second = await client.execute(`INSERT INTO ${ks}.t (k, v) VALUES ('a', 2) IF NOT EXISTS`);
      expect(first.wasApplied()).toBe(true);
      expect(second.wasApplied()).toBe(false);
      const row = await client.execute(`SELECT v FROM ${ks}.t WHERE k = 'a'`);
      expect(row.first().get("v")).toBe(1);
    } finally {
      await client.execute(`DROP KEYSPACE ${ks}`);
    }
  }, 60_000);
});
