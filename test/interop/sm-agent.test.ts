/**
 * Our server driving SM's own agents: an emulated cluster (127.5.2.x) whose nodes each run SM's
 * scylla-manager-agent (built from SM's source); our server adds the cluster, reports status and runs the health
 * checks, a repair, and a backup to a localstorage location the agents share, restored again, through them.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { join } from "node:path";
import { type EmulatedCluster, startCluster } from "../emulator/index.ts";
import { restoredOnceProblems } from "../restore/harness.ts";
import { bucketMismatches } from "./bucket-checks.ts";
import {
  type Daemon,
  interopSkipReason,
  ourSctool,
  snapshotTagOf,
  startOurServer,
  startSmAgent,
  taskStatusOf,
  tempDir,
  waitForTaskEnd,
} from "./support.ts";

const skip = interopSkipReason();
if (skip !== undefined) console.warn(`SKIP interop suite (our server, SM's agents): ${skip}`);

const TOKEN = "interop-token";
const TABLES = ["small_table", "users"];
let cluster: EmulatedCluster;
let agents: Daemon[] = [];
let server: { apiUrl: string; daemon: Daemon };
let temp: { dir: string; remove: () => void };

describe.skipIf(skip !== undefined)("our server drives SM's agents", () => {
  beforeAll(async () => {
    temp = tempDir("sm-interop-agent-");
    cluster = await startCluster({ dcs: "dc1:2,dc2:1", ipPrefix: "127.5.2.", tokensPerNode: 8, timeScale: 0.01 });
    agents = await Promise.all(
      cluster.nodes.map(async (n) => (await startSmAgent(n.ip, n.restPort, temp.dir, TOKEN)).daemon),
    );
    server = await startOurServer("127.5.2.200", temp.dir);
  }, 120_000);

  afterAll(async () => {
    await server?.daemon.stop();
    await Promise.all(agents.map((a) => a.stop()));
    await cluster?.close();
    temp?.remove();
  });

  test("cluster add through SM's agents, then status shows every node UP with CQL and REST", async () => {
    const host = cluster.nodes[0]?.ip ?? "";
    const add = await ourSctool(
      server.apiUrl,
      "cluster",
      "add",
      "--host",
      host,
      "--auth-token",
      TOKEN,
      "--name",
      "sm-agents",
    );
    expect({ code: add.code, stderr: add.stderr }).toMatchObject({ code: 0 });
    const status = await ourSctool(server.apiUrl, "status", "-c", "sm-agents");
    expect(status.code).toBe(0);
    for (const node of cluster.nodes) {
      const row = status.stdout.split("\n").find((line) => line.includes(` ${node.ip} `));
      expect(row ?? `no row for ${node.ip}\n${status.stdout}`).toMatch(/UN.*UP.*UP/);
    }
  }, 60_000);

  test("the default health check tasks run to DONE through SM's agents", async () => {
    for (const name of ["cql", "rest"]) {
      const start = await ourSctool(server.apiUrl, "start", `healthcheck/${name}`, "-c", "sm-agents");
      expect(start.code).toBe(0);
    }
    let info = "";
    for (let i = 0; i < 50; i++) {
      info = (await ourSctool(server.apiUrl, "tasks", "-c", "sm-agents")).stdout;
      if ((info.match(/DONE/g) ?? []).length >= 2) break;
      await Bun.sleep(300);
    }
    expect((info.match(/DONE/g) ?? []).length).toBeGreaterThanOrEqual(2);
  }, 60_000);

  test("a repair by our server through SM's agents runs to DONE; the emulator's ledger records the repairs", async () => {
    const before = cluster.ledger.of("repair").length;
    const repair = await ourSctool(server.apiUrl, "repair", "-c", "sm-agents", "-K", "ks1");
    expect({ code: repair.code, stderr: repair.stderr }).toMatchObject({ code: 0 });
    // The new task (the cluster also has the default weekly repair, so the type alone is ambiguous).
    const task = repair.stdout.trim().split("\n").pop() ?? "";
    expect(task).toMatch(/^repair\/[0-9a-f-]{36}$/);
    let progress = "";
    for (let i = 0; i < 300; i++) {
      const answer = await ourSctool(server.apiUrl, "progress", task, "-c", "sm-agents");
      progress = answer.stdout || answer.stderr;
      if (/Status:\s+(DONE|ERROR)/.test(progress)) break;
      await Bun.sleep(400);
    }
    expect(progress).toMatch(/Status:\s+DONE/);
    expect(cluster.ledger.of("repair").length).toBeGreaterThan(before);
  }, 150_000);

  test("our server backs up through SM's agents (localstorage) and restores it: the ledger shows every SSTable once", async () => {
    const api = server.apiUrl;
    const clusterId = (await ourSctool(api, "cluster", "list")).stdout.match(/[0-9a-f-]{36}/)?.[0] ?? "";
    const backup = await ourSctool(api, "backup", "-c", "sm-agents", "-L", "localstorage:backups", "-K", "ks1");
    expect({ code: backup.code, stderr: backup.stderr }).toMatchObject({ code: 0 });
    const task = backup.stdout.trim().split("\n").pop() ?? "";
    const progress = await waitForTaskEnd(() => ourSctool(api, "progress", task, "-c", "sm-agents"));
    expect(taskStatusOf(progress) === "DONE" ? "DONE" : `${progress}\n${server.daemon.log().slice(-4000)}`).toBe(
      "DONE",
    );
    const tag = snapshotTagOf(progress);
    const bucket = join(temp.dir, "localstorage", "backups");
    expect(bucketMismatches(cluster, bucket, clusterId, tag, "ks1", TABLES)).toEqual([]);
    const list = await ourSctool(api, "backup", "list", "-c", "sm-agents", "-L", "localstorage:backups");
    expect(list.stdout).toContain(`  - ${tag} (`);

    const since = [...cluster.ledger.loads()];
    const restore = await ourSctool(
      api,
      "restore",
      "-c",
      "sm-agents",
      "-L",
      "localstorage:backups",
      "-T",
      tag,
      "--restore-tables",
      "-K",
      "ks1",
    );
    expect({ code: restore.code, stderr: restore.stderr }).toMatchObject({ code: 0 });
    const restoreTask = restore.stdout.trim().split("\n").pop() ?? "";
    const restored = await waitForTaskEnd(() => ourSctool(api, "progress", restoreTask, "-c", "sm-agents"));
    expect(taskStatusOf(restored) === "DONE" ? "DONE" : `${restored}\n${server.daemon.log().slice(-4000)}`).toBe(
      "DONE",
    );
    const tables = TABLES.map((t) => `ks1.${t}`);
    expect(restoredOnceProblems({ source: cluster.ledger, target: cluster.ledger, tables, since, tag })).toEqual([]);
  }, 200_000);
});
