import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import selfsigned from "selfsigned";
import { type FakeAgent, startFakeAgent } from "../clients/scylla/testdata/fake-agent.ts";
import { isManagerError } from "../errors.ts";
import { createMemoryStore } from "../store/memory.ts";
import type { Store } from "../store/store.ts";
import { makeDefaultTasks } from "./default-tasks.ts";
import { ClusterService } from "./service.ts";

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

function setup(): { store: Store; service: ClusterService; events: string[] } {
  const store = createMemoryStore();
  const service = new ClusterService({ store, discoveryTimeoutMs: 1_000 });
  const events: string[] = [];
  service.addListener({
    onClusterCreated: async (cluster) => void events.push(`created ${cluster.name}`),
    onClusterUpdated: async (cluster) => void events.push(`updated ${cluster.name}`),
    onClusterDeleted: async (id) => void events.push(`deleted ${id}`),
  });
  return { store, service, events };
}

async function errorOf(promise: Promise<unknown>): Promise<{ status: number; message: string }> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!isManagerError(error)) throw new Error(`expected a ManagerError, got ${String(error)}`);
  return { status: error.status, message: error.message };
}

describe("ClusterService.put", () => {
  test("discovers every node from one host and stores secrets masked", async () => {
    const { store, service, events } = setup();
    const { cluster, created } = await service.put({
      host: "127.0.30.2",
      port: a.port,
      name: "prod",
      auth_token: "token",
      username: "cassandra",
      password: "secret",
    });
    expect(created).toBe(true);
    expect(cluster.knownHosts).toEqual(["127.0.30.1", "127.0.30.2"]);
    expect((await store.getCluster(cluster.id))?.knownHosts).toEqual(["127.0.30.1", "127.0.30.2"]);
    expect(events).toEqual(["created prod"]);
    const [listed] = await service.list();
    expect(listed?.username).toBe("set");
    expect(listed?.password).toBe("set");
    const got = await service.get("prod");
    expect(got.username).toBeUndefined();
    expect(JSON.stringify(got)).not.toContain("secret");
    expect((await service.secrets(cluster.id)).cql).toEqual({ username: "cassandra", password: "secret" });
  });

  test("update keeps secrets not sent and refuses a taken name", async () => {
    const { service, events } = setup();
    const first = await service.put({
      host: "127.0.30.1",
      port: a.port,
      name: "one",
      auth_token: "token",
      username: "u",
      password: "p",
    });
    await service.put({ host: "127.0.30.1", port: a.port, name: "two", auth_token: "token" });
    await service.put({ id: first.cluster.id, host: "127.0.30.1", port: a.port, name: "renamed", auth_token: "token" });
    expect((await service.get(first.cluster.id)).name).toBe("renamed");
    expect((await service.secrets(first.cluster.id)).cql?.username).toBe("u");
    expect(events.at(-1)).toBe("updated renamed");
    const taken = await errorOf(service.put({ host: "127.0.30.1", port: a.port, name: "two", auth_token: "token" }));
    expect(taken).toEqual({ status: 400, message: 'name "two" is already taken' });
  });

  test("a wrong token fails with the auth_token hint and stores nothing", async () => {
    const { store, service } = setup();
    const error = await errorOf(service.put({ host: "127.0.30.1", port: a.port, auth_token: "wrong" }));
    expect(error.status).toBe(400);
    expect(error.message).toContain("make sure auth_token config option on nodes is set correctly");
    expect(await store.listClusters()).toEqual([]);
  });

  test("the connectivity check names every failing live host, as SM's combined error (SM's pkg/service/cluster/service.go)", async () => {
    const { store, service } = setup();
    const refuse = () => Response.json({ message: "unauthorized", code: 401 }, { status: 401 });
    a.route("GET /storage_service/scylla_release_version", refuse);
    b.route("GET /storage_service/scylla_release_version", refuse);
    const error = await errorOf(service.put({ host: "127.0.30.1", port: a.port, auth_token: "token" }));
    const ok = () => new Response('"2025.1.0-0.20250101.abcdef"');
    a.route("GET /storage_service/scylla_release_version", ok);
    b.route("GET /storage_service/scylla_release_version", ok);
    expect(error.status).toBe(400);
    expect(error.message).toStartWith("connectivity check: ");
    expect(error.message).toContain("127.0.30.1: ");
    expect(error.message).toContain("127.0.30.2: ");
    expect(error.message.split("make sure auth_token config option on nodes is set correctly")).toHaveLength(3);
    expect(await store.listClusters()).toEqual([]);
  });

  test("an unreachable host fails with the port hint", async () => {
    const { store, service } = setup();
    const error = await errorOf(service.put({ host: "127.0.30.9", port: a.port, auth_token: "token" }));
    expect(error.status).toBe(400);
    expect(error.message).toContain(`make sure the IP is correct and access to port ${a.port} is unblocked`);
    expect(await store.listClusters()).toEqual([]);
  });

  test("bad input is refused with SM's messages and nothing stored", async () => {
    const { store, service } = setup();
    const other = await selfsigned.generate([{ name: "commonName", value: "x" }], { keySize: 2048 } as never);
    const another = await selfsigned.generate([{ name: "commonName", value: "y" }], { keySize: 2048 } as never);
    const b64 = (text: string) => Buffer.from(text).toString("base64");
    const cases: [Parameters<ClusterService["put"]>[0], string][] = [
      [{}, "invalid cluster: missing host"],
      [{ host: "http://x/" }, 'invalid cluster: invalid host "http://x/"'],
      [{ host: "127.0.30.1", name: "8bfd18f1-ac3b-4694-bcba-30bc272554df" }, "invalid cluster: name cannot be an UUID"],
      [{ host: "127.0.30.1", username: "u" }, "invalid cluster: missing password"],
      [{ host: "127.0.30.1", alternator_secret_access_key: "s" }, "invalid cluster: missing alternator_access_key_id"],
      [{ host: "127.0.30.1", ssl_user_cert_file: b64(other.cert) }, "invalid cluster: missing ssl_user_key_file"],
      [
        { host: "127.0.30.1", ssl_user_cert_file: b64(other.cert), ssl_user_key_file: b64(another.private) },
        "invalid cluster: invalid SSL user certificate pair: private key does not match the certificate",
      ],
    ];
    for (const [input, message] of cases) {
      expect(await errorOf(service.put(input))).toEqual({ status: 400, message });
    }
    expect(await store.listClusters()).toEqual([]);
  });
});

