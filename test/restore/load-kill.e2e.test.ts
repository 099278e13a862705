/**
 * Fault: the daemon is SIGKILLed while a node runs a batch's load&stream (the batch fully downloaded), then started
 * again on the same SQLite store. The node goes on loading without anyone waiting for its answer. The resumed run
 * loads that table on that node again (Scylla answers "Already loading SSTables" until the old load ends; then the
 * upload dir holds nothing more to load), records the batch as restored and goes on: no file is downloaded twice
 * (counted at the storage, behind the agents) and every SSTable of the snapshot is loaded exactly once (the
 * emulator's ledger). The kill is placed by holding the emulator's modelled load time. 127.4.10.x.
 */
import { afterAll, beforeAll, expect, test } from "bun:test";
import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createDaemonEnv, type DaemonEnv, type RunningDaemon } from "../e2e/scheduler-daemon.ts";
import { type EmulatedAgents, startAgents } from "../emulator/agents.ts";
import { type EmulatedCluster, startCluster } from "../emulator/index.ts";
import { testSchemaSpec } from "../emulator/storage/testing.ts";
import { createHoldableClock } from "../support/holdable-clock.ts";
import { runSctool } from "../support/run-sctool.ts";
import { StorageSpy } from "../support/storage-spy.ts";
import { waitFor } from "../support/wait-for.ts";
import { writeTestBackup } from "./bucket.ts";
import { expectExactlyOnce, SOURCE_CLUSTER, SOURCE_TASK, TAG, TOKEN } from "./harness.ts";

const TABLES = ["ks1.small_table", "ks1.users", "ks3.blobs"];
let root: string;
let emu: EmulatedCluster;
let agents: EmulatedAgents;
let env: DaemonEnv;
let daemon: RunningDaemon | undefined;
const spy = new StorageSpy();

/** Held while the kill is placed: modelled waits (loads) started meanwhile wait for the release. */
const gate = createHoldableClock();
const clock = gate.clock;

beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), "restore-load-kill-"));
  mkdirSync(join(root, "bucket"));
  emu = await startCluster({ dcs: [2], ipPrefix: "127.4.10.", schema: testSchemaSpec(), clock });
  agents = await startAgents(emu, {
    authToken: TOKEN,
    config: { localstorage: { path: root } },
    wrapBackend: spy.wrap,
  });
  await writeTestBackup(emu, {
    root,
    bucket: "bucket",
    clusterId: SOURCE_CLUSTER,
    taskId: SOURCE_TASK,
    tag: TAG,
    keyspaces: ["ks1", "ks3"],
  });
  env = createDaemonEnv("127.4.10.200", { restore: { long_polling_timeout_seconds: 1 } });
  daemon = await env.start();
}, 120_000);

afterAll(async () => {
  gate.release();
  await daemon?.stop("SIGKILL");
  await agents?.close();
  await emu?.close();
  env?.cleanup();
  if (root) rmSync(root, { recursive: true, force: true });
});

test("SIGKILL during load&stream, restart: the batch is neither downloaded nor loaded again", async () => {
  const sctool = (...argv: string[]) => runSctool((daemon as RunningDaemon).api, argv);
  expect(
    (await sctool("cluster", "add", "--host", emu.nodes[0]?.ip ?? "", "--auth-token", TOKEN, "--name", "c")).code,
  ).toBe(0);
  // One host at a time, one small batch each: batches are restored before the kill, and more after it.
  const created = await sctool(
    "restore",
    "-c",
    "c",
    "-L",
    "localstorage:bucket",
    "-T",
    TAG,
    "--restore-tables",
    "-K",
    "ks1,ks3",
    "--batch-size",
    "1",
    "--parallel",
    "1",
  );
  expect(created.code).toBe(0);
  const taskId = created.stdout.trim().split("/")[1] ?? "";
  const since = emu.ledger.loads();
  const newLoads = () => emu.ledger.loads().filter((l) => !since.includes(l));
  await waitFor(
    () => (newLoads().filter((l) => l.outcome === "successful").length >= 2 ? true : undefined),
    150_000,
    "two restored batches",
  );
  const beforeHold = newLoads().length;
  gate.hold();
  const held = await waitFor(
    () =>
      newLoads()
        .slice(beforeHold)
        .find((l) => l.outcome === "running"),
    150_000,
    "a load&stream in progress",
  );
  expect(held.files.length).toBeGreaterThan(0);
  expect(spy.activeReads).toBe(0);
  daemon?.child.kill("SIGKILL");
  await daemon?.exited;

  daemon = await env.start();
  // The old load goes on while the resumed run asks: it ends a moment later.
  await Bun.sleep(500);
  gate.release();
  const api = daemon.api;
  const latest = await waitFor(
    async () => {
      const res = await fetch(`${api}/cluster/c/task/restore/${taskId}/latest`);
      const body = (await res.json()) as { run?: { status: string; cause?: string } };
      return ["DONE", "ERROR"].includes(body.run?.status ?? "") ? body : undefined;
    },
    240_000,
    "the resumed run to end",
  );
  expect(latest.run?.cause ?? "").toBe("");
  expect(latest.run?.status).toBe("DONE");
  expect(held.outcome).toBe("successful");
  expect(expectExactlyOnce(emu, TABLES, since)).toEqual([]);
  // Counted where the files are stored: every SSTable file was read exactly once, the held batch's too.
  const reads = spy.readsOf((p) => p.includes("/backup/sst/"));
  expect(reads.size).toBeGreaterThan(0);
  expect([...reads].filter(([, n]) => n !== 1)).toEqual([]);
  const heldNames = new Set(held.files.map((f) => f.name));
  expect([...reads.keys()].filter((p) => heldNames.has(p.slice(p.lastIndexOf("/") + 1))).length).toBe(heldNames.size);
  for (const name of TABLES) {
    const [ks, t] = name.split(".") as [string, string];
    for (const node of emu.nodes) {
      const res = await fetch(`http://${node.ip}:${node.restPort}/column_family/autocompaction/${ks}:${t}`);
      expect(`${node.ip} ${name} ${await res.json()}`).toBe(`${node.ip} ${name} true`);
    }
  }
}, 420_000);
