import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { ScyllaApiError } from "../../errors.ts";
import { AgentClient } from "../agent/client.ts";
import { resolveAlternatorUrl, resolveCqlEndpoint } from "../agent/node-info.ts";
import type { BackoffPolicy } from "./backoff.ts";
import { ScyllaClient } from "./client.ts";
import { ScyllaTimeoutError } from "./errors.ts";
import { createTestCert, type FakeAgent, startFakeAgent } from "./testdata/fake-agent.ts";
import { fingerprintOfPem } from "./transport.ts";

const FAST: BackoffPolicy = { waitMinMs: 5, waitMaxMs: 20, maxRetries: 3, multiplier: 2, jitter: 0 };
let a: FakeAgent;
let b: FakeAgent;

beforeAll(async () => {
  a = await startFakeAgent("127.0.30.1", 0, "secret");
  b = await startFakeAgent("127.0.30.2", a.port, "secret");
});
afterAll(() => {
  a.stop();
  b.stop();
});

function client(extra: Partial<ConstructorParameters<typeof ScyllaClient>[0]> = {}): ScyllaClient {
  return new ScyllaClient({
    hosts: [a.host, b.host],
    port: a.port,
    authToken: "secret",
    backoff: FAST,
    interactiveBackoff: { ...FAST, maxRetries: 1 },
    ...extra,
  });
}

describe("ScyllaClient", () => {
  test("parses text/plain JSON bodies and sends the bearer token", async () => {
    const c = client();
    expect(await c.releaseVersion({ host: a.host })).toBe("2025.1.0-0.20250101.abcdef");
    expect(a.requests.at(-1)?.authorization).toBe("Bearer secret");
    c.close();
  });

  test("typed calls decode Scylla's shapes", async () => {
    const c = client();
    expect([...(await c.hostIds()).entries()]).toEqual([
      ["127.0.30.1", "8bfd18f1-ac3b-4694-bcba-30bc272554df"],
      ["127.0.30.2", "238acd01-813c-4c55-bd65-5219bb19bc20"],
    ]);
    expect(await c.liveEndpoints()).toEqual(["127.0.30.1", "127.0.30.2"]);
    expect(await c.datacenter("127.0.30.1")).toBe("dc1");
    expect(await c.rack("127.0.30.1")).toBe("rack1");
    expect(await c.keyspaces({ type: "user" })).toEqual(["system", "ks1"]);
    expect(
      a.requests.some((r) => r.line === "GET /storage_service/keyspaces?type=user") ||
        b.requests.some((r) => r.line === "GET /storage_service/keyspaces?type=user"),
    ).toBe(true);
    expect(Object.fromEntries(await c.tables())).toEqual({ system: ["local"], ks1: ["t1", "t2"], alt: ["tab:gsi"] });
    const ring = await c.describeRing("ks1");
    expect(ring[0]?.endpoints).toEqual(["127.0.30.1", "127.0.30.2"]);
    expect(await c.shardCount(a.host)).toBe(2);
    expect(await c.totalMemory(a.host)).toBe(2 * 1073741824);
    c.close();
  });

  test("reads the status code from the error body, not the status line", async () => {
    a.route(
      "GET /storage_service/tokens/x",
      () => new Response('{"message":"no such host","code":404}', { status: 500 }),
    );
    const c = client();
    const error = await c.tokens("x", { host: a.host }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ScyllaApiError);
    expect((error as ScyllaApiError).httpStatus).toBe(404);
    expect((error as ScyllaApiError).host).toBe(a.host);
    expect((error as ScyllaApiError).message).toContain("no such host");
    c.close();
  });

  test("without a forced host a 500 fails over to the other host", async () => {
    let calls = 0;
    const failing = () => {
      calls++;
      return new Response('{"message":"boom","code":500}', { status: 500 });
    };
    a.route("GET /storage_service/cluster_name", failing);
    b.route("GET /storage_service/cluster_name", () => new Response('"Test Cluster"'));
    const c = client({ hosts: [a.host, b.host] });
    const result = await c.request("GET", "/storage_service/cluster_name");
    expect(result.body.toString()).toBe('"Test Cluster"');
    // The failed host goes to the back of the pool.
    expect(c.pool.order()[0]).toBe(b.host);
    expect(calls).toBeLessThanOrEqual(1);
    c.close();
  });

  test("a forced host is retried with backoff on 5xx, never on 4xx", async () => {
    let calls = 0;
    a.route("GET /storage_service/nodes/joining", () => {
      calls++;
      return calls < 3 ? new Response('{"message":"busy","code":503}', { status: 503 }) : new Response("[]");
    });
    const c = client();
    expect(await c.joiningNodes({ host: a.host })).toEqual([]);
    expect(calls).toBe(3);
    calls = 0;
    a.route("GET /storage_service/nodes/leaving", () => {
      calls++;
      return new Response('{"message":"bad","code":400}', { status: 400 });
    });
    await expect(c.leavingNodes({ host: a.host })).rejects.toThrow("bad");
    expect(calls).toBe(1);
    c.close();
  });

  test("forced-host calls leave the pool alone; only pool-picked hosts are marked (as SM's pkg/scyllaclient host pool)", async () => {
    a.route("GET /storage_service/cluster_name", () => new Response('{"message":"boom","code":500}', { status: 500 }));
    const c = client({ hosts: [a.host, b.host] });
    await expect(c.request("GET", "/storage_service/cluster_name", { host: a.host, noRetry: true })).rejects.toThrow(
      "boom",
    );
    // A failed forced-host call (e.g. a repair of one host answering 500) does not demote the host for other calls.
    // (The pool rotates between healthy hosts; a marked host would be last every time.)
    const firsts = [c.pool.order()[0], c.pool.order()[0]];
    expect(firsts).toContain(a.host);
    a.route("GET /storage_service/cluster_name", () => new Response('"Test Cluster"'));
    c.close();
  });

  test("interactive calls retry once", async () => {
    let calls = 0;
    a.route("GET /storage_service/keyspaces", () => {
      calls++;
      return new Response('{"message":"down","code":500}', { status: 500 });
    });
    const c = client();
    const error = await c.keyspaces({}, { host: a.host, interactive: true }).catch((e: unknown) => e);
    expect((error as Error).message).toContain("giving up after 2 attempts");
    expect(calls).toBe(2);
    c.close();
  });

  test("a timeout is a ScyllaTimeoutError with status 0; an abort is never retried", async () => {
    let calls = 0;
    a.route("GET /slow", async () => {
      calls++;
      await Bun.sleep(300);
      return new Response("1");
    });
    const c = client();
    const error = await c.request("GET", "/slow", { host: a.host, timeoutMs: 50, noRetry: true }).catch((e) => e);
    expect(error).toBeInstanceOf(ScyllaTimeoutError);
    expect((error as ScyllaApiError).httpStatus).toBe(0);
    calls = 0;
    const controller = new AbortController();
    setTimeout(() => controller.abort(new Error("stopped by user")), 30);
    await expect(c.request("GET", "/slow", { host: a.host, signal: controller.signal })).rejects.toThrow(
      "stopped by user",
    );
    expect(calls).toBe(1);
    c.close();
  });

  test("401 from the agent keeps status 401 and the host", async () => {
    const c = client({ authToken: "wrong" });
    const error = (await c.ping(a.host).catch((e: unknown) => e)) as ScyllaApiError;
    expect(error.httpStatus).toBe(401);
    expect(error.message).toContain("unauthorized");
    c.close();
  });

  test("a refused connection is status 0 with a dial message", async () => {
    const c = new ScyllaClient({ hosts: ["127.0.30.9"], port: a.port, authToken: "secret" });
    const error = (await c.ping("127.0.30.9").catch((e: unknown) => e)) as ScyllaApiError;
    expect(error.httpStatus).toBe(0);
    expect(error.message).toContain("connection refused");
    c.close();
  });
});

