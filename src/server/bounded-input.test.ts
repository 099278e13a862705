/**
 * Bounded input at the daemon's boundary (issue 10): every body is limited (declared or chunked) before the app
 * buffers it, and names, labels, windows, retries, durations and query values are limited by the schemas, with a
 * 400 naming the field and the limit, before anything is stored. Runs the real listener on 127.4.1.x.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { chunkedBody, rawRequest } from "../../test/support/raw-http.ts";
import { defaultServerConfig } from "../config/server.ts";
import { INPUT_LIMITS } from "../util/input-limits.ts";
import { createSilentLogger } from "../util/log.ts";
import { type Daemon, startDaemon } from "./daemon.ts";

const CLUSTER_ID = "5b1c1a5e-8c8e-4b7e-9f0e-3d3a1f2b4c5d";
let daemon: Daemon;
let base = "";
let host = "";
let port = 0;
let taskPath = "";

beforeAll(async () => {
  const config = { ...defaultServerConfig(), store: "memory" as const, prometheus: "", http: "127.4.1.1:0" };
  daemon = await startDaemon([], { config, logger: createSilentLogger() });
  base = daemon.urls.http ?? "";
  const url = new URL(base);
  host = url.hostname;
  port = Number(url.port);
  await daemon.deps.store.putCluster({
    id: CLUSTER_ID,
    name: "c1",
    labels: {},
    host: "127.4.1.2",
    knownHosts: [],
    port: 0,
    authToken: "",
    forceTlsDisabled: false,
    forceNonSslSessionPort: false,
  });
  const created = await fetch(`${base}/api/v1/cluster/c1/tasks`, {
    method: "POST",
    body: JSON.stringify({ type: "healthcheck", name: "hc", enabled: false, properties: { mode: "rest" } }),
  });
  expect(created.status).toBe(201);
  taskPath = created.headers.get("location") ?? "";
});
afterAll(() => daemon.close());

async function clusterNames(): Promise<string[]> {
  return (await daemon.deps.store.listClusters()).map((c) => c.name);
}

function rss(): number {
  Bun.gc(true);
  return process.memoryUsage().rss;
}

describe("request bodies are bounded for every request", () => {
  test("a declared 512 MiB body is refused with 413 before a byte of it is read", async () => {
    const before = rss();
    const answer = await rawRequest({
      host,
      port,
      head:
        "POST /api/v1/clusters HTTP/1.1\r\nHost: x\r\ncontent-type: application/json\r\n" +
        `content-length: ${512 * 1024 * 1024}\r\n\r\n{"host":"127.4.1.2","name":"`,
      body: (function* () {
        for (let i = 0; i < 64; i++) yield Buffer.alloc(1024 * 1024, 0x61);
      })(),
    });
    expect(answer.status).toBe(413);
    expect(JSON.parse(answer.body).message).toContain(`at most ${INPUT_LIMITS.bodyBytes} bytes`);
    expect(rss() - before).toBeLessThan(50 * 1024 * 1024);
    expect(await clusterNames()).toEqual(["c1"]);
  });

  test("a 64 MiB chunked name is cut at the limit: 413, the daemon does not grow, nothing stored", async () => {
    const before = rss();
    const answer = await rawRequest({
      host,
      port,
      head: "POST /api/v1/clusters HTTP/1.1\r\nHost: x\r\ncontent-type: application/json\r\ntransfer-encoding: chunked\r\n\r\n",
      body: chunkedBody('{"host":"127.4.1.2","name":"', 64, 1024 * 1024),
    });
    expect(answer.status).toBe(413);
    expect(JSON.parse(answer.body)).toMatchObject({ message: expect.stringContaining("request body too large") });
    expect(rss() - before).toBeLessThan(50 * 1024 * 1024);
    expect(await clusterNames()).toEqual(["c1"]);
    // The daemon still answers.
    expect((await fetch(`${base}/api/v1/clusters`)).status).toBe(200);
  });

  test("the same limit holds for the app without the listener (app.request, other servers)", async () => {
    const { createApp } = await import("./app.ts");
    const app = createApp(daemon.deps);
    const big = `{"host":"127.4.1.2","name":"${"a".repeat(INPUT_LIMITS.bodyBytes)}"}`;
    const answer = await app.request("/api/v1/clusters", { method: "POST", body: big });
    expect(answer.status).toBe(413);
  });
});

describe("fields are bounded: 400 naming the field and the limit, nothing stored", () => {
  const cases: [string, string, string, unknown, string][] = [
    [
      "1 MiB cluster name",
      "POST",
      "/api/v1/clusters",
      { host: "h", name: "a".repeat(1 << 20) },
      "name: too long: 1048576 characters, the limit is 255",
    ],
    ["cluster name with NUL", "POST", "/api/v1/clusters", { host: "h", name: "a\u0000b" }, "name: control characters"],
    [
      "cluster name with a terminal escape",
      "POST",
      "/api/v1/clusters",
      { host: "h", name: "\u001b[2Jx" },
      "name: control characters",
    ],
    [
      "cluster name with a lone surrogate",
      "POST",
      "/api/v1/clusters",
      { host: "h", name: "a\ud800b" },
      "name: not valid Unicode",
    ],
    [
      "100 labels",
      "POST",
      "/api/v1/clusters",
      { host: "h", labels: Object.fromEntries(Array.from({ length: 100 }, (_, i) => [`k${i}`, "v"])) },
      "labels: too many labels: 100, the limit is 64",
    ],
    [
      "long label value",
      "POST",
      "/api/v1/clusters",
      { host: "h", labels: { k: "v".repeat(600) } },
      "labels value: too long: 600 characters, the limit is 512",
    ],
    [
      "long host",
      "POST",
      "/api/v1/clusters",
      { host: "h".repeat(300) },
      "host: too long: 300 characters, the limit is 255",
    ],
    [
      "1 MiB task name",
      "POST",
      "/api/v1/cluster/c1/tasks",
      { type: "healthcheck", name: "n".repeat(1 << 20) },
      "name: too long: 1048576 characters, the limit is 255",
    ],
    [
      "100,000-point window",
      "POST",
      "/api/v1/cluster/c1/tasks",
      { type: "healthcheck", schedule: { window: Array(100_000).fill("1:00") } },
      "schedule.window: too many items: 100000, the limit is 512",
    ],
    [
      "num_retries 1e12",
      "POST",
      "/api/v1/cluster/c1/tasks",
      { type: "healthcheck", schedule: { num_retries: 1e12 } },
      "schedule.num_retries: 1000000000000 is out of range, the limit is 0..100",
    ],
    [
      "interval 99999999999999999999h",
      "POST",
      "/api/v1/cluster/c1/tasks",
      { type: "healthcheck", schedule: { interval: "99999999999999999999h" } },
      "schedule.interval: duration out of range, the limit is 3650d",
    ],
    [
      "@every 1ns",
      "POST",
      "/api/v1/cluster/c1/tasks",
      { type: "healthcheck", properties: { mode: "rest" }, schedule: { cron: "@every 1ns" } },
      "@every needs at least 1s",
    ],
    [
      "@every 1000000h",
      "POST",
      "/api/v1/cluster/c1/tasks",
      { type: "healthcheck", properties: { mode: "rest" }, schedule: { cron: "@every 1000000h" } },
      "duration out of range",
    ],
    [
      "healthcheck mode bogus",
      "POST",
      "/api/v1/cluster/c1/tasks",
      { type: "healthcheck", properties: { mode: "bogus" } },
      "invalid healthcheck properties",
    ],
    [
      "properties as an array",
      "POST",
      "/api/v1/cluster/c1/tasks",
      { type: "healthcheck", properties: [1, 2] },
      "properties: expected a JSON object, got array",
    ],
    ["task body as an array", "PUT", "TASK", [], "body: expected a JSON object, got array"],
  ];
  for (const [name, method, path, body, message] of cases) {
    test(name, async () => {
      const before = await daemon.deps.store.listTasks(CLUSTER_ID);
      const answer = await fetch(`${base}${path === "TASK" ? taskPath : path}`, { method, body: JSON.stringify(body) });
      const json = (await answer.json()) as { message: string };
      expect([answer.status, json.message]).toEqual([400, expect.stringContaining(message)]);
      expect(json.message.length).toBeLessThan(1000);
      expect(await clusterNames()).toEqual(["c1"]);
      expect(await daemon.deps.store.listTasks(CLUSTER_ID)).toEqual(before);
    });
  }
});

describe("bodies Go's decoder refuses are refused", () => {
  const raw: [string, string | Uint8Array, string][] = [
    ["whitespace", " \n\t ", "malformed request: EOF"],
    ["empty", "", "malformed request: EOF"],
    ["a byte-order mark", `\ufeff{"name":"x"}`, "invalid character 'ï' looking for beginning of value"],
    ["invalid UTF-8", Buffer.from([0x7b, 0x22, 0x6e, 0x22, 0x3a, 0x22, 0xff, 0xfe, 0x22, 0x7d]), "not valid UTF-8"],
    ["a 100,000-deep array", "[".repeat(100_000) + "]".repeat(100_000), "exceeded max depth"],
    ["a 100,000-deep object", '{"a":'.repeat(100_000) + "1" + "}".repeat(100_000), "exceeded max depth"],
    ["bad JSON", "{not json", "malformed request: invalid JSON body"],
  ];
  for (const [name, body, message] of raw) {
    test(`PUT task with ${name} → 400`, async () => {
      const answer = await fetch(`${base}${taskPath}`, { method: "PUT", body });
      const json = (await answer.json()) as { message: string };
      expect([answer.status, json.message]).toEqual([400, expect.stringContaining(message)]);
      expect(json.message.length).toBeLessThan(200);
    });
  }
});

describe("query values and the request target", () => {
  test("a history limit beyond the integer range is a 400, without internals", async () => {
    for (const limit of ["1e30", "99999999999999999999", "-1", "2147483648"]) {
      const answer = await fetch(`${base}${taskPath}/history?limit=${limit}`);
      const json = (await answer.json()) as { message: string };
      expect([limit, answer.status]).toEqual([limit, 400]);
      expect(json.message).toContain("limit: must be an integer between 0 and 2147483647");
    }
  });

  test("routing uses the request target, never the Host header", async () => {
    const answer = await rawRequest({ host, port, head: "GET /nothing HTTP/1.1\r\nHost: x/api/v1/clusters?\r\n\r\n" });
    expect(answer.status).toBe(400);
    expect(answer.body).toContain("malformed Host header");
    const tricky = await rawRequest({ host, port, head: "GET /nothing HTTP/1.1\r\nHost: x\r\n\r\n" });
    expect(tricky.status).toBe(404);
    expect(JSON.parse(tricky.body).message).toContain("find endpoint for path /nothing");
    const absolute = await rawRequest({
      host,
      port,
      head: "GET http://elsewhere/api/v1/version HTTP/1.1\r\nHost: elsewhere\r\n\r\n",
    });
    expect(absolute.status).toBe(200);
  });

  test("a malformed or missing Host is a 400 without a development page", async () => {
    for (const head of [
      "GET /api/v1/clusters HTTP/1.1\r\nHost: a@b\r\n\r\n",
      "GET /api/v1/clusters HTTP/1.1\r\nHost: a b\r\n\r\n",
      "GET /api/v1/clusters HTTP/1.1\r\n\r\n",
    ]) {
      const answer = await rawRequest({ host, port, head });
      expect([head, answer.status]).toEqual([head, 400]);
      expect(answer.body).not.toContain(" at ");
    }
  });
});

describe("the served contract matches what the server answers", () => {
  test("GET /tasks may be null; POST .../target declares its path parameters and its errors", async () => {
    const doc = (await (await fetch(`${base}/api/v1/openapi.json`)).json()) as {
      paths: Record<
        string,
        Record<string, { responses: Record<string, { schema?: object }>; parameters?: { name: string; in: string }[] }>
      >;
    };
    expect(doc.paths["/cluster/{cluster_id}/tasks"]?.get?.responses["200"]?.schema).toMatchObject({
      "x-nullable": true,
    });
    const none = await fetch(`${base}/api/v1/cluster/c1/tasks?type=repair`);
    expect(await none.json()).toBeNull();
    const target = doc.paths["/cluster/{cluster_id}/tasks/{task_type}/target"];
    expect(target?.post?.parameters?.map((p) => `${p.in}:${p.name}`)).toEqual([
      "path:cluster_id",
      "path:task_type",
      "body:taskFields",
    ]);
    // 400 (malformed body, a type without a target) and 404 (no such cluster) are ErrorResponses under `default`.
    expect(Object.keys(target?.post?.responses ?? {})).toEqual(expect.arrayContaining(["200", "default"]));
  });
});
