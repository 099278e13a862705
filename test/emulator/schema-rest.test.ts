import { afterAll, beforeAll, expect, test } from "bun:test";
import { createClock } from "./clock.ts";
import { type EmulatedCluster, startCluster } from "./index.ts";

let cluster: EmulatedCluster;
let now = 1_000_000;

beforeAll(async () => {
  cluster = await startCluster({
    dcs: "dc1:2",
    ipPrefix: "127.0.12.",
    seed: 4,
    tokensPerNode: 4,
    clock: createClock(1, () => now),
  });
});
afterAll(() => cluster.close());

test("schema changes show in the REST views at once; a new view builds for a modelled time", async () => {
  const ip = cluster.nodes[0]?.ip;
  const url = (path: string) => `http://${ip}:10000${path}`;
  const schema = cluster.schema;
  schema.createTable(
    {
      keyspace: "ks1",
      name: "fresh",
      columns: [
        { name: "id", type: "uuid", kind: "partition_key", position: 0, clusteringOrder: "none" },
        { name: "v", type: "text", kind: "regular", position: -1, clusteringOrder: "none" },
      ],
      options: {},
      extensions: {},
      sizeBytes: 640 * 1024 * 1024,
    },
    false,
  );
  expect(await (await fetch(url("/column_family/name"))).json()).toContain("ks1:fresh");
  schema.createIndex(
    { keyspace: "ks1", table: "fresh", name: "by_v", kind: "COMPOSITES", options: { target: "v" } },
    false,
  );
  expect(await (await fetch(url("/column_family/name"))).json()).toContain("ks1:by_v_index");
  const statuses = async () =>
    (
      (await (await fetch(url("/storage_service/view_build_statuses/ks1/by_v_index"))).json()) as Array<{
        value: string;
      }>
    ).map((m) => m.value);
  expect(await statuses()).toEqual(["STARTED", "STARTED"]);
  now += 9_000;
  expect(await statuses()).toEqual(["STARTED", "STARTED"]);
  now += 2_000; // 640 MiB at 64 MiB/s = 10 s modelled
  expect(await statuses()).toEqual(["SUCCESS", "SUCCESS"]);
  // The view that existed at start-up is built.
  expect(
    (
      (await (await fetch(url("/storage_service/view_build_statuses/ks1/users_by_name"))).json()) as Array<{
        value: string;
      }>
    ).map((m) => m.value),
  ).toEqual(["SUCCESS", "SUCCESS"]);
  const missing = await fetch(url("/storage_service/view_build_statuses/ks1/fresh"));
  expect(missing.status).toBe(400);
  schema.dropKeyspace("ks1", false);
  expect(await (await fetch(url("/storage_service/keyspaces?type=user"))).json()).not.toContain("ks1");
  expect((await fetch(url("/storage_service/describe_ring/ks1"))).status).toBe(400);
});

test("node state listeners hear stop and start", async () => {
  const seen: string[] = [];
  const off = cluster.state.onNodeState((ip, up) => seen.push(`${ip}:${up}`));
  const ip = cluster.nodes[1]?.ip ?? "";
  await cluster.faults.stopNode(ip);
  await cluster.faults.startNode(ip);
  off();
  expect(seen).toEqual([`${ip}:false`, `${ip}:true`]);
});
