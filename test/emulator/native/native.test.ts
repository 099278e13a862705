import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { existsSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { type EmulatedCluster, startCluster } from "../index.ts";
import { testSchemaSpec } from "../storage/testing.ts";
import { setNativeBandwidth } from "./tasks.ts";
import { awaitTask, callNode, type TaskStatusBody } from "./testing.ts";

// No S3 here: validation, version gating and task handling that fail or stop before any object storage call.
// The transfers themselves are covered against a real S3 server by test/external/emulator-native-backup.test.ts.
let cluster: EmulatedCluster;
const NEW = "127.0.29.1"; // 2026.1: backup and restore
const MID = "127.0.29.2"; // 2025.2: backup only
const OLD = "127.0.29.3"; // 2025.1: neither
// Nothing listens on port 9 of this address; tests here never reach the upload.
const ENDPOINT = "127.0.29.250";

beforeAll(async () => {
  cluster = await startCluster({
    dcs: "dc1:3",
    ipPrefix: "127.0.29.",
    tokensPerNode: 8,
    timeScale: 0.001,
    schema: testSchemaSpec(),
    cql: false,
    scyllaVersion: "2026.1.0",
    objectStorageEndpoints: { [ENDPOINT]: JSON.stringify({ port: 9, use_https: false, aws_region: "us-east-1" }) },
    nodeSettings: { [MID]: { version: "2025.2.0" }, [OLD]: { version: "2025.1.0" } },
  });
  // Bun's default 5 s hook limit was hit on a loaded machine: the start went on after the hook gave up, so the
  // cluster was never closed and its temp dir stayed behind.
}, 60_000);
afterAll(() => cluster?.close());

const backupQuery = (over: Record<string, string> = {}): Record<string, string> => ({
  endpoint: ENDPOINT,
  bucket: "b",
  prefix: "backup/sst",
  keyspace: "ks1",
  table: "users",
  snapshot: "sm_native",
  move_files: "true",
  ...over,
});
const restoreQuery = (over: Record<string, string> = {}): Record<string, string> => ({
  endpoint: ENDPOINT,
  bucket: "b",
  prefix: "backup/sst",
  keyspace: "ks1",
  table: "users",
  scope: "all",
  primary_replica_only: "true",
  ...over,
});

describe("version gating", () => {
  test("a 2025.1 node answers 404 for both, like an unknown route", async () => {
    for (const path of ["/storage_service/backup", "/storage_service/restore"]) {
      const res = await callNode(OLD, "POST", path, backupQuery(), []);
      expect(res).toEqual({ status: 404, body: { message: "Not found", code: 404 } });
    }
    expect(await callNode(OLD, "POST", "/storage_service/no_such_route")).toEqual({
      status: 404,
      body: { message: "Not found", code: 404 },
    });
  });

  test("a 2025.2 node serves backup but not restore", async () => {
    expect((await callNode(MID, "POST", "/storage_service/backup", backupQuery({ endpoint: "nope" }))).status).toBe(
      400,
    );
    expect((await callNode(MID, "POST", "/storage_service/restore", restoreQuery(), ["a-TOC.txt"])).status).toBe(404);
  });
});

describe("validation", () => {
  test("backup: missing parameters, unknown endpoint, keyspace, table", async () => {
    const cases: Array<[Record<string, string>, string]> = [
      [{ endpoint: "" }, "Missing mandatory parameter 'endpoint'"],
      [{ bucket: "" }, "Missing mandatory parameter 'bucket'"],
      [{ snapshot: "" }, "Missing mandatory parameter 'snapshot'"],
      [{ endpoint: "s3.nowhere" }, "endpoint s3.nowhere not found"],
      [{ keyspace: "nope" }, "Can't find a keyspace nope"],
      [{ table: "nope" }, "Can't find a column family nope in keyspace ks1"],
      [{ move_files: "maybe" }, "Invalid value 'maybe' for boolean parameter 'move_files'"],
    ];
    for (const [over, message] of cases) {
      const res = await callNode(NEW, "POST", "/storage_service/backup", backupQuery(over));
      expect(res).toEqual({ status: 400, body: { message, code: 400 } });
    }
  });

  test("restore: scope, primary_replica_only and the TOC list body", async () => {
    const cases: Array<[Record<string, string>, unknown, string]> = [
      [{ scope: "world" }, ["a-TOC.txt"], "Invalid scope parameter value 'world': use one of all, dc, rack, node"],
      [
        { primary_replica_only: "yes" },
        ["a-TOC.txt"],
        "Invalid value 'yes' for boolean parameter 'primary_replica_only'",
      ],
      [{ endpoint: "s3.nowhere" }, ["a-TOC.txt"], "endpoint s3.nowhere not found"],
      [{}, "not json", "restore: the body must be a JSON array of TOC object keys"],
      [{}, [], "restore: the list of TOC object keys is empty"],
      [{}, ["me-1-big-Data.db"], "restore: each entry must be the object key of a TOC.txt file"],
    ];
    for (const [over, body, message] of cases) {
      const res = await callNode(NEW, "POST", "/storage_service/restore", restoreQuery(over), body);
      expect(res).toEqual({ status: 400, body: { message, code: 400 } });
    }
  });
});

describe("tasks", () => {
  test("a backup of a missing snapshot is a failed task of module snapshot, not listed under repair", async () => {
    const res = await callNode(NEW, "POST", "/storage_service/backup", backupQuery({ snapshot: "never_taken" }));
    expect(res.status).toBe(200);
    const id = res.body as string;
    expect(id).toMatch(/^[0-9a-f-]{36}$/);
    const status = await awaitTask(NEW, id);
    expect(status).toMatchObject({ id, type: "backup", state: "failed" });
    expect(status.error).toBe("snapshot never_taken of ks1.users not found");
    // As Scylla's backup task: the keyspace only, no table or entity, progress in bytes.
    expect(status).toMatchObject({ keyspace: "ks1", table: "", entity: "", scope: "node", progress_units: "bytes" });
    const backups = (await callNode(NEW, "GET", "/task_manager/list_module_tasks/snapshot", { keyspace: "ks1" }))
      .body as Array<Record<string, unknown>>;
    expect(backups).toContainEqual({
      task_id: id,
      type: "backup",
      kind: "node",
      scope: "node",
      state: "failed",
      sequence_number: expect.any(Number),
      keyspace: "ks1",
      table: "",
      entity: "",
    });
    expect((await callNode(NEW, "GET", "/task_manager/list_module_tasks/snapshot", { keyspace: "ks3" })).body).toEqual(
      [],
    );
    expect((await callNode(NEW, "GET", "/task_manager/list_module_tasks/backup")).status).toBe(400);
    const repairs = (await callNode(NEW, "GET", "/task_manager/list_module_tasks/repair")).body as Array<{
      task_id: string;
    }>;
    expect(repairs.map((t) => t.task_id)).not.toContain(id);
    const entry = cluster.ledger.all().find((e) => e.kind === "native_backup" && e.taskId === id);
    expect(entry).toMatchObject({ outcome: "failed", host: NEW, keyspace: "ks1", table: "users" });
  });

  test("abort_task stops a running backup before anything is uploaded; the snapshot stays", async () => {
    // With time scale 0.001 a modelled second is 1 ms; at 0.01 B/s even a 3-byte file takes 300 ms.
    setNativeBandwidth(cluster.state, 0.01);
    expect((await callNode(MID, "POST", "/storage_service/snapshots", { tag: "sm_abort", kn: "ks1" })).status).toBe(
      200,
    );
    const res = await callNode(MID, "POST", "/storage_service/backup", backupQuery({ snapshot: "sm_abort" }));
    const id = res.body as string;
    const timed = await callNode(MID, "GET", `/task_manager/wait_task/${id}`, { timeout: "0.2" });
    expect(timed).toMatchObject({ status: 408 });
    const running = (await callNode(MID, "GET", `/task_manager/task_status/${id}`)).body as TaskStatusBody;
    expect(running.state).toBe("running");
    expect(running.progress_total).toBeGreaterThan(8 * 1024 * 1024 - 1);
    expect(running.progress_completed).toBe(0);
    expect((await callNode(MID, "POST", `/task_manager/abort_task/${id}`)).status).toBe(200);
    const status = await awaitTask(MID, id);
    expect(status).toMatchObject({ state: "failed", error: "abort requested" });
    const node = cluster.nodes.find((n) => n.ip === MID);
    const def = cluster.schema.table("ks1", "users");
    const snap = join(node?.dataDir ?? "", "ks1", `users-${def?.id.replaceAll("-", "")}`, "snapshots", "sm_abort");
    expect(existsSync(snap)).toBe(true);
    expect(readdirSync(snap).some((f) => f.endsWith("-Data.db"))).toBe(true);
    setNativeBandwidth(cluster.state, 128 * 1024 * 1024);
  });
});
