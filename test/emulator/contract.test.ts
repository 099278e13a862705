import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { contractsAbsent, ScyllaContracts } from "./contract.ts";
import { type EmulatedCluster, startCluster } from "./index.ts";
import { nodeConfig } from "./rest/config-v2.ts";
import { isTabletBalancingEnabled } from "./rest/routes-schema.ts";

let cluster: EmulatedCluster;
const skip = contractsAbsent("contract.test.ts: route and body fidelity against Scylla's swagger");
const loaded = skip ? undefined : new ScyllaContracts();

/** The loaded contracts; only called from tests that skip when they are absent. */
function contracts(): ScyllaContracts {
  if (loaded === undefined) throw new Error("Scylla's REST contracts are not loaded");
  return loaded;
}

beforeAll(async () => {
  cluster = await startCluster({
    dcs: "dc1:2,dc2:1",
    ipPrefix: "127.0.10.",
    tokensPerNode: 16,
    alternator: true,
    tls: true,
    auth: "cassandra:cassandra",
  });
});
afterAll(() => cluster.close());

async function call(method: string, path: string): Promise<{ status: number; body: unknown; type: string | null }> {
  const node = cluster.nodes[0];
  const res = await fetch(`http://${node?.ip}:${node?.restPort}${path}`, { method });
  const text = await res.text();
  return {
    status: res.status,
    body: text === "" ? undefined : JSON.parse(text),
    type: res.headers.get("content-type"),
  };
}

