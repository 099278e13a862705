import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { copyFileSync, existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { contractsAbsent, ScyllaContracts } from "../contract.ts";
import { type EmulatedCluster, startCluster } from "../index.ts";
import { digestFile } from "./content.ts";
import { compareLoadsWithSnapshot } from "./ledger-checks.ts";
import { setLoadBandwidth } from "./loader.ts";
import { parseSSTableFileName } from "./sstable-names.ts";
import { testSchemaSpec } from "./testing.ts";

let cluster: EmulatedCluster;

beforeAll(async () => {
  cluster = await startCluster({
    dcs: "dc1:3",
    ipPrefix: "127.0.14.",
    tokensPerNode: 8,
    timeScale: 0.001,
    schema: testSchemaSpec(),
  });
});
afterAll(() => cluster.close());

async function call(ip: string, method: string, path: string): Promise<{ status: number; body: unknown }> {
  const res = await fetch(`http://${ip}:10000${path}`, { method });
  const text = await res.text();
  return { status: res.status, body: text === "" ? undefined : JSON.parse(text) };
}

function tableDir(ip: string, ks: string, table: string): string {
  const def = cluster.schema.table(ks, table);
  if (def === undefined) throw new Error(`no table ${ks}.${table}`);
  return join(cluster.dir, ip, "data", ks, `${table}-${def.id.replaceAll("-", "")}`);
}

const ip = (i: number): string => cluster.nodes[i]?.ip ?? "";

describe("data dir", () => {
  test("table dirs hold complete SSTables sized from the schema with a matching Digest.crc32", () => {
    const dir = tableDir(ip(0), "ks3", "blobs");
    const files = readdirSync(dir).filter((f) => parseSSTableFileName(f) !== undefined);
    const generations = new Set(files.map((f) => parseSSTableFileName(f)?.generation));
    expect(generations.size).toBe(2);
    for (const gen of generations) {
      expect(gen).toMatch(/^[0-9a-z]{4}_[0-9a-z]{4}_[0-9a-z]{18}$/);
      const toc = readFileSync(join(dir, `me-${gen}-big-TOC.txt`), "utf8")
        .trim()
        .split("\n");
      expect(toc).toContain("Data.db");
      for (const component of toc) expect(existsSync(join(dir, `me-${gen}-big-${component}`))).toBe(true);
      const crc = Number(readFileSync(join(dir, `me-${gen}-big-Digest.crc32`), "utf8"));
      expect(crc).toBe(Number.parseInt(digestFile(join(dir, `me-${gen}-big-Data.db`)).crc32, 16));
    }
    const total = files.reduce((sum, f) => sum + statSync(join(dir, f)).size, 0);
    expect(total).toBeGreaterThanOrEqual(32 * 1024 * 1024);
    expect(total).toBeLessThan(32 * 1024 * 1024 + 4096);
    expect(existsSync(join(dir, "upload"))).toBe(true);
  });

  test("content is deterministic per node and differs between nodes", () => {
    const a = readdirSync(tableDir(ip(0), "ks1", "users")).filter((f) => f.endsWith("Data.db"));
    const b = readdirSync(tableDir(ip(1), "ks1", "users")).filter((f) => f.endsWith("Data.db"));
    expect(a).not.toEqual(b);
  });
});

describe("snapshots", () => {
  test("take, list, repeat (already exists), delete", async () => {
    const take = await call(ip(0), "POST", "/storage_service/snapshots?tag=sm_20250101000000UTC&kn=ks1");
    expect(take.status).toBe(200);
    const snap = join(tableDir(ip(0), "ks1", "users"), "snapshots", "sm_20250101000000UTC");
    const names = readdirSync(snap);
    expect(names).toContain("manifest.json");
    expect(names).toContain("schema.cql");
    expect(readFileSync(join(snap, "schema.cql"), "utf8")).toContain("CREATE TABLE");
    const data = names.find((n) => n.endsWith("Data.db")) ?? "";
    expect(statSync(join(snap, data)).nlink).toBe(2);
    const manifest = JSON.parse(readFileSync(join(snap, "manifest.json"), "utf8")) as { files: string[] };
    expect(manifest.files).toContain(data);

    const again = await call(ip(0), "POST", "/storage_service/snapshots?tag=sm_20250101000000UTC&kn=ks1");
    expect(again.status).toBe(500);
    expect((again.body as { message: string }).message).toMatch(/snapshot \w+ already exists/);

    const list = (await call(ip(0), "GET", "/storage_service/snapshots")).body as Array<{
      key: string;
      value: Array<{ ks: string; cf: string; total: number; live: number }>;
    }>;
    const entry = list.find((s) => s.key === "sm_20250101000000UTC");
    const users = entry?.value.find((v) => v.cf === "users");
    expect(users?.ks).toBe("ks1");
    expect(users?.total).toBeGreaterThan(8 * 1024 * 1024);
    expect(users?.live).toBeLessThan(4096);
    expect(cluster.ledger.snapshots("sm_20250101000000UTC")[0]?.files?.["ks1.users"]).toContain(data);

    expect(
      (await call(ip(0), "DELETE", "/storage_service/snapshots?tag=sm_20250101000000UTC&kn=ks1&cf=users")).status,
    ).toBe(200);
    expect(existsSync(snap)).toBe(false);
    expect(existsSync(join(tableDir(ip(0), "ks1", "small_table"), "snapshots", "sm_20250101000000UTC"))).toBe(true);
  });

  test("unknown keyspace is a 400", async () => {
    const res = await call(ip(0), "POST", "/storage_service/snapshots?tag=x&kn=nope");
    expect(res.status).toBe(400);
  });
});

describe("load and stream", () => {
  test("snapshot → upload dir → load_and_stream round trip, checked by content in the ledger", async () => {
    const tag = "sm_20250102000000UTC";
    expect((await call(ip(0), "POST", `/storage_service/snapshots?tag=${tag}&kn=ks2&cf=events`)).status).toBe(200);
    const snap = join(tableDir(ip(0), "ks2", "events"), "snapshots", tag);
    const upload = join(tableDir(ip(1), "ks2", "events"), "upload");
    for (const f of readdirSync(snap).filter((n) => parseSSTableFileName(n) !== undefined)) {
      copyFileSync(join(snap, f), join(upload, f));
    }
    const before = readdirSync(tableDir(ip(1), "ks2", "events")).length;
    const res = await call(
      ip(1),
      "POST",
      "/storage_service/sstables/ks2?cf=events&load_and_stream=true&primary_replica_only=true",
    );
    expect(res.status).toBe(200);
    expect(readdirSync(upload)).toEqual([]);
    expect(readdirSync(tableDir(ip(1), "ks2", "events")).length).toBeGreaterThan(before);
    const cmp = compareLoadsWithSnapshot(cluster.ledger, tag, "ks2", "events");
    expect(cmp.snapshotFiles).toBeGreaterThan(0);
    expect(cmp.missing).toEqual([]);
    expect(cmp.unexpected).toEqual([]);
    const load = cluster.ledger.loads("ks2", "events").at(-1);
    expect(load?.outcome).toBe("successful");
    expect(load?.loadAndStream).toBe(true);
  });

  test("a file changed in transit is reported by the ledger check", async () => {
    const tag = "sm_20250103000000UTC";
    await call(ip(0), "POST", `/storage_service/snapshots?tag=${tag}&kn=ks1&cf=small_table`);
    const snap = join(tableDir(ip(0), "ks1", "small_table"), "snapshots", tag);
    const upload = join(tableDir(ip(2), "ks1", "small_table"), "upload");
    for (const f of readdirSync(snap).filter((n) => parseSSTableFileName(n) !== undefined)) {
      copyFileSync(join(snap, f), join(upload, f));
    }
    const data = readdirSync(upload).find((f) => f.endsWith("Data.db")) ?? "";
    await Bun.write(join(upload, data), "corrupted");
    expect(
      (await call(ip(2), "POST", "/storage_service/sstables/ks1?cf=small_table&load_and_stream=true")).status,
    ).toBe(200);
    const cmp = compareLoadsWithSnapshot(cluster.ledger, tag, "ks1", "small_table");
    expect(cmp.missing.map((f) => f.name)).toEqual([data]);
    expect(cmp.unexpected.map((f) => f.name)).toEqual([data]);
  });

  test("a concurrent load on the same node fails with Already loading SSTables", async () => {
    const tag = "sm_20250104000000UTC";
    await call(ip(0), "POST", `/storage_service/snapshots?tag=${tag}&kn=ks3`);
    const snap = join(tableDir(ip(0), "ks3", "blobs"), "snapshots", tag);
    const upload = join(tableDir(ip(2), "ks3", "blobs"), "upload");
    for (const f of readdirSync(snap).filter((n) => parseSSTableFileName(n) !== undefined)) {
      copyFileSync(join(snap, f), join(upload, f));
    }
    // 32 MiB at 64 KiB per modelled second = 512 modelled s = ~0.5 s real at time scale 0.001.
    setLoadBandwidth(cluster.state, 64 * 1024);
    try {
      const first = call(ip(2), "POST", "/storage_service/sstables/ks3?cf=blobs&load_and_stream=true");
      await Bun.sleep(100);
      const second = await call(ip(2), "POST", "/storage_service/sstables/ks1?cf=users&load_and_stream=true");
      expect(second.status).toBe(500);
      expect((second.body as { message: string }).message).toContain("Already loading SSTables");
      expect((await first).status).toBe(200);
      expect(readdirSync(upload)).toEqual([]);
    } finally {
      setLoadBandwidth(cluster.state, 256 * 1024 * 1024);
    }
  });

  test("missing cf and unknown table are 400s", async () => {
    expect((await call(ip(0), "POST", "/storage_service/sstables/ks1")).status).toBe(400);
    expect((await call(ip(0), "POST", "/storage_service/sstables/ks1?cf=nope")).status).toBe(400);
  });
});

describe("schema changes", () => {
  test("a new table gets a dir; a dropped one keeps its dir with an automatic snapshot", () => {
    cluster.schema.createTable(
      {
        keyspace: "ks1",
        name: "fresh",
        columns: [{ name: "id", type: "uuid", kind: "partition_key", position: 0, clusteringOrder: "none" }],
        options: {},
        extensions: {},
      },
      false,
    );
    const fresh = tableDir(ip(0), "ks1", "fresh");
    expect(existsSync(join(fresh, "upload"))).toBe(true);
    const dir = tableDir(ip(0), "ks3", "blobs");
    cluster.schema.dropTable("ks3", "blobs", false);
    expect(existsSync(dir)).toBe(true);
    expect(readdirSync(dir).filter((f) => parseSSTableFileName(f) !== undefined)).toEqual([]);
    const snaps = readdirSync(join(dir, "snapshots"));
    expect(snaps.some((s) => /^\d+-blobs$/.test(s))).toBe(true);
  });
});

describe("contract", () => {
  test.skipIf(contractsAbsent("storage.test.ts"))(
    "storage routes exist in scylla_v1.json and the snapshot listing validates",
    async () => {
      const contracts = new ScyllaContracts();
      const routes = cluster.routers.get(ip(0))?.routes() ?? [];
      const mine = routes.filter((r) => /snapshots|sstables/.test(r.pattern));
      expect(mine.length).toBe(4);
      expect(mine.filter((r) => !contracts.has(r.method, r.pattern))).toEqual([]);
      await call(ip(0), "POST", "/storage_service/snapshots?tag=contract&kn=ks1");
      const list = await call(ip(0), "GET", "/storage_service/snapshots");
      expect((list.body as unknown[]).length).toBeGreaterThan(0);
      expect(contracts.validate("GET", "/storage_service/snapshots", 200, list.body)).toBeUndefined();
      const err = await call(ip(0), "POST", "/storage_service/snapshots?tag=contract&kn=ks1");
      expect(contracts.validate("POST", "/storage_service/snapshots", 500, err.body)).toBeUndefined();
    },
  );
});
