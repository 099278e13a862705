/**
 * `sctool backup delete` refuses a snapshot protected by an object lock, end to end: sctool → our REST server → our
 * agents on the emulator → the agents' GCS backend (the real GCS client) → an in-process GCS JSON API
 * (test/support/fake-gcs-locks.ts) where one manifest of the snapshot has an unexpired retention, or a temporary
 * manifest is under an event-based hold. Nothing may be deleted, and the error names the tag.
 */
import { afterAll, beforeAll, expect, test } from "bun:test";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { manifestPath, tempPath } from "../../src/backup/layout/paths.ts";
import type { Manager } from "../../src/manager/manager.ts";
import { type EmulatedCluster, startCluster } from "../emulator/index.ts";
import { FakeGcsLocks } from "../support/fake-gcs-locks.ts";
import { startInProcessServer } from "../support/in-process-server.ts";
import { runSctool } from "../support/run-sctool.ts";

const TOKEN = "lock-e2e";
const TASK = "f70117d8-c10e-4e90-9606-2587936b3757";
const RETAINED = "sm_20260101000000UTC";
const HELD = "sm_20260102000000UTC";

let dir: string;
let gcs: FakeGcsLocks;
let emu: EmulatedCluster;
let server: ReturnType<typeof Bun.serve>;
let manager: Manager;
let apiUrl = "";
let clusterId = "";

const sctool = (...argv: string[]) => runSctool(apiUrl, argv);

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "lock-e2e-"));
  gcs = new FakeGcsLocks("127.7.12.50");
  emu = await startCluster({
    dcs: [1],
    ipPrefix: "127.7.12.",
    dir: join(dir, "emu"),
    agents: { authToken: TOKEN, config: { gcs: { endpoint: gcs.endpoint } } },
  });
  const started = await startInProcessServer();
  manager = started.manager;
  server = Bun.serve({ hostname: "127.7.12.100", port: 0, fetch: started.app.fetch });
  apiUrl = `http://127.7.12.100:${server.port}/api/v1`;
  const add = await sctool("cluster", "add", "--host", emu.nodes[0]?.ip ?? "", "--name", "lock", "--auth-token", TOKEN);
  expect(add.code).toBe(0);
  clusterId = add.stdout.trim();
}, 60_000);

afterAll(async () => {
  server?.stop(true);
  await manager?.close();
  await emu?.close();
  await gcs?.close();
  rmSync(dir, { recursive: true, force: true });
});

test("backup delete refuses tags under retention or hold (temp manifests included), deleting nothing", async () => {
  const node = "6a3e1b0c-0000-4000-8000-000000000001";
  const retained = manifestPath(clusterId, "dc1", node, TASK, RETAINED);
  const heldTemp = tempPath(manifestPath(clusterId, "dc1", node, TASK, HELD));
  gcs.put("locked", retained, 100);
  gcs.put("locked", heldTemp, 100);
  const r = gcs.object("locked", retained);
  if (r) r.retention = { mode: "Unlocked", retainUntilTime: new Date(Date.now() + 86_400_000).toISOString() };
  const h = gcs.object("locked", heldTemp);
  if (h) h.eventBasedHold = true;

  for (const tag of [RETAINED, HELD]) {
    const del = await sctool("backup", "delete", "-c", "lock", "-L", "gcs:locked", "-T", tag);
    expect(del.code).not.toBe(0);
    expect(del.stderr).toContain(
      `snapshots protected by retention lock or event based hold cannot be deleted: [${tag}]`,
    );
  }
  expect(gcs.calls.filter((c) => c.method === "DELETE")).toEqual([]);
  // The listing asked GCS for the lock fields through the agent (GCS returns them in the object list).
  expect(gcs.object("locked", retained)).toBeDefined();
  expect(gcs.object("locked", heldTemp)).toBeDefined();
}, 60_000);
