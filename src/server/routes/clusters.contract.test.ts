/**
 * Contract test of the cluster, status and Consul routes: every response body is validated against
 * SM's swagger 2.0 (test/support/sm-contract.ts → JSON schema draft-04, with ajv-draft-04), made stricter than swagger
 * (no unknown properties) so that misspelt keys fail. SM's documented deviations are listed in DEVIATIONS.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { Hono } from "hono";
import { Registry } from "prom-client";
import * as v from "valibot";
import { createSmContractValidator, readSmDefinitions } from "../../../test/support/sm-contract.ts";
import { type FakeAgent, startFakeAgent } from "../../clients/scylla/testdata/fake-agent.ts";
import { ServerConfigSchema } from "../../config/server.ts";
import { ensureClusterServices } from "../../healthcheck/wiring.ts";
import { Manager } from "../../manager/manager.ts";
import { createMemoryStore } from "../../store/memory.ts";
import type { Store } from "../../store/store.ts";
import { createSilentLogger } from "../../util/log.ts";
import { createApp } from "../app.ts";
import { createMetricsApp } from "../daemon.ts";
import type { ServerDeps } from "../deps.ts";

/**
 * Where we knowingly differ from SM (and why). Each entry is applied to the schema or asserted below.
 * - Cluster: `agent_ca_cert`, `agent_cert_fingerprint` are our extension (agent certificate verification); they are
 *   present only when set, and SM clients ignore unknown keys.
 * - PUT /cluster/{id}: SM echoes the body as sent (credentials included); we answer the stored cluster so credentials
 *   never leave the server. Same schema.
 * - ClusterStatus `*_rtt_ms`: SM sends whole milliseconds; we send fractional ms (the type is number/float).
 */
const DEVIATIONS = { extraClusterProperties: ["agent_ca_cert", "agent_cert_fingerprint"] };

const swaggerDefinitions = readSmDefinitions();

/** Forbids unknown properties on object schemas (walking schema nodes only), plus the `extra` allowed names. */
function strict(schema: unknown, extra: string[] = []): unknown {
  if (schema === null || typeof schema !== "object" || Array.isArray(schema)) return schema;
  const out: Record<string, unknown> = { ...(schema as Record<string, unknown>) };
  if (out.items) out.items = strict(out.items, extra);
  if (out.properties) {
    const properties: Record<string, unknown> = {};
    for (const [name, value] of Object.entries(out.properties as Record<string, unknown>))
      properties[name] = strict(value);
    for (const name of extra) properties[name] = { type: "string" };
    out.properties = properties;
    if (out.additionalProperties === undefined) out.additionalProperties = false;
  }
  return out;
}

const { validate, validateArray } = createSmContractValidator({
  ...swaggerDefinitions,
  Cluster: strict(swaggerDefinitions.Cluster, DEVIATIONS.extraClusterProperties),
  ClusterStatus: strict(swaggerDefinitions.ClusterStatus),
  ErrorResponse: strict(swaggerDefinitions.ErrorResponse),
});

let a: FakeAgent;
let b: FakeAgent;
let store: Store;
let app: Hono;
let deps: ServerDeps;
let manager: Manager;

beforeAll(async () => {
  a = await startFakeAgent("127.0.30.1", 0, "token");
  b = await startFakeAgent("127.0.30.2", a.port, "token");
  store = createMemoryStore();
  const config = v.parse(ServerConfigSchema, {});
  const metrics = new Registry();
  manager = new Manager({ store, config, metrics });
  deps = { store, config, logger: createSilentLogger(), metrics, manager };
  ensureClusterServices(deps);
  await manager.start();
  app = new Hono();
  app.route("/", createApp(deps));
  app.route("/", createMetricsApp(deps));
});
afterAll(async () => {
  await manager.close();
  a.stop();
  b.stop();
});

async function call(method: string, path: string, body?: unknown) {
  const response = await app.request(path, {
    method,
    body: body === undefined ? undefined : typeof body === "string" ? body : JSON.stringify(body),
  });
  const text = await response.text();
  return { status: response.status, headers: response.headers, json: text === "" ? undefined : JSON.parse(text) };
}

