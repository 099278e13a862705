import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import net from "node:net";
import { AgentClient } from "../clients/agent/client.ts";
import { ScyllaClient } from "../clients/scylla/client.ts";
import { ScyllaTimeoutError } from "../clients/scylla/errors.ts";
import { type FakeAgent, startFakeAgent } from "../clients/scylla/testdata/fake-agent.ts";
import { ScyllaApiError } from "../errors.ts";
import { classifyPing, classifyRestPing } from "./classify.ts";
import { PingPreconditionError, PingTimeoutError, PingUnauthorizedError } from "./errors.ts";
import { HealthCheck } from "./health-check.ts";
import { pingCqlNative } from "./ping-cql.ts";

let a: FakeAgent;
let b: FakeAgent;
let cql: net.Server;
let cqlPort = 0;
const frames: Buffer[] = [];

beforeAll(async () => {
  a = await startFakeAgent("127.0.30.1", 0, "token");
  b = await startFakeAgent("127.0.30.2", a.port, "token");
  cql = net.createServer((socket) =>
    socket.on("data", (data) => {
      frames.push(data);
      // v4 response header, opcode SUPPORTED, empty body.
      socket.write(Buffer.from([0x84, 0, 0, 0, 0x06, 0, 0, 0, 0]));
    }),
  );
  await new Promise<void>((resolve) => cql.listen(0, "127.0.30.3", resolve));
  cqlPort = (cql.address() as net.AddressInfo).port;
});
afterAll(() => {
  a.stop();
  b.stop();
  cql.close();
});

describe("classification", () => {
  test("CQL/Alternator and REST statuses as SM", () => {
    expect(classifyPing({ rttMs: 3 }).status).toBe("UP");
    expect(classifyPing({ error: new PingTimeoutError("timeout") }).status).toBe("TIMEOUT");
    expect(classifyPing({ error: new PingUnauthorizedError("bad") }).status).toBe("UNAUTHORIZED");
    expect(classifyPing({ error: new PingPreconditionError("no node info") })).toEqual({
      status: "ERROR",
      rttMs: 0,
      cause: "no node info",
    });
    expect(classifyPing({ error: new Error("EOF") }).status).toBe("DOWN");
    expect(classifyRestPing({ error: new ScyllaTimeoutError("t", 0, "h") }).status).toBe("TIMEOUT");
    expect(classifyRestPing({ error: new ScyllaApiError("u", 401, "h") }).status).toBe("UNAUTHORIZED");
    expect(classifyRestPing({ error: new ScyllaApiError("x", 503, "h") }).status).toBe("HTTP 503");
    expect(classifyRestPing({ error: new ScyllaApiError("refused", 0, "h") }).status).toBe("DOWN");
    // SM's slip wrote a failed REST precondition into the CQL column; ours stays in the REST column.
    expect(classifyRestPing({ error: new PingPreconditionError("p") }).status).toBe("ERROR");
  });
});

