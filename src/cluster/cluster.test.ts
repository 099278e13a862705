import { afterAll, beforeAll, expect, test } from "bun:test";
import { type FakeAgent, startFakeAgent } from "../clients/scylla/testdata/fake-agent.ts";
import { Cluster } from "./cluster.ts";

let a: FakeAgent;
let b: FakeAgent;

beforeAll(async () => {
  a = await startFakeAgent("127.0.30.1", 0, "token");
  b = await startFakeAgent("127.0.30.2", a.port, "token");
});
afterAll(() => {
  a.stop();
  b.stop();
});

test("Cluster.connect discovers nodes, topology and caches node info", async () => {
  const cluster = await Cluster.connect({ host: "127.0.30.2", authToken: "token", port: a.port });
  expect(cluster.closestDc).toBe("dc1");
  expect(cluster.nodes).toEqual([
    { host: "127.0.30.1", hostId: "8bfd18f1-ac3b-4694-bcba-30bc272554df", dc: "dc1", status: "UN", rack: "rack1" },
    { host: "127.0.30.2", hostId: "238acd01-813c-4c55-bd65-5219bb19bc20", dc: "dc1", status: "UN", rack: "rack1" },
  ]);
  const before = a.requests.filter((r) => r.line === "GET /agent/node_info").length;
  const [first, second] = await Promise.all([cluster.nodeInfo("127.0.30.1"), cluster.nodeInfo("127.0.30.1")]);
  expect(first.agent_version).toBe("3.5.0");
  expect(second).toBe(first);
  expect(a.requests.filter((r) => r.line === "GET /agent/node_info").length).toBe(before + 1);
  await cluster.close();
});

test("Cluster.connect with a wrong token explains the fix", async () => {
  await expect(Cluster.connect({ host: "127.0.30.1", authToken: "nope", port: a.port })).rejects.toThrow(
    "make sure auth_token config option on nodes is set correctly",
  );
});
