/**
 * Health check against TLS-only CQL (client encryption on) and the scheduled `healthcheck` tasks: the emulator
 * (127.0.34.x) with our agents, our app and E's Manager. A task run pings every node and sets the gauges.
 */
import { afterAll, beforeAll, expect, test } from "bun:test";
import type { Registry } from "prom-client";
import type { NodeStatusJson } from "../../src/healthcheck/model.ts";
import type { Manager } from "../../src/manager/manager.ts";
import type { createApp } from "../../src/server/app.ts";
import type { Store } from "../../src/store/store.ts";
import { type EmulatedCluster, startCluster } from "../emulator/index.ts";
import { startInProcessServer } from "../support/in-process-server.ts";

const TOKEN = "e2e-tls-token";
let cluster: EmulatedCluster;
let store: Store;
let manager: Manager;
let metrics: Registry;
let app: ReturnType<typeof createApp>;

beforeAll(async () => {
  cluster = await startCluster({ dcs: [2], ipPrefix: "127.0.34.", agents: { authToken: TOKEN }, tls: true });
  ({ store, metrics, manager, app } = await startInProcessServer());
}, 30_000);
afterAll(async () => {
  await manager?.close();
  await cluster?.close();
});

test("CQL is pinged over TLS when the nodes require it; status shows SSL", async () => {
  const host = cluster.nodes[0]?.ip as string;
  const created = await app.request("/api/v1/clusters", {
    method: "POST",
    body: JSON.stringify({ host, name: "tls", auth_token: TOKEN }),
  });
  expect(created.status).toBe(201);
  const nodes = (await (await app.request("/api/v1/cluster/tls/status")).json()) as NodeStatusJson[];
  expect(nodes.map((n) => [n.host, n.ssl, n.cql_status])).toEqual(cluster.nodes.map((n) => [n.ip, true, "UP"]));
});

test("a scheduled healthcheck run pings every node and sets the gauges", async () => {
  const [record] = await store.listClusters();
  const clusterId = record?.id as string;
  const tasks = await store.listTasks(clusterId, { type: "healthcheck" });
  for (const task of tasks) await manager.tasks.start(clusterId, task.type, task.id);
  const deadline = Date.now() + 10_000;
  let text = "";
  while (Date.now() < deadline) {
    text = await metrics.metrics();
    const done = ["cql", "rest"].every((mode) =>
      cluster.nodes.every((n) =>
        text.includes(
          `scylla_manager_healthcheck_${mode}_status{cluster="${clusterId}",dc="${n.dc}",rack="${n.rack}",host="${n.ip}"} 1`,
        ),
      ),
    );
    if (done) break;
    await Bun.sleep(100);
  }
  for (const mode of ["cql", "rest"]) {
    for (const node of cluster.nodes) {
      expect(text).toContain(
        `scylla_manager_healthcheck_${mode}_status{cluster="${clusterId}",dc="${node.dc}",rack="${node.rack}",host="${node.ip}"} 1`,
      );
    }
  }
  expect(text).toContain(`scylla_manager_cluster_name{cluster="${clusterId}",name="tls"} 0`);
}, 20_000);
