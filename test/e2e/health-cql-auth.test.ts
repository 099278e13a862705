/**
 * CQL health check with PasswordAuthenticator on (emulator on 127.0.33.x, our agents): without credentials the
 * raw OPTIONS frame says UP (and Alternator answers SM's Scan ping); a wrong password is UNAUTHORIZED; the right one is UP; the API never returns them.
 */
import { afterAll, beforeAll, expect, test } from "bun:test";
import { Registry } from "prom-client";
import * as v from "valibot";
import { ServerConfigSchema } from "../../src/config/server.ts";
import type { NodeStatusJson } from "../../src/healthcheck/model.ts";
import { ensureClusterServices } from "../../src/healthcheck/wiring.ts";
import { createApp } from "../../src/server/app.ts";
import { createMemoryStore } from "../../src/store/memory.ts";
import { createSilentLogger } from "../../src/util/log.ts";
import { type EmulatedCluster, startCluster } from "../emulator/index.ts";
import { callApi } from "../support/in-process-server.ts";

const TOKEN = "e2e-health-token";
let cluster: EmulatedCluster;
let app: ReturnType<typeof createApp>;

beforeAll(async () => {
  cluster = await startCluster({
    dcs: [2],
    ipPrefix: "127.0.33.",
    agents: { authToken: TOKEN },
    auth: "cassandra:s3cret",
    alternator: true,
  });
  const store = createMemoryStore();
  const deps = {
    store,
    config: v.parse(ServerConfigSchema, {}),
    logger: createSilentLogger(),
    metrics: new Registry(),
  };
  ensureClusterServices(deps);
  app = createApp(deps);
}, 30_000);
afterAll(async () => {
  await cluster?.close();
});

function call(method: string, path: string, body?: unknown) {
  return callApi(app, method, path, body);
}

async function cqlStatuses(name: string): Promise<string[]> {
  const answer = await call("GET", `/cluster/${name}/status`);
  expect(answer.status).toBe(200);
  return (answer.json as NodeStatusJson[]).map((n) => n.cql_status);
}

test("no credentials → UP by the raw frame; wrong password → UNAUTHORIZED; right one → UP", async () => {
  const host = cluster.nodes[0]?.ip as string;
  expect((await call("POST", "/clusters", { host, name: "plain", auth_token: TOKEN })).status).toBe(201);
  expect(await cqlStatuses("plain")).toEqual(["UP", "UP"]);
  const plain = (await call("GET", "/cluster/plain/status")).json as NodeStatusJson[];
  // Alternator without enforced authorization: SM's unsigned DynamoDB Scan ping.
  expect(plain.map((n) => [n.alternator_status, n.alternator_cause])).toEqual([
    ["UP", ""],
    ["UP", ""],
  ]);

  const wrong = { host, name: "wrong", auth_token: TOKEN, username: "cassandra", password: "nope" };
  expect((await call("POST", "/clusters", wrong)).status).toBe(201);
  const wrongStatus = await call("GET", "/cluster/wrong/status");
  expect((wrongStatus.json as NodeStatusJson[]).map((n) => n.cql_status)).toEqual(["UNAUTHORIZED", "UNAUTHORIZED"]);
  expect((wrongStatus.json as NodeStatusJson[])[0]?.cql_cause).not.toBe("");

  const right = { host, name: "right", auth_token: TOKEN, username: "cassandra", password: "s3cret" };
  expect((await call("POST", "/clusters", right)).status).toBe(201);
  expect(await cqlStatuses("right")).toEqual(["UP", "UP"]);

  // Credentials never come back: masked in the list, absent from get, absent from status.
  const list = await call("GET", "/clusters");
  const one = await call("GET", "/cluster/right");
  for (const text of [list.text, one.text, wrongStatus.text]) {
    expect(text).not.toContain("s3cret");
    expect(text).not.toContain("nope");
  }
  expect(list.json.find((c: { name: string }) => c.name === "right")).toMatchObject({
    username: "set",
    password: "set",
  });
}, 20_000);