describe("ClusterService.delete", () => {
  test("secret flags delete only those secrets; no flag deletes the cluster", async () => {
    const { store, service, events } = setup();
    const { cluster } = await service.put({
      host: "127.0.30.1",
      port: a.port,
      auth_token: "token",
      username: "u",
      password: "p",
      alternator_access_key_id: "k",
      alternator_secret_access_key: "s",
    });
    await service.delete(cluster.id, { cqlCreds: true });
    const [listed] = await service.list();
    expect(listed?.username).toBeUndefined();
    expect(listed?.alternator_access_key_id).toBe("set");
    await service.delete(cluster.id);
    expect(await store.listClusters()).toEqual([]);
    expect(await store.getSecret(cluster.id, "alternator_creds")).toBeUndefined();
    expect(events.at(-1)).toBe(`deleted ${cluster.id}`);
    expect((await errorOf(service.get(cluster.id))).status).toBe(404);
  });
});

describe("default tasks", () => {
  test("three health checks; the weekly repair only with a repair runner and not without_repair", () => {
    const names = (tasks: { type: string; name: string }[]) => tasks.map((t) => `${t.type}/${t.name}`);
    expect(names(makeDefaultTasks("c", { repairAvailable: false }))).toEqual([
      "healthcheck/cql",
      "healthcheck/rest",
      "healthcheck/alternator",
    ]);
    expect(names(makeDefaultTasks("c", { repairAvailable: true }))).toContain("repair/all-weekly");
    expect(names(makeDefaultTasks("c", { repairAvailable: true, withoutRepair: true }))).not.toContain(
      "repair/all-weekly",
    );
    const [cql] = makeDefaultTasks("c", { repairAvailable: false, crons: { cql_ping_cron: "*/5 * * * *" } });
    expect(cql?.schedule.cron).toBe("*/5 * * * *");
    expect(cql?.properties).toEqual({ mode: "cql" });
  });
});

describe("ClusterService.clients", () => {
  test("a fresh client re-discovers the hosts and persists them when they changed", async () => {
    const { store, service } = setup();
    await store.putCluster({
      id: "6bd0f1a2-0b1f-4a4e-8c52-6a6d5a1c8f10",
      name: "stale",
      labels: {},
      host: "127.0.30.1",
      knownHosts: ["127.0.30.1"],
      port: a.port,
      authToken: "token",
      forceTlsDisabled: false,
      forceNonSslSessionPort: false,
    });
    await service.clients("stale");
    const deadline = Date.now() + 3_000;
    while (
      Date.now() < deadline &&
      (await store.getCluster("6bd0f1a2-0b1f-4a4e-8c52-6a6d5a1c8f10"))?.knownHosts.length !== 2
    ) {
      await Bun.sleep(20);
    }
    expect((await store.getCluster("6bd0f1a2-0b1f-4a4e-8c52-6a6d5a1c8f10"))?.knownHosts).toEqual([
      "127.0.30.1",
      "127.0.30.2",
    ]);
    service.close();
  });
});
