/**
 * Fault: the daemon is SIGKILLed while the nodes run native upload tasks (Scylla's backup API) of a
 * `sctool backup --method native` run, then started again on the same SQLite store. The nodes' tasks go on without
 * anyone waiting for them; the resumed run follows those tasks instead of handing the dirs to Scylla again, and ends
 * DONE. In the end every table dir was uploaded by exactly one Scylla task (the emulator's ledger), each SSTable was
 * written to the object store once, and the manifests name exactly the snapshot's files. `sctool progress` shows
 * the run. The kill is placed by holding the emulator's modelled native transfer time. 127.2.12.x.
 */
import { afterAll, beforeAll, expect, test } from "bun:test";
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

const TOKEN = "backup-native-kill";
let rig: NativeBackupRig | undefined;

beforeAll(async () => {
  rig = await startNativeBackupRig("127.2.12.", TOKEN);
}, 120_000);

afterAll(async () => {
  await rig?.close();
});

test("SIGKILL while native upload tasks run, restart: the resumed run follows those tasks, no second upload", async () => {
  const r = rig as NativeBackupRig;
  const { emu, gate, s3, sctool } = r;
  expect(
    (await sctool("cluster", "add", "--host", emu.nodes[0]?.ip ?? "", "--auth-token", TOKEN, "--name", "c")).code,
  ).toBe(0);
  const ledgerAt = emu.ledger.all().length;
  const native = () => nativeBackupTasks(emu, ledgerAt);
  // Held from the start: every native task of the run starts and waits before its first file.
  gate.hold();
  const created = await sctool("backup", "-c", "c", "-L", "s3:bucket", "-K", "ks1,ks3", "--method", "native");
  expect(created.code).toBe(0);
  const taskId = created.stdout.trim().split("/")[1] ?? "";
  const api0 = r.daemon.api;
  // Kill once the run has stored every task's id (it logs each task after that write): a kill between Scylla
  // accepting a task and that write leaves a task no run knows of (test/e2e/backup-native-kill-unnamed.test.ts).
  await waitFor(
    async () => {
      const running = native();
      const stderr = r.daemon.stderr();
      if (running.length === 0 || !running.every((e) => stderr.includes(e.taskId))) return undefined;
      // One task per table dir with files (the bucket is empty: nothing was deduplicated).
      return running.length === (await dirsToUpload(api0, taskId)) ? true : undefined;
    },
    150_000,
    "native upload tasks recorded by the run",
  );
  const before = native();
  expect(before.every((e) => e.outcome === "running" && e.files.length === 0)).toBe(true);
  r.daemon.child.kill("SIGKILL");
  await r.daemon.exited;

  r.daemon = await r.env.start();
  // The old tasks go on while the resumed run waits for them: they end a moment later.
  await Bun.sleep(500);
  gate.release();
  const latest = await waitForBackupRunEnd(r.daemon.api, taskId);
  expect(latest.run?.cause ?? "").toBe("");
  expect(latest.run?.status).toBe("DONE");
  // No dir was handed to Scylla again: the tasks after the restart are the ones from before, all successful.
  const after = native();
  expect(after.map((e) => e.taskId).sort()).toEqual(before.map((e) => e.taskId).sort());
  expect(after.every((e) => e.outcome === "successful")).toBe(true);
  expect(new Set(after.map((e) => `${e.host} ${e.keyspace}.${e.table}`)).size).toBe(after.length);
  // Counted at the object store: every SSTable object was written once.
  expectEachSstablePutOnce(s3);
  const progress = latest.progress;
  expect(progress && progress.uploaded + progress.skipped).toBe(progress?.size);
  // The manifests name exactly the snapshot's files, present with their sizes and CRCs.
  await expectManifestsMatchSnapshot(r, progress?.snapshot_tag ?? "");
  // sctool shows the task's method and the run's progress.
  const shown = await sctool("progress", "-c", "c", `backup/${taskId}`);
  expect(shown.code).toBe(0);
  expect(shown.stdout).toContain("Status:\t\tDONE");
  expect(shown.stdout).toContain("100%");
  const props = await sctool("tasks", "-c", "c", "--show-properties");
  expect(props.stdout).toContain("method: native");
}, 420_000);
