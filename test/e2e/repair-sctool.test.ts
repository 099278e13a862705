/**
 * sctool repair end to end: our server (node listener, so the dry run's GET body arrives) and the emulator
 * (2 DCs × 3 nodes on 127.1.2.x with our agents): `repair --dry-run` in SM's layout, `repair` creates a task that
 * runs, `progress` in SM's layout, `repair update`, `repair control` errors without a running repair.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { runCli } from "../../src/cli/main.ts";
import type { Manager } from "../../src/manager/manager.ts";
import { type NodeListener, startNodeListener } from "../../src/server/node-listener.ts";
import type { Store } from "../../src/store/store.ts";
import { type EmulatedCluster, startCluster } from "../emulator/index.ts";
import { uncoveredRanges } from "../emulator/repair/ledger-checks.ts";
import { startInProcessServer } from "../support/in-process-server.ts";
import { waitFor } from "./repair-helpers.ts";

const TOKEN = "repair-sctool";
let emu: EmulatedCluster;
let listener: NodeListener;
let manager: Manager;
let store: Store;
let apiUrl = "";

async function sctool(...argv: string[]) {
  let stdout = "";
  let stderr = "";
  const code = await runCli(["--api-url", apiUrl, ...argv], {
    io: {
      stdout: (t) => {
        stdout += t;
      },
      stderr: (t) => {
        stderr += t;
      },
      env: { SCTOOL_ASCII_TABLES: "1", SCTOOL_DUMP_HTTP: process.env.DUMP },
    },
  });
  return { code, stdout, stderr };
}

beforeAll(async () => {
  emu = await startCluster({
    dcs: [3, 3],
    ipPrefix: "127.1.2.",
    agents: { authToken: TOKEN },
    timeScale: 0.001,
    tokensPerNode: 16,
  });
  const started = await startInProcessServer();
  manager = started.manager;
  store = started.store;
  listener = await startNodeListener({ hostname: "127.1.2.100", port: 0, fetch: started.app.fetch });
  apiUrl = `http://127.1.2.100:${listener.port}/api/v1`;
  const add = await sctool("cluster", "add", "--host", "127.1.2.1", "--name", "emu", "--auth-token", TOKEN);
  expect(add.code).toBe(0);
}, 60_000);
afterAll(async () => {
  await listener?.close(0);
  await manager?.close();
  await emu?.close();
});

describe("sctool repair", () => {
  test("--dry-run prints SM's target layout and schedules nothing", async () => {
    const before = (await store.listAllTasks()).length;
    const dry = await sctool("repair", "-c", "emu", "-K", "ks1,ks3.*", "--dry-run");
    expect(dry.stderr).toBe("NOTICE: dry run mode, repair is not scheduled\n\n");
    expect(dry.code).toBe(0);
    expect(dry.stderr).toBe("NOTICE: dry run mode, repair is not scheduled\n\n");
    expect(dry.stdout).toBe(
      "Data Centers:\n  - dc1\n  - dc2\n\nKeyspaces:\n  - ks1 all (3 tables)\n  - ks3 all (1 table)\n\n",
    );
    const shown = await sctool("repair", "-c", "emu", "-K", "ks1.users", "--dry-run", "--show-tables", "--dc", "dc1");
    expect(shown.stdout).toBe("Data Centers:\n  - dc1\n\nKeyspaces:\n  - ks1 (users)\n\n");
    expect((await store.listAllTasks()).length).toBe(before);
    const bad = await sctool("repair", "-c", "emu", "-K", "nope", "--dry-run");
    expect(bad.code).not.toBe(0);
    expect(bad.stderr).toContain("no keyspace matched criteria");
  });

  test("repair runs; progress shows SM's layout; update and control", async () => {
    const created = await sctool(
      "repair",
      "-c",
      "emu",
      "-K",
      "ks3",
      "--small-table-threshold",
      "0",
      "--intensity",
      "2",
    );
    expect(created.code).toBe(0);
    const id = created.stdout.trim();
    expect(id).toMatch(/^repair\/[0-9a-f-]{36}$/);
    await waitFor(async () => {
      const runs = await store.listRuns((await store.listClusters())[0]?.id ?? "", "repair", id.split("/")[1] ?? "", 1);
      return runs[0]?.status === "DONE" ? true : undefined;
    });
    expect(uncoveredRanges(emu.state, "ks3", "blobs")).toEqual([]);
    const progress = await sctool("progress", "-c", "emu", id);
    expect(progress.code).toBe(0);
    expect(progress.stdout).toContain("Status:\t\tDONE\n");
    expect(progress.stdout).toContain(
      "Progress:\t100%\nIntensity:\t2\nParallel:\t0\nDatacenters:\t\n  - dc1\n  - dc2\n\n",
    );
    expect(progress.stdout).toMatch(/\| ks3 +\| +blobs \| 100% +\| \d+s +\|/);
    const detailed = await sctool("progress", "-c", "emu", id, "--details", "--host", "127.1.2.1");
    expect(detailed.stdout).toContain("\nHost: 127.1.2.1\n");
    expect(detailed.stdout).not.toContain("Host: 127.1.2.2");
    expect(detailed.stdout).toContain("Token Ranges");
    const updated = await sctool("repair", "update", "-c", "emu", id, "--parallel", "1", "-K", "ks1");
    expect(updated.code).toBe(0);
    const task = (await store.listAllTasks({ type: "repair" })).find((t) => id.endsWith(t.id));
    expect(task?.properties).toMatchObject({ keyspace: ["ks1"], parallel: 1, intensity: 2, small_table_threshold: 0 });
    const control = await sctool("repair", "control", "-c", "emu", "--intensity", "3");
    expect(control.code).not.toBe(0);
    expect(control.stderr).toContain("not found");
    const nothing = await sctool("repair", "control", "-c", "emu");
    expect(nothing.stderr).toContain("at least one of the flags");
  }, 60_000);
});
