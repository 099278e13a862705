/**
 * Fault: the daemon is SIGKILLed after Scylla accepted the native upload tasks of a `sctool backup --method native`
 * run and before the run stored their ids (the emulator holds the answers of `POST /storage_service/backup`: the
 * tasks run, the daemon never hears of them). Started again on the same SQLite store, the resumed run finds those
 * tasks through the task manager's listing (module `snapshot`, no row names them), waits for them, and starts no
 * second upload of their dirs. In the end every table dir was uploaded by exactly one Scylla task (the emulator's
 * ledger), each SSTable was written to the object store once, and the manifests name exactly the snapshot's files.
 * Every step waits for observable state (held answers, ledger entries, the daemon's log); the tasks' transfers are
 * held (holdable clock) until the resumed run waits for them, so they are still running when it looks. 127.2.13.x.
 */
import { afterAll, beforeAll, expect, test } from "bun:test";
import type { HeldAnswers } from "../emulator/faults/faults.ts";
import {
  dirsToUpload,
  expectEachSstablePutOnce,
  expectManifestsMatchSnapshot,
  type NativeBackupRig,
  nativeBackupTasks,
  startNativeBackupRig,
  waitForBackupRunEnd,
} from "../support/native-backup-rig.ts";
import { waitFor } from "../support/wait-for.ts";

const TOKEN = "backup-native-kill-unnamed";
let rig: NativeBackupRig | undefined;
let held: HeldAnswers | undefined;

beforeAll(async () => {
  // The held `POST /storage_service/backup` calls must not time out before the kill, however loaded the machine.
  rig = await startNativeBackupRig("127.2.13.", TOKEN, { agent_client: { timeout: "10m" } });
}, 120_000);

afterAll(async () => {
  held?.release();
  await rig?.close();
});

test("SIGKILL after Scylla accepted native upload tasks, before their ids were stored: they are waited for, not repeated", async () => {
  const r = rig as NativeBackupRig;
  const { emu, gate, s3, sctool } = r;
  expect(
    (await sctool("cluster", "add", "--host", emu.nodes[0]?.ip ?? "", "--auth-token", TOKEN, "--name", "c")).code,
  ).toBe(0);
  const ledgerAt = emu.ledger.all().length;
  const native = () => nativeBackupTasks(emu, ledgerAt);
  // Every native task of the run starts and waits before its first file; its id never reaches the daemon.
  gate.hold();
  held = emu.faults.holdAnswers(undefined, "/storage_service/backup", { method: "POST" });
  const created = await sctool("backup", "-c", "c", "-L", "s3:bucket", "-K", "ks1,ks3", "--method", "native");
  expect(created.code).toBe(0);
  const taskId = created.stdout.trim().split("/")[1] ?? "";
  const api0 = r.daemon.api;
  // Kill once Scylla accepted a task for every table dir with files (the bucket is empty: nothing was deduplicated)
  // and every answer is still held.
  await waitFor(
    async () => {
      const running = native();
      if (running.length === 0 || held?.served !== running.length) return undefined;
      return running.length === (await dirsToUpload(api0, taskId)) ? true : undefined;
    },
    150_000,
    "native upload tasks accepted by Scylla, their answers held",
  );
  const before = native();
  expect(before.every((e) => e.outcome === "running" && e.files.length === 0)).toBe(true);
  // The run never heard of them (it logs a task once its id is stored).
  const stderr0 = r.daemon.stderr();
  expect(before.filter((e) => stderr0.includes(e.taskId))).toEqual([]);
  r.daemon.child.kill("SIGKILL");
  await r.daemon.exited;
  held.release();

  r.daemon = await r.env.start();
  const restarted = r.daemon;
  // The tasks' transfers stay held until the resumed run waits for each of them: they are running when it looks.
  await waitFor(
    () => {
      const log = restarted.stderr();
      return before.every((e) => log.includes(e.taskId)) ? true : undefined;
    },
    150_000,
    "the resumed run to wait for every unnamed task",
  );
  expect(restarted.stderr()).toContain("waiting for a native upload task no progress row names");
  gate.release();
  const latest = await waitForBackupRunEnd(restarted.api, taskId);
  expect(latest.run?.cause ?? "").toBe("");
  expect(latest.run?.status).toBe("DONE");
  // No dir was handed to Scylla again: the only tasks are the ones accepted before the kill, all successful, one per
  // table dir.
  const after = native();
  expect(after.map((e) => e.taskId).sort()).toEqual(before.map((e) => e.taskId).sort());
  expect(after.every((e) => e.outcome === "successful")).toBe(true);
  expect(new Set(after.map((e) => `${e.host} ${e.keyspace}.${e.table}`)).size).toBe(after.length);
  // Counted at the object store: every SSTable object was written once.
  expect(expectEachSstablePutOnce(s3)).toBe(after.reduce((n, e) => n + e.files.length, 0));
  const progress = latest.progress;
  expect(progress && progress.uploaded + progress.skipped).toBe(progress?.size);
  // The manifests name exactly the snapshot's files, present with their sizes and CRCs.
  await expectManifestsMatchSnapshot(r, progress?.snapshot_tag ?? "");
  const shown = await sctool("progress", "-c", "c", `backup/${taskId}`);
  expect(shown.code).toBe(0);
  expect(shown.stdout).toContain("Status:\t\tDONE");
}, 420_000);
