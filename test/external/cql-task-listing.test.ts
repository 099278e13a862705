/**
 * Task listings through two servers on one CQL store (real Cassandra): a task created or changed through one server
 * is in the next `GET /cluster/{id}/tasks` through the other (every server's task memory follows the cluster's
 * tasks_version), and the follower shows the leader's next activation within a few leader syncs (its copy of the
 * leader's schedule board follows the board's version). Runs in the external tier only.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import * as v from "valibot";
import { ServerConfigSchema } from "../../src/config/server.ts";
import { makeCluster } from "../../src/manager/testing.ts";
import { type Daemon, startDaemon } from "../../src/server/daemon.ts";
import { openCqlStore } from "../../src/store/cql/store.ts";
import { cqlOptions, cqlSkipReason, testSecretKey, uniqueKeyspace } from "../support/cql-store.ts";
import { waitFor } from "../support/wait-for.ts";

if (cqlSkipReason) console.warn(`[external] skipping the CQL task listing tests: ${cqlSkipReason}`);

const CID = "14141414-1414-4141-8141-141414141414";
const keyspace = uniqueKeyspace("listing");
let dir = "";
const daemons: Daemon[] = [];
const testRunners = process.env.SCYLLA_MANAGER_TEST_RUNNERS;

async function start(name: string): Promise<Daemon> {
  const o = cqlOptions(keyspace);
  const config = v.parse(ServerConfigSchema, {
    http: "127.0.0.1:0",
    prometheus: "",
    data_dir: join(dir, name),
    store: "cql",
    secret_key: Buffer.from(testSecretKey).toString("hex"),
    logger: { level: "error" },
    database: {
      hosts: o.hosts,
      keyspace,
      local_dc: o.localDc,
      user: o.user,
      password: o.password,
      timeout: "10s",
      migrate_timeout: "60s",
    },
  });
  const daemon = await startDaemon([], { config });
  daemons.push(daemon);
  return daemon;
}

async function api(daemon: Daemon, method: string, path: string, body?: unknown) {
  const response = await fetch(`${daemon.urls.http}/api/v1${path}`, {
    method,
    ...(body === undefined ? {} : { body: JSON.stringify(body), headers: { "content-type": "application/json" } }),
  });
  const text = await response.text();
  return { status: response.status, headers: response.headers, json: text ? JSON.parse(text) : undefined };
}

interface Listed {
  id: string;
  name: string;
  next_activation: string | null;
}
const listed = async (daemon: Daemon): Promise<Listed[]> =>
  ((await api(daemon, "GET", `/cluster/${CID}/tasks?all=true`)).json as Listed[] | null) ?? [];

describe.skipIf(Boolean(cqlSkipReason))("task listings through two servers on one CQL store", () => {
  let leader: Daemon;
  let follower: Daemon;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), "sm-cql-listing-"));
    process.env.SCYLLA_MANAGER_TEST_RUNNERS = "1";
    const store = await openCqlStore(cqlOptions(keyspace));
    await store.putCluster(makeCluster(CID));
    await store.close();
    leader = await start("a");
    await waitFor(
      async () => ((await api(leader, "GET", "/leader")).json?.is_leader === true ? true : undefined),
      60_000,
      "server a to lead",
    );
    follower = await start("b");
    expect((await api(follower, "GET", "/leader")).json?.is_leader).toBe(false);
  }, 120_000);

  afterAll(async () => {
    for (const daemon of daemons.reverse()) await daemon.close().catch(() => undefined);
    if (testRunners === undefined) delete process.env.SCYLLA_MANAGER_TEST_RUNNERS;
    else process.env.SCYLLA_MANAGER_TEST_RUNNERS = testRunners;
    const admin = await openCqlStore(cqlOptions(keyspace));
    await admin.client.execute(`DROP KEYSPACE IF EXISTS "${keyspace}"`).catch(() => undefined);
    await admin.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  }, 120_000);

  test("a task written through one server is in the other's next listing; the follower shows the leader's schedule", async () => {
    // Listed once on both, so both answer from memory from here on.
    expect(await listed(leader)).toEqual([]);
    expect(await listed(follower)).toEqual([]);
    const created = await api(follower, "POST", `/cluster/${CID}/tasks`, {
      type: "mock",
      name: "first",
      enabled: true,
      schedule: { cron: "0 3 * * *" },
      properties: { duration: "1s" },
    });
    expect(created.status).toBe(201);
    const path = (created.headers.get("Location") ?? "").replace("/api/v1", "");
    const id = path.split("/").pop() ?? "";
    expect((await listed(leader)).map((t) => [t.id, t.name])).toEqual([[id, "first"]]);

    const task = (await api(leader, "GET", path)).json;
    expect((await api(leader, "PUT", path, { ...task, name: "renamed" })).status).toBe(200);
    expect((await listed(follower)).map((t) => [t.id, t.name])).toEqual([[id, "renamed"]]);
    expect((await listed(leader)).map((t) => t.name)).toEqual(["renamed"]);

    // The leader schedules the task it picked up from the store; the follower shows the same next activation.
    const next = await waitFor(
      async () => (await listed(leader))[0]?.next_activation ?? undefined,
      60_000,
      "the leader to schedule the task",
    );
    await waitFor(
      async () => ((await listed(follower))[0]?.next_activation === next ? true : undefined),
      60_000,
      "the follower to show the leader's next activation",
    );

    // Deleted through the follower: gone from the leader's next listing.
    expect((await api(follower, "DELETE", path)).status).toBe(200);
    expect(await listed(leader)).toEqual([]);
  }, 180_000);
});
