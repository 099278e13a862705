import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { connect } from "node:net";
import { type EmulatedCluster, startCluster } from "./index.ts";

let cluster: EmulatedCluster;
const rest = (ip: string, path: string, init?: RequestInit) => fetch(`http://${ip}:10000${path}`, init);
const control = (path: string, method: string, body?: unknown) =>
  fetch(`${cluster.controlUrl}${path}`, { method, ...(body === undefined ? {} : { body: JSON.stringify(body) }) });

beforeAll(async () => {
  cluster = await startCluster({ dcs: "dc1:2,dc2:2", ipPrefix: "127.0.11.", tokensPerNode: 8 });
});
afterAll(() => cluster.close());

function ips(): [string, string, string, string] {
  return cluster.nodes.map((n) => n.ip) as [string, string, string, string];
}

/** Sends a CQL v4 OPTIONS frame; resolves the response opcode, "refused", or "timeout". */
function cqlOptions(ip: string, timeoutMs: number): Promise<number | "refused" | "timeout"> {
  return new Promise((resolve) => {
    const socket = connect(9042, ip);
    const timer = setTimeout(() => {
      socket.destroy();
      resolve("timeout");
    }, timeoutMs);
    socket.on("connect", () => socket.write(Buffer.from([4, 0, 0, 0, 5, 0, 0, 0, 0])));
    socket.on("data", (data) => {
      clearTimeout(timer);
      socket.destroy();
      resolve(data[4] ?? -1);
    });
    socket.on("error", () => {
      clearTimeout(timer);
      resolve("refused");
    });
  });
}

