import { expect, test } from "bun:test";
import type { ApiRunProgress } from "../../clients/manager-api/tasks.ts";
import type { RestoreProgressRow } from "../../restore/model.ts";
import { aggregateRestoreProgress } from "../../restore/progress.ts";
import { renderRestoreProgress } from "./progress-restore.ts";

const MiB = 1024 * 1024;
const at = (s: number) => new Date(Date.UTC(2026, 0, 1, 0, 0, s)).toISOString();

function row(host: string, o: Partial<RestoreProgressRow> & { from: number; loaded?: number; to: number }) {
  const { from, loaded, to, ...rest } = o;
  return {
    remote_sstable_dir: "d",
    keyspace_name: "ks",
    table_name: "t",
    host,
    shard_cnt: 2,
    agent_job_id: 0,
    sstable_id: ["1"],
    download_started_at: o.scylla_task_id ? null : at(from),
    download_completed_at: o.scylla_task_id ? null : at(loaded ?? from),
    restore_started_at: at(from),
    restore_completed_at: at(to),
    downloaded: 0,
    versioned_downloaded: 0,
    restored: 0,
    failed: 0,
    error: "",
    ...rest,
  } satisfies RestoreProgressRow;
}

async function bandwidthLines(rows: RestoreProgressRow[]): Promise<string[]> {
  const size = rows.reduce((a, r) => a + r.restored, 0);
  const run = { snapshot_tag: "sm_x", stage: "DONE" as const, units: [], views: [] };
  const progress = { ...aggregateRestoreProgress(run, rows, Date.now()), size };
  const answer = { run: { status: "DONE" }, progress } as unknown as ApiRunProgress;
  const { body } = await renderRestoreProgress({ answer, details: false, hosts: [], keyspaces: [], env: {} });
  return body.split("\n").filter((l) => l.startsWith("  - "));
}

test("rclone batches only: SM's download and load&stream lines, no native line", async () => {
  const lines = await bandwidthLines([
    row("h1", { from: 0, loaded: 4, to: 6, downloaded: 16 * MiB, restored: 16 * MiB }),
  ]);
  // 16 MiB over 4 s download / 2 s load&stream, 2 shards.
  expect(lines).toEqual(["  - Download:    2MiB/s/shard", "  - Load&stream: 4MiB/s/shard"]);
});

test("native batches get their own line: restored bytes and time beyond the host's rclone batches", async () => {
  const lines = await bandwidthLines([
    row("h1", { scylla_task_id: "t1", from: 0, to: 8, restored: 64 * MiB }),
    row("h2", { from: 0, loaded: 4, to: 6, downloaded: 16 * MiB, restored: 16 * MiB }),
    row("h2", { scylla_task_id: "t2", from: 6, to: 14, restored: 64 * MiB }),
  ]);
  // Native: 128 MiB over 8 s + 8 s on 4 shards.
  expect(lines).toEqual([
    "  - Download:    1MiB/s/shard",
    "  - Load&stream: 2MiB/s/shard",
    "  - Native:      2MiB/s/shard",
  ]);
});
