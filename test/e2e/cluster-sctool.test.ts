/**
 * sctool cluster/status commands end to end through our REST server (A2's app, E's Manager) against fake agents:
 * the commands' flags, stdout/stderr split and the server's answers.
 */
import { afterAll, beforeAll, expect, test } from "bun:test";
import { type FakeAgent, startFakeAgent } from "../../src/clients/scylla/testdata/fake-agent.ts";
import type { Manager } from "../../src/manager/manager.ts";
import { startInProcessServer } from "../support/in-process-server.ts";
import { runSctool } from "../support/run-sctool.ts";

let a: FakeAgent;
let b: FakeAgent;
let server: ReturnType<typeof Bun.serve>;
let manager: Manager;
let apiUrl = "";

beforeAll(async () => {
  a = await startFakeAgent("127.0.31.1", 0, "token");
  b = await startFakeAgent("127.0.31.2", a.port, "token");
  // The canned host_id/live lists name 127.0.30.x; answer with this test's IPs.
  for (const agent of [a, b]) {
    agent.route("GET /storage_service/host_id", () =>
      Response.json([
        { key: "127.0.31.1", value: "8bfd18f1-ac3b-4694-bcba-30bc272554df" },
        { key: "127.0.31.2", value: "238acd01-813c-4c55-bd65-5219bb19bc20" },
      ]),
    );
    agent.route("GET /gossiper/endpoint/live/", () => Response.json(["127.0.31.1", "127.0.31.2"]));
  }
  const started = await startInProcessServer();
  manager = started.manager;
  server = Bun.serve({ hostname: "127.0.31.10", port: 0, fetch: started.app.fetch });
  apiUrl = `http://127.0.31.10:${server.port}/api/v1`;
});
afterAll(async () => {
  server.stop(true);
  await manager.close();
  a.stop();
  b.stop();
});

const sctool = (...argv: string[]) => runSctool(apiUrl, argv);

test("cluster add prints the ID on stdout and the banner on stderr; list/status/update/delete work", async () => {
  const add = await sctool(
    "cluster",
    "add",
    "--host",
    "127.0.31.2",
    "--port",
    String(a.port),
    "--name",
    "prod",
    "--auth-token",
    "token",
    "-u",
    "cassandra",
    "-p",
    "secret",
    "--label",
    "env=test",
  );
  expect(add.stderr).toContain("Cluster added!");
  expect(add.code).toBe(0);
  const id = add.stdout.trim();
  expect(id).toMatch(/^[0-9a-f-]{36}$/);
  expect(add.stderr).toContain(`$ export SCYLLA_MANAGER_CLUSTER=${id}`);
  expect(add.stderr).toContain("$ sctool status -c prod");
  expect(add.stderr).not.toContain("WARNING! Scylla data may be exposed");

  const list = await sctool("cluster", "list");
  expect(list.stdout).toContain(`| ${id} | prod | env=test | ${a.port} | CQL         |`);
  expect(list.stdout).not.toContain("secret");

  const status = await sctool("status", "-c", "prod");
  expect(status.code).toBe(0);
  expect(status.stdout).toContain("Datacenter: dc1");
  // No CQL server behind the fake agents: CQL is DOWN with its cause (and the time it took, as SM); REST is UP.
  expect(status.stdout).toMatch(/\| UN \| [^|]+\| DOWN SSL \(\d+ms\)\s+\| UP \(\d+ms\)\s+\| 127\.0\.31\.1 /);
  expect(status.stdout).toContain("- 127.0.31.1 CQL: open CQL session: connect ECONNREFUSED 127.0.31.1:9142");

  const all = await sctool("status");
  expect(all.stdout).toContain(`Cluster: prod (${id})`);

  expect((await sctool("cluster", "update", "-c", "prod")).stderr).toContain("nothing to do");
  expect((await sctool("cluster", "update", "-c", "prod", "--name", "prod2", "--delete-cql-credentials")).code).toBe(0);
  const after = await sctool("cluster", "list");
  expect(after.stdout).toContain("| prod2 |");
  expect(after.stdout).not.toContain("CQL");

  expect((await sctool("cluster", "add", "--host", "127.0.31.2", "-u", "x")).stderr).toContain(
    'missing flag "password"',
  );
  const wrong = await sctool("cluster", "add", "--host", "127.0.31.1", "--port", String(a.port), "--auth-token", "bad");
  expect(wrong.code).toBe(1);
  expect(wrong.stderr).toContain("make sure auth_token config option on nodes is set correctly");

  expect((await sctool("cluster", "delete", "-c", "prod2")).code).toBe(0);
  expect((await sctool("cluster", "list")).stdout).not.toContain(id);
});