describe("faults", () => {
  test("CQL: a stopped node refuses, a blackholed CQL port never answers OPTIONS", async () => {
    const [a, b] = ips();
    expect(await cqlOptions(a, 2000)).toBe(0x06);
    await cluster.faults.stopNode(a);
    expect(await cqlOptions(a, 2000)).toBe("refused");
    await cluster.faults.startNode(a);
    expect(await cqlOptions(a, 2000)).toBe(0x06);
    await cluster.faults.blackhole(b, "cql");
    expect(await cqlOptions(b, 300)).toBe("timeout");
    expect((await rest(b, "/storage_service/hostid/local")).status).toBe(200);
    await cluster.faults.unblackhole(b, "cql");
    expect(await cqlOptions(b, 2000)).toBe(0x06);
  });

  test("a stopped node refuses, peers' gossip marks it down, host_id still lists it; start brings it back", async () => {
    const [a, , , d] = ips();
    await cluster.faults.stopNode(d);
    expect(await (await rest(a, "/gossiper/endpoint/live/")).json()).toEqual([a, ips()[1], ips()[2]]);
    expect(await (await rest(a, "/gossiper/endpoint/down/")).json()).toEqual([d]);
    expect(
      ((await (await rest(a, "/storage_service/host_id")).json()) as Array<{ key: string }>).map((m) => m.key),
    ).toContain(d);
    await expect(rest(d, "/storage_service/host_id")).rejects.toThrow();
    await expect(fetch(`http://${d}:9180/metrics`)).rejects.toThrow();
    await cluster.faults.startNode(d);
    expect(await (await rest(d, "/storage_service/scylla_release_version")).json()).toMatch(/^2025\.1\.0/);
    expect(((await (await rest(a, "/gossiper/endpoint/live/")).json()) as string[]).length).toBe(4);
    expect(cluster.ledger.of("fault", (e) => e.host === d).map((e) => e.action)).toEqual(["stop", "start"]);
  });

  test("a blackholed REST port accepts and never answers, so the client times out", async () => {
    const [, b] = ips();
    await cluster.faults.blackhole(b, "rest");
    const started = Date.now();
    const err = await rest(b, "/storage_service/host_id", { signal: AbortSignal.timeout(300) }).catch(
      (e: unknown) => e,
    );
    expect((err as Error).name).toBe("TimeoutError");
    expect(Date.now() - started).toBeGreaterThanOrEqual(250);
    // The TCP handshake succeeds (not refused).
    const accepted = await new Promise<boolean>((resolve) => {
      const s = connect(10000, b, () => {
        s.destroy();
        resolve(true);
      });
      s.on("error", () => resolve(false));
    });
    expect(accepted).toBe(true);
    await cluster.faults.unblackhole(b, "rest");
    expect((await rest(b, "/storage_service/hostid/local")).status).toBe(200);
  });

  test("injected errors through the control API: status and body, count, per node", async () => {
    const [a, b] = ips();
    const res = await control("/faults/errors", "POST", {
      ip: a,
      path: "/storage_service/scylla_release_version",
      status: 500,
      count: 2,
    });
    expect(res.status).toBe(200);
    for (let i = 0; i < 2; i++) {
      const r = await rest(a, "/storage_service/scylla_release_version");
      expect(r.status).toBe(500);
      expect(await r.json()).toEqual({ message: "injected error 500", code: 500 });
    }
    expect((await rest(a, "/storage_service/scylla_release_version")).status).toBe(200);
    await control("/faults/errors", "POST", {
      path: "host_id",
      status: 401,
      body: { message: "unauthorized", code: 401 },
    });
    expect((await rest(b, "/storage_service/host_id")).status).toBe(401);
    expect((await rest(b, "/storage_service/hostid/local")).status).toBe(200);
    await control("/faults", "DELETE");
    expect((await rest(b, "/storage_service/host_id")).status).toBe(200);
  });

  test("latency delays matching requests; control API validates its input", async () => {
    const [a] = ips();
    cluster.faults.setLatency(a, "/snitch/", 150);
    const t = Date.now();
    await rest(a, "/snitch/datacenter");
    expect(Date.now() - t).toBeGreaterThanOrEqual(140);
    await cluster.faults.clear(ips());
    const bad = await control("/faults/errors", "POST", { path: "/x", status: "boom" });
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { message: string }).message).toContain("status");
    expect((await control("/nodes/10.9.9.9/stop", "POST")).status).toBe(404);
    const doc = (await (await control("/cluster", "GET")).json()) as { nodes: Array<{ ip: string; host_id: string }> };
    expect(doc.nodes.map((n) => n.ip)).toEqual(ips());
  });

  test("held answers: the request is served at once, its answer waits for the release", async () => {
    const [a, b] = ips();
    const ttlBefore = (await (await rest(a, "/task_manager/user_ttl")).json()) as number;
    const held = cluster.faults.holdAnswers(a, "/task_manager/user_ttl", { method: "POST" });
    let answered = false;
    const pending = rest(a, "/task_manager/user_ttl?user_ttl=77", { method: "POST" }).then((res) => {
      answered = true;
      return res;
    });
    // Served: the node took the new TTL while the caller still waits for the answer.
    for (let i = 0; i < 200 && held.served === 0; i++) await Bun.sleep(10);
    expect(held.served).toBe(1);
    expect(await (await rest(a, "/task_manager/user_ttl")).json()).toBe(77);
    expect((await rest(b, "/task_manager/user_ttl", { method: "POST" })).status).toBe(400);
    expect(answered).toBe(false);
    held.release();
    expect((await pending).status).toBe(200);
    expect(cluster.ledger.all().some((e) => e.kind === "fault" && e.action === "hold_answers")).toBe(true);
    await rest(a, `/task_manager/user_ttl?user_ttl=${ttlBefore}`, { method: "POST" });
    await cluster.faults.clear(ips());
  });

  test("stop through the control API, then close frees every port", async () => {
    const [, , c] = ips();
    expect((await control(`/nodes/${c}/stop`, "POST")).status).toBe(200);
    await expect(rest(c, "/storage_service/host_id")).rejects.toThrow();
    expect((await control(`/nodes/${c}/start`, "POST")).status).toBe(200);
    expect((await rest(c, "/storage_service/host_id")).status).toBe(200);
  });
});