describe("cluster routes against the contract", () => {
  let id = "";

  test("POST /clusters → 201 + Location, empty body; the default health checks exist", async () => {
    const created = await call("POST", "/api/v1/clusters", {
      host: "127.0.30.1",
      port: a.port,
      name: "prod",
      auth_token: "token",
      username: "cassandra",
      password: "secret",
    });
    expect(created.status).toBe(201);
    expect(created.json).toBeUndefined();
    id = created.headers.get("Location")?.replace("/api/v1/cluster/", "") ?? "";
    expect(id).toMatch(/^[0-9a-f-]{36}$/);
    const tasks = await store.listTasks(id);
    expect(tasks.map((t) => `${t.type}/${t.name}`).sort()).toEqual([
      "healthcheck/alternator",
      "healthcheck/cql",
      "healthcheck/rest",
    ]);
  });

  test("GET /clusters masks credentials; GET /cluster/{name} omits them", async () => {
    const list = await call("GET", "/api/v1/clusters");
    expect(list.status).toBe(200);
    expect(validateArray("Cluster", list.json)).toBe("");
    expect(list.json[0]).toMatchObject({ id, name: "prod", username: "set", password: "set", port: a.port });
    const one = await call("GET", "/api/v1/cluster/prod");
    expect(one.status).toBe(200);
    expect(validate("Cluster", one.json)).toBe("");
    expect(one.json.username).toBeUndefined();
    expect(JSON.stringify([list.json, one.json])).not.toContain("secret");
  });

  test("PUT /cluster/{id} → 200 + the stored cluster, never the credentials", async () => {
    const put = await call("PUT", `/api/v1/cluster/${id}`, {
      host: "127.0.30.1",
      port: a.port,
      name: "prod2",
      auth_token: "token",
      username: "u2",
      password: "p2",
    });
    expect(put.status).toBe(200);
    expect(validate("Cluster", put.json)).toBe("");
    expect(put.json).toMatchObject({ id, name: "prod2" });
    expect(JSON.stringify(put.json)).not.toContain("p2");
  });

  test("GET /cluster/{id}/status → ClusterStatus", async () => {
    const status = await call("GET", `/api/v1/cluster/${id}/status`);
    expect(status.status).toBe(200);
    expect(validate("ClusterStatus", status.json)).toBe("");
    expect(status.json.map((s: { host: string; rest_status: string }) => [s.host, s.rest_status])).toEqual([
      ["127.0.30.1", "UP"],
      ["127.0.30.2", "UP"],
    ]);
  });

  test("a healthcheck round sets the gauges on /metrics", async () => {
    await ensureClusterServices(deps).healthcheck.runPing(id, "rest");
    const text = await (await app.request("/metrics")).text();
    expect(text).toContain(`scylla_manager_cluster_name{cluster="${id}",name="prod2"} 0`);
    expect(text).toContain(
      `scylla_manager_healthcheck_rest_status{cluster="${id}",dc="dc1",rack="rack1",host="127.0.30.1"} 1`,
    );
    expect(text).toMatch(/scylla_manager_healthcheck_rest_rtt_ms\{[^}]*host="127.0.30.2"\} \d/);
  });

  test("bad input → SM's status and an ErrorResponse, nothing stored", async () => {
    const cases: [string, string, unknown, number, string][] = [
      ["POST", "/api/v1/clusters", "{not json", 400, "malformed request"],
      ["POST", "/api/v1/clusters", { name: "x" }, 400, "invalid cluster: missing host"],
      ["POST", "/api/v1/clusters", { host: "127.0.30.1", port: "x" }, 400, "malformed request: port"],
      [
        "POST",
        "/api/v1/clusters",
        { host: "127.0.30.1", name: "prod2", port: a.port, auth_token: "token" },
        400,
        'name "prod2" is already taken',
      ],
      ["POST", "/api/v1/clusters", { host: "127.0.30.1", name: id }, 400, "name cannot be an UUID"],
      ["POST", "/api/v1/clusters", { host: "127.0.30.1", password: "p" }, 400, "missing username"],
      ["GET", "/api/v1/cluster/nope", undefined, 404, "not found"],
      ["GET", "/api/v1/cluster/nope/status", undefined, 404, "not found"],
      ["DELETE", `/api/v1/cluster/${id}?cql_creds=maybe`, undefined, 400, "malformed request"],
    ];
    for (const [method, path, body, status, message] of cases) {
      const answer = await call(method, path, body);
      expect([path, answer.status]).toEqual([path, status]);
      expect(validate("ErrorResponse", answer.json)).toBe("");
      expect(answer.json.message).toContain(message);
    }
    expect((await store.listClusters()).length).toBe(1);
  });

  test("Consul SD lists every node with SM's keys and an incrementing index", async () => {
    const self = await call("GET", "/v1/agent/self");
    expect(self.json).toEqual({ Config: { Datacenter: "scylla-manager" } });
    expect((await call("GET", "/v1/catalog/services")).json).toEqual({ scylla: ["prod2"] });
    const first = await app.request("/v1/catalog/service/scylla");
    const nodes = (await first.json()) as {
      ServiceAddress: string;
      ServicePort: number;
      ServiceMeta: Record<string, string>;
    }[];
    expect(nodes.map((n) => [n.ServiceAddress, n.ServicePort, n.ServiceMeta.shard_num, n.ServiceMeta.dc])).toEqual([
      ["127.0.30.1", 9180, "2", "dc1"],
      ["127.0.30.2", 9180, "2", "dc1"],
    ]);
    const second = await app.request("/v1/health/service/scylla");
    expect(Number(second.headers.get("X-Consul-Index"))).toBeGreaterThan(Number(first.headers.get("X-Consul-Index")));
  });

  test("DELETE with cql_creds keeps the cluster; DELETE without flags removes it and soft-deletes its tasks", async () => {
    expect((await call("DELETE", `/api/v1/cluster/${id}?cql_creds=true`)).status).toBe(200);
    const list = await call("GET", "/api/v1/clusters");
    expect(list.json[0].username).toBeUndefined();
    expect((await call("DELETE", `/api/v1/cluster/${id}`)).status).toBe(200);
    expect((await call("GET", "/api/v1/clusters")).json).toEqual([]);
    const tasks = await store.listTasks(id, { includeDeleted: true });
    expect(tasks.every((t) => t.deleted && !t.enabled && t.name === "")).toBe(true);
  });
});