describe("contract", () => {
  test.skipIf(skip)("every served route exists in scylla_v1.json or scylla_v2.json", () => {
    const routes = [...cluster.routers.values()][0]?.routes() ?? [];
    expect(routes.length).toBeGreaterThan(20);
    const missing = routes.filter((r) => r.pattern !== "/v2/config/{name}" && !contracts().has(r.method, r.pattern));
    expect(missing).toEqual([]);
    const node = cluster.state.nodes[0];
    if (node === undefined) throw new Error("no node");
    const unknownConfig = Object.keys(nodeConfig(node)).filter((name) => !contracts().has("GET", `/v2/config/${name}`));
    expect(unknownConfig).toEqual([]);
  });

  const sample: Array<[string, string, string]> = [
    ["GET", "/storage_service/scylla_release_version", "/storage_service/scylla_release_version"],
    ["GET", "/storage_service/host_id", "/storage_service/host_id"],
    ["GET", "/storage_service/hostid/local", "/storage_service/hostid/local"],
    ["GET", "/storage_service/cluster_name", "/storage_service/cluster_name"],
    ["GET", "/snitch/datacenter?host=127.0.10.3", "/snitch/datacenter"],
    ["GET", "/snitch/rack", "/snitch/rack"],
    ["GET", "/gossiper/endpoint/live/", "/gossiper/endpoint/live/"],
    ["GET", "/gossiper/endpoint/down/", "/gossiper/endpoint/down/"],
    ["GET", "/storage_service/nodes/joining", "/storage_service/nodes/joining"],
    ["GET", "/storage_service/keyspaces?type=user&replication=vnodes", "/storage_service/keyspaces"],
    ["GET", "/column_family/name", "/column_family/name"],
    ["GET", "/column_family/", "/column_family/"],
    [
      "GET",
      "/column_family/metrics/total_disk_space_used/ks1:users",
      "/column_family/metrics/total_disk_space_used/{name}",
    ],
    [
      "GET",
      "/column_family/metrics/total_disk_space_used/ks1:none",
      "/column_family/metrics/total_disk_space_used/{name}",
    ],
    ["GET", "/storage_service/describe_ring/ks1", "/storage_service/describe_ring/{keyspace}"],
    ["GET", "/storage_service/describe_ring/tablet_ks?table=tab", "/storage_service/describe_ring/{keyspace}"],
    ["GET", "/storage_service/tokens/127.0.10.2", "/storage_service/tokens/{endpoint}"],
    [
      "GET",
      "/storage_service/view_build_statuses/ks1/users_by_name",
      "/storage_service/view_build_statuses/{keyspace}/{view}",
    ],
    ["GET", "/column_family/autocompaction/ks1:users", "/column_family/autocompaction/{name}"],
    ["DELETE", "/column_family/autocompaction/ks1:users", "/column_family/autocompaction/{name}"],
    ["POST", "/raft/read_barrier", "/raft/read_barrier"],
    ["POST", "/storage_service/tablets/balancing?enabled=false", "/storage_service/tablets/balancing"],
    ["POST", "/storage_service/tablets/balancing", "/storage_service/tablets/balancing"],
    ["GET", "/v2/config/native_transport_port", "/v2/config/native_transport_port"],
    ["GET", "/v2/config/client_encryption_options", "/v2/config/client_encryption_options"],
    ["GET", "/v2/config/data_file_directories", "/v2/config/data_file_directories"],
    ["GET", "/v2/config/object_storage_endpoints", "/v2/config/object_storage_endpoints"],
    ["GET", "/v2/config/alternator_enforce_authorization", "/v2/config/alternator_enforce_authorization"],
    ["GET", "/v2/config/authenticator", "/v2/config/authenticator"],
  ];
  for (const [method, path, pattern] of sample) {
    test.skipIf(skip)(`${method} ${path} validates against the swagger model`, async () => {
      const res = await call(method, path);
      expect(res.type).toBe("text/plain");
      expect(contracts().validate(method, pattern, res.status, res.body)).toBeUndefined();
      if (res.status !== 200) expect(res.body).toEqual({ message: expect.any(String), code: res.status });
    });
  }

  test.skipIf(skip)("every parameterless GET route answers a body valid for its swagger model", async () => {
    const routes = ([...cluster.routers.values()][0]?.routes() ?? []).filter(
      (r) => r.method === "GET" && !r.pattern.includes("{"),
    );
    expect(routes.length).toBeGreaterThan(15);
    const failures: string[] = [];
    for (const r of routes) {
      const node = cluster.nodes[0];
      const res = await fetch(`http://${node?.ip}:${node?.restPort}${r.pattern}`, {
        signal: AbortSignal.timeout(3000),
      });
      const text = await res.text();
      const body = text === "" ? undefined : JSON.parse(text);
      const error = contracts().validate("GET", r.pattern, res.status, body);
      if (error !== undefined) failures.push(`${r.pattern} ${res.status}: ${error}`);
    }
    expect(failures).toEqual([]);
  });

  test.skipIf(skip)("the validator rejects a wrong shape (it can fail)", () => {
    expect(contracts().validate("GET", "/storage_service/host_id", 200, [{ key: 1 }])).toBeDefined();
    expect(contracts().validate("GET", "/v2/config/native_transport_port", 200, "9042")).toBeDefined();
  });

  test("unknown routes, unknown config entries and bad params answer like Scylla", async () => {
    expect(await call("GET", "/no/such/route")).toMatchObject({
      status: 404,
      body: { message: "Not found", code: 404 },
    });
    expect(await call("POST", "/storage_service/host_id")).toMatchObject({ status: 404 });
    expect(await call("GET", "/v2/config/no_such_entry")).toMatchObject({
      status: 400,
      body: { message: "No such config entry: no_such_entry", code: 400 },
    });
    expect((await call("GET", "/column_family/metrics/total_disk_space_used/a:b")).body).toEqual({
      message: "Column family 'a:b' not found",
      code: 400,
    });
    expect((await call("POST", "/storage_service/tablets/balancing")).body).toEqual({
      message: "Missing mandatory parameter 'enabled'",
      code: 400,
    });
  });

  test("scalars are JSON literals; config types are Scylla's", async () => {
    expect((await call("GET", "/v2/config/native_transport_port")).body).toBe(9042);
    expect((await call("GET", "/v2/config/native_transport_port_ssl")).body).toBe(9142);
    expect((await call("GET", "/v2/config/alternator_port")).body).toBe(8000);
    expect((await call("GET", "/v2/config/authenticator")).body).toBe("PasswordAuthenticator");
    expect((await call("GET", "/v2/config/client_encryption_options")).body).toMatchObject({
      enabled: "true",
      require_client_auth: "false",
    });
    expect((await call("GET", "/storage_service/scylla_release_version")).body).toMatch(/^2025\.1\.0-/);
  });

  test("tablets/balancing toggles the cluster-wide switch and is recorded in the ledger", async () => {
    expect((await call("POST", "/storage_service/tablets/balancing?enabled=false")).status).toBe(200);
    expect(isTabletBalancingEnabled(cluster.state)).toBe(false);
    expect((await call("POST", "/storage_service/tablets/balancing?enabled=true")).status).toBe(200);
    expect(isTabletBalancingEnabled(cluster.state)).toBe(true);
    expect(
      cluster.ledger
        .of("balancing")
        .map((e) => e.enabled)
        .slice(-2),
    ).toEqual([false, true]);
    expect((await call("POST", "/storage_service/tablets/balancing?enabled=maybe")).status).toBe(400);
  });

  test("keyspaces: replication=tablets and =vnodes are disjoint; type filters", async () => {
    const tablets = (await call("GET", "/storage_service/keyspaces?replication=tablets")).body as string[];
    const vnodes = (await call("GET", "/storage_service/keyspaces?replication=vnodes")).body as string[];
    expect(tablets).toEqual(["tablet_ks"]);
    expect(vnodes.filter((k) => tablets.includes(k))).toEqual([]);
    const nonLocal = (await call("GET", "/storage_service/keyspaces?type=non_local_strategy")).body as string[];
    expect(nonLocal).toContain("system_distributed");
    expect(nonLocal).not.toContain("system");
    expect(nonLocal).not.toContain("system_schema");
    expect((await call("GET", "/storage_service/keyspaces?type=user")).body).toEqual([
      "ks1",
      "ks2",
      "ks3",
      "tablet_ks",
    ]);
  });
});