describe("CQL native ping", () => {
  test("sends the 9-byte OPTIONS frame and accepts SUPPORTED", async () => {
    const rtt = await pingCqlNative({ address: "127.0.30.3", port: cqlPort, tls: false, timeoutMs: 1_000 });
    expect(rtt).toBeGreaterThan(0);
    expect(frames.at(-1)).toEqual(Buffer.from([4, 0, 0, 0, 5, 0, 0, 0, 0]));
  });

  test("a refused port ends as TIMEOUT after the budget, with the refusal as cause", async () => {
    const started = performance.now();
    const error = await pingCqlNative({ address: "127.0.30.4", port: 9042, tls: false, timeoutMs: 300 }).catch(
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(PingTimeoutError);
    expect((error as Error).message).toContain("connection refused");
    expect(performance.now() - started).toBeLessThan(2_000);
  });
});

describe("HealthCheck.status", () => {
  function check(): HealthCheck {
    const scylla = new ScyllaClient({ hosts: [a.host, b.host], port: a.port, authToken: "token" });
    const agent = new AgentClient(scylla);
    return new HealthCheck(
      {
        scylla,
        nodeInfo: async (host) => ({
          ...(await agent.nodeInfo(host)),
          rpc_address: "127.0.30.3",
          native_transport_port: String(cqlPort),
          client_encryption_enabled: false,
          alternator_port: "",
        }),
      },
      { timeoutMs: 500 },
    );
  }

  test("every UN node gets pings and node info; a hanging REST API is TIMEOUT within the budget", async () => {
    b.route("GET /storage_service/scylla_release_version", async () => {
      await Bun.sleep(2_000);
      return new Response('"2025.1.0"');
    });
    const started = performance.now();
    const statuses = await check().status();
    const elapsed = performance.now() - started;
    b.route("GET /storage_service/scylla_release_version", () => new Response('"2025.1.0"'));
    expect(statuses.map((s) => [s.host, s.status, s.cqlStatus, s.restStatus, s.alternatorStatus])).toEqual([
      ["127.0.30.1", "UN", "UP", "UP", ""],
      ["127.0.30.2", "UN", "UP", "TIMEOUT", ""],
    ]);
    // SM keeps the measured RTT on failures (SM's pkg/service/healthcheck/service.go): `TIMEOUT (500ms)`, not 0.
    expect(statuses[1]?.restRttMs).toBeGreaterThanOrEqual(450);
    expect(statuses[0]?.cpuCount).toBe(4);
    expect(statuses[0]?.agentVersion).toBe("3.5.0");
    expect(elapsed).toBeLessThan(1_500);
  });

  test("a failed ping keeps its measured RTT; only a failed precondition (ERROR) has RTT 0 (SM's pkg/service/healthcheck)", async () => {
    b.route("GET /storage_service/scylla_release_version", async () => {
      await Bun.sleep(100);
      return Response.json({ message: "boom", code: 500 }, { status: 500 });
    });
    const health = check();
    const rest = await health.pingRest(b.host);
    b.route("GET /storage_service/scylla_release_version", () => new Response('"2025.1.0"'));
    expect(rest.status).toBe("HTTP 500");
    expect(rest.rttMs).toBeGreaterThanOrEqual(90);
    const cqlDown = await new HealthCheck(
      {
        scylla: new ScyllaClient({ hosts: [a.host], port: a.port, authToken: "token" }),
        nodeInfo: async (host) => ({
          ...(await new AgentClient(new ScyllaClient({ hosts: [a.host], port: a.port, authToken: "token" })).nodeInfo(
            host,
          )),
          rpc_address: "127.0.30.4",
          native_transport_port: "9042",
          client_encryption_enabled: false,
        }),
      },
      { timeoutMs: 200 },
    ).pingCql(a.host);
    expect(cqlDown.status).toBe("TIMEOUT");
    expect(cqlDown.rttMs).toBeGreaterThanOrEqual(190);
    const noInfo = await new HealthCheck({
      scylla: new ScyllaClient({ hosts: [a.host], port: a.port, authToken: "token" }),
      nodeInfo: async () => {
        throw new Error("no agent");
      },
    }).pingCql(a.host);
    expect(noInfo).toMatchObject({ status: "ERROR", rttMs: 0 });
  });

  test("nodes are ordered by DC as Go compares strings (byte order: 'DC2' before 'dc1'), then address", async () => {
    const dc = (req: Request) =>
      new Response(new URL(req.url).searchParams.get("host") === "127.0.30.1" ? '"dc1"' : '"DC2"');
    a.route("GET /snitch/datacenter", dc);
    b.route("GET /snitch/datacenter", dc);
    const statuses = await check().status();
    a.route("GET /snitch/datacenter", () => new Response('"dc1"'));
    b.route("GET /snitch/datacenter", () => new Response('"dc1"'));
    expect(statuses.map((s) => [s.dc, s.host])).toEqual([
      ["DC2", "127.0.30.2"],
      ["dc1", "127.0.30.1"],
    ]);
  });

  test("a DN node is listed but not pinged", async () => {
    a.route("GET /gossiper/endpoint/live/", () => new Response('["127.0.30.1"]'));
    b.route("GET /gossiper/endpoint/live/", () => new Response('["127.0.30.1"]'));
    const statuses = await check().status();
    expect(statuses.map((s) => [s.host, s.status, s.cqlStatus, s.restStatus])).toEqual([
      ["127.0.30.1", "UN", "UP", "UP"],
      ["127.0.30.2", "DN", "", ""],
    ]);
  });
});
