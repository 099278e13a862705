import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { patternStream } from "./testing/fake-scylla.ts";
import { startTestAgent, TEST_TOKEN, type TestAgent } from "./testing/harness.ts";

let t: TestAgent;

beforeAll(async () => {
  t = await startTestAgent("127.0.20.1");
});
afterAll(async () => {
  await t.close();
});

describe("unauthenticated endpoints", () => {
  test("GET /ping answers 204 with an empty body", async () => {
    const res = await t.request("/ping", { token: null });
    expect(res.status).toBe(204);
    expect(await res.text()).toBe("");
  });

  test("GET /version answers the version", async () => {
    const res = await t.request("/version", { token: null });
    expect(res.status).toBe(200);
    expect(typeof ((await res.json()) as { version: string }).version).toBe("string");
  });
});

describe("auth", () => {
  test("a missing header waits 1 s, then answers SM's exact 401 body", async () => {
    const start = performance.now();
    const res = await t.request("/storage_service/host_id", { token: null });
    expect(performance.now() - start).toBeGreaterThanOrEqual(990);
    expect(res.status).toBe(401);
    expect(await res.text()).toBe('{"message":"unauthorized","code":401}');
  });

  test("a wrong token is refused after the penalty, and Scylla never sees the request", async () => {
    const before = t.scylla.requests.length;
    const start = performance.now();
    const res = await t.request("/storage_service/host_id", { token: "wrong" });
    expect(performance.now() - start).toBeGreaterThanOrEqual(990);
    expect(res.status).toBe(401);
    expect(t.scylla.requests.length).toBe(before);
  });

  test("a token that is a prefix of the real one is refused", async () => {
    const res = await t.request("/agent/node_info", { token: TEST_TOKEN.slice(0, -1) });
    expect(res.status).toBe(401);
  });

  test("the Bearer prefix is case-insensitive", async () => {
    const res = await t.request("/storage_service/host_id", { headers: { authorization: `bEaReR ${TEST_TOKEN}` } });
    expect(res.status).toBe(200);
  });

  test("a non-Bearer scheme is refused", async () => {
    const res = await t.request("/storage_service/host_id", { headers: { authorization: `Basic ${TEST_TOKEN}` } });
    expect(res.status).toBe(401);
  });
});

describe("proxy", () => {
  test("method, path, query and headers reach Scylla unchanged", async () => {
    const res = await t.request("/storage_service/host_id?a=1&b=x%20y", { headers: { "x-custom": "v" } });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual([{ key: "127.0.20.1", value: "8a3b6a6e-3b8c-4c11-9a55-3a6cbd5d1e01" }]);
    expect(t.scylla.requests.at(-1)).toBe("GET /storage_service/host_id?a=1&b=x%20y");
    expect(t.scylla.lastHeaders?.get("x-custom")).toBe("v");
    expect(t.scylla.lastHeaders?.get("authorization")).toBe(`Bearer ${TEST_TOKEN}`);
  });

  test("Scylla's error status and body pass through", async () => {
    const res = await t.request("/no/such/path");
    expect(res.status).toBe(404);
    expect(((await res.json()) as { code: number }).code).toBe(404);
  });

  test("a 256 MiB upload and download stream through without being buffered whole", async () => {
    const size = 256 * 1024 * 1024;
    const rssBefore = process.memoryUsage.rss();
    const init: RequestInit & { duplex: "half" } = {
      method: "POST",
      body: patternStream(size),
      headers: { "content-type": "application/octet-stream" },
      duplex: "half",
    };
    const up = await t.request("/echo?x=1", init);
    expect(up.status).toBe(200);
    expect(up.headers.get("x-echo-query")).toBe("?x=1");
    let received = 0;
    for await (const chunk of up.body as ReadableStream<Uint8Array>) received += chunk.byteLength;
    expect(received).toBe(size);
    const down = await t.request(`/big?size=${size}`);
    let got = 0;
    for await (const chunk of down.body as ReadableStream<Uint8Array>) got += chunk.byteLength;
    expect(got).toBe(size);
    // Generous: buffering 256 MiB whole would add at least that much.
    expect(process.memoryUsage.rss() - rssBefore).toBeLessThan(200 * 1024 * 1024);
  }, 20_000);

  test("a caller that goes away cancels the upstream call", async () => {
    const controller = new AbortController();
    const pending = t.request("/hang", { signal: controller.signal }).catch(() => "aborted");
    await Bun.sleep(100);
    controller.abort();
    expect(await pending).toBe("aborted");
    for (let i = 0; i < 50 && t.scylla.abortedHangs === 0; i++) await Bun.sleep(20);
    expect(t.scylla.abortedHangs).toBe(1);
  });

  test("/metrics proxies Scylla's Prometheus endpoint (auth required)", async () => {
    const res = await t.request("/metrics?name=database_total_writes");
    expect(res.status).toBe(200);
    expect(await res.text()).toContain("scylla_database_total_writes");
    expect(t.scylla.requests.at(-1)).toBe("GET /metrics?name=database_total_writes");
  });
});

