import { expect, test } from "bun:test";
import type { ApiRunProgress } from "../../clients/manager-api/tasks.ts";
import { renderBackupProgress } from "./progress-backup.ts";

function render(status: string, progress: Record<string, unknown>) {
  const answer = { run: { status }, progress } as unknown as ApiRunProgress;
  return renderBackupProgress({ answer, details: false, hosts: [], keyspaces: [], env: {} });
}

const uploading = {
  snapshot_tag: "sm_20261203120000UTC",
  stage: "UPLOAD",
  size: 400,
  uploaded: 100,
  skipped: 100,
  failed: 0,
  hosts: [{ host: "10.0.0.1", size: 400, uploaded: 100, skipped: 100, failed: 0, keyspaces: [{ keyspace: "ks" }] }],
};

test("a running backup names its stage in sctool's words and shows the upload percentage", async () => {
  const out = await render("RUNNING", uploading);
  expect(out.stage).toBe("uploading data");
  expect(out.body).toContain("Progress:\t50%");
  expect(out.body).toContain("Snapshot Tag:\tsm_20261203120000UTC");
});

test("a finished backup shows no stage", async () => {
  expect((await render("DONE", { ...uploading, stage: "DONE" })).stage).toBeUndefined();
});

test("a run with a retention lock shows the Retention Lock block; disabled shows none", async () => {
  const locked = await render("RUNNING", {
    ...uploading,
    stage: "RETENTION_LOCK",
    retention_lock_mode: "locked",
    override_retention_lock: false,
    retention_days: 7,
  });
  expect(locked.stage).toBe("setting retention locks");
  expect(locked.body).toContain(
    "Retention Lock:\n  - Mode: locked\n  - Retention days: 7\n  - Override unlocked: false\n",
  );
  const plain = await render("RUNNING", { ...uploading, retention_lock_mode: "disabled" });
  expect(plain.body).not.toContain("Retention Lock");
});