describe("agent TLS verification (beyond SM)", () => {
  test("a pinned fingerprint that matches is accepted", async () => {
    const { cert } = await createTestCert();
    const c = client({ tls: { certFingerprint: fingerprintOfPem(cert).toLowerCase().replaceAll(":", "") } });
    expect(await c.releaseVersion({ host: a.host })).toStartWith("2025.1.0");
    c.close();
  });

  test("a wrong fingerprint fails before the request (and the token) is sent", async () => {
    const before = a.requests.length;
    const c = client({ tls: { certFingerprint: "AA".repeat(32) } });
    const error = (await c.releaseVersion({ host: a.host, noRetry: true }).catch((e: unknown) => e)) as Error;
    expect(error.message).toContain("does not match the pinned");
    expect(a.requests.length).toBe(before);
    c.close();
  });

  test("a CA verifies the chain; the wrong CA is refused", async () => {
    const { cert } = await createTestCert();
    const ok = client({ tls: { caCert: cert } });
    expect(await ok.releaseVersion({ host: a.host })).toStartWith("2025.1.0");
    ok.close();
    const other = await import("selfsigned").then((m) =>
      m.default.generate([{ name: "commonName", value: "other" }], { keySize: 2048 } as never),
    );
    const bad = client({ tls: { caCert: other.cert } });
    await expect(bad.releaseVersion({ host: a.host, noRetry: true })).rejects.toThrow();
    bad.close();
  });
});

describe("AgentClient", () => {
  test("node_info is validated and drives the CQL and Alternator endpoints", async () => {
    const c = client();
    const agent = new AgentClient(c);
    const info = await agent.nodeInfo(a.host);
    expect(info.cpu_count).toBe(4);
    expect(resolveCqlEndpoint(info, a.host)).toEqual({ address: a.host, port: 9142, tls: true });
    expect(resolveCqlEndpoint(info, a.host, { forceTlsDisabled: true })).toEqual({
      address: a.host,
      port: 9042,
      tls: false,
    });
    expect(resolveAlternatorUrl(info, a.host)).toBe(`http://${a.host}:8000`);
    c.close();
  });
});