describe("agent endpoints", () => {
  test("node_info has SM's fields and types, zero values omitted as SM's agent does", async () => {
    const res = await t.request("/agent/node_info");
    expect(res.status).toBe(200);
    const info = (await res.json()) as Record<string, unknown>;
    expect(info).toMatchObject({
      api_address: "127.0.20.1",
      api_port: String(t.scylla.port),
      listen_address: "127.0.20.1",
      native_transport_port: "9042",
      native_transport_port_ssl: "9142",
      rpc_port: "9160",
      alternator_port: "8000",
      data_directory: t.dataDir,
      client_encryption_enabled: true,
      cql_password_protected: true,
      consistent_cluster_management: true,
      scylla_version: "2025.1.0-0.20250101.abcdef",
      object_storage_endpoints: { minio: { name: "minio", port: 9000, aws_region: "us-east-1" } },
      rclone_backend_config: { s3: {}, gcs: {} },
    });
    for (const zero of [
      "alternator_https_port",
      "alternator_address",
      "client_encryption_require_auth",
      "alternator_enforce_authorization",
      "sstable_uuid_format",
      "enable_tablets",
    ]) {
      expect(info).not.toHaveProperty(zero);
    }
    expect(info.rclone_backend_config).toEqual({ s3: {}, gcs: {} });
    expect((info.object_storage_endpoints as Record<string, unknown>).minio).toEqual({
      name: "minio",
      port: 9000,
      aws_region: "us-east-1",
    });
    for (const key of ["memory_total", "uptime", "cpu_count", "storage_size"]) {
      expect(Number.isInteger(info[key])).toBe(true);
      expect(info[key] as number).toBeGreaterThan(0);
    }
  });

  test("cloud/metadata answers 200 with {} off-cloud (SM omits zero values), quickly", async () => {
    const start = performance.now();
    const res = await t.request("/agent/cloud/metadata");
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({});
    expect(performance.now() - start).toBeLessThan(5000);
  });

  test("GET pin_cpu reports this process's CPUs", async () => {
    const res = await t.request("/agent/pin_cpu");
    expect(res.status).toBe(200);
    const body = (await res.json()) as { cpu: number[] };
    expect(body.cpu.length).toBeGreaterThan(0);
  });

  test("free_os_memory answers 200", async () => {
    expect((await t.request("/agent/free_os_memory", { method: "POST" })).status).toBe(200);
  });

  test("unknown /agent paths are 404", async () => {
    expect((await t.request("/agent/nope")).status).toBe(404);
  });

  test("the metrics listener exposes the agent's own metrics", async () => {
    const res = await fetch(`${t.agent.prometheusUrl}/metrics`);
    const text = await res.text();
    expect(text).toContain('scylla_manager_agent_http_status_code{method="GET",path="/ping",code="204"}');
    expect(text).toContain("scylla_manager_agent_rclone_bytes_transferred_total");
  });
});

test("Scylla down: the proxy answers 502 with an empty body", async () => {
  const other = await startTestAgent("127.0.20.2");
  try {
    await other.scylla.close();
    const res = await other.request("/storage_service/host_id");
    expect(res.status).toBe(502);
    expect(await res.text()).toBe("");
  } finally {
    await other.close();
  }
});
