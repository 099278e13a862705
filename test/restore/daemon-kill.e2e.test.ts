/**
 * Fault: the daemon is SIGKILLed mid-DATA (while a batch downloads), then started again on the same SQLite store.
 * The restore task is restarted and resumes: batches restored before the kill are not downloaded again (counted at
 * the storage, behind the agents), the interrupted batch's leftover agent job is stopped, and in the end every
 * SSTable of the snapshot was loaded exactly once (the emulator's ledger). 127.4.5.x.
 */
import { afterAll, beforeAll, expect, test } from "bun:test";
import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { basename, join } from "node:path";
import { createDaemonEnv, type DaemonEnv, type RunningDaemon } from "../e2e/scheduler-daemon.ts";
import { type EmulatedAgents, startAgents } from "../emulator/agents.ts";
import { type EmulatedCluster, startCluster } from "../emulator/index.ts";
import { testSchemaSpec } from "../emulator/storage/testing.ts";
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

beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), "restore-kill-"));
  mkdirSync(join(root, "bucket"));
  emu = await startCluster({ dcs: [2], ipPrefix: "127.4.5.", schema: testSchemaSpec() });
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
  env = createDaemonEnv("127.4.5.200", { restore: { long_polling_timeout_seconds: 1 } });
  daemon = await env.start();
}, 120_000);

afterAll(async () => {
  await daemon?.stop("SIGKILL");
  await agents?.close();
  await emu?.close();
  env?.cleanup();
  if (root) rmSync(root, { recursive: true, force: true });
});

test("SIGKILL mid-download, restart: the restore resumes, restored batches are not downloaded again", async () => {
  const sctool = (...argv: string[]) => runSctool((daemon as RunningDaemon).api, argv);
  expect(
    (await sctool("cluster", "add", "--host", emu.nodes[0]?.ip ?? "", "--auth-token", TOKEN, "--name", "c")).code,
  ).toBe(0);
  // One host at a time, one batch in flight, 8 MiB/s: the kill lands in a download (a kill in load&stream is
  // load-kill.e2e.test.ts).
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
    "--rate-limit",
    "8",
  );
  expect(created.code).toBe(0);
  const taskId = created.stdout.trim().split("/")[1] ?? "";
  const since = emu.ledger.loads();
  const newLoads = () => emu.ledger.loads().filter((l) => !since.includes(l));
  await waitFor(
    () => {
      const loads = newLoads();
      const busy = loads.some((l) => l.outcome === "running");
      const done = loads.filter((l) => l.outcome === "successful").length;
      return done >= 2 && !busy && spy.activeReads > 0 ? true : undefined;
    },
    150_000,
    "two restored batches and a download in flight",
  );
  daemon?.child.kill("SIGKILL");
  await daemon?.exited;
  const loadedBeforeKill = new Set(
    newLoads()
      .filter((l) => l.outcome === "successful")
      .flatMap((l) => l.files.map((f) => f.name)),
  );
  expect(loadedBeforeKill.size).toBeGreaterThan(0);

  daemon = await env.start();
  const api = daemon.api;
  const latest = await waitFor(
    async () => {
      const res = await fetch(`${api}/cluster/c/task/restore/${taskId}/latest`);
      const body = (await res.json()) as { run?: { status: string; cause?: string }; progress?: unknown };
      return ["DONE", "ERROR"].includes(body.run?.status ?? "") ? body : undefined;
    },
    240_000,
    "the resumed run to end",
  );
  expect(latest.run?.cause ?? "").toBe("");
  expect(latest.run?.status).toBe("DONE");
  expect(expectExactlyOnce(emu, TABLES, since)).toEqual([]);
  // Counted where the files are stored: a file of a batch restored before the kill was read once; only the batch
  // in flight at the kill may have been read twice.
  const reads = spy.readsOf((p) => p.includes("/backup/sst/"));
  const names = [...reads.keys()].map((p) => basename(p));
  expect(new Set(names).size).toBe(names.length);
  const twice = [...reads].filter(([, n]) => n > 1).map(([p]) => basename(p));
  expect(twice.filter((name) => loadedBeforeKill.has(name))).toEqual([]);
  expect([...reads.values()].every((n) => n <= 2)).toBe(true);
  // Autocompaction is back on for every restored table on every node.
  for (const name of TABLES) {
    const [ks, t] = name.split(".") as [string, string];
    for (const node of emu.nodes) {
      const res = await fetch(`http://${node.ip}:${node.restPort}/column_family/autocompaction/${ks}:${t}`);
      expect(`${node.ip} ${name} ${await res.json()}`).toBe(`${node.ip} ${name} true`);
    }
  }
}, 420_000);
