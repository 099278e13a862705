/**
 * `sctool progress` body of restore runs (SM's `RestoreProgress.Render` in `v3/pkg/managerclient/model.go`):
 * `Progress: <restored%> | <downloaded%>`, the snapshot tag, download and load&stream bandwidth per shard (and,
 * beyond SM, native restore's when a host restored natively), the keyspace table; `--details` adds hosts and per-table tables; then the post-restore repair (through the repair
 * renderer when one is registered) and the restored views. Beyond SM: an `ETA:` line while data is restored.
 * @module
 */
import type { RestoreProgress } from "../../restore/progress.ts";
import { estimateEta, formatEta } from "../../util/eta.ts";
import { formatSize, formatTime } from "../output/format.ts";
import { renderTable, SEPARATOR, type TableRow, useAsciiTables } from "../output/table.ts";
import type { ProgressRendered, ProgressRenderInput } from "./progress-renderers.ts";

const STAGES: Record<string, string> = {
  INIT: "initialising",
  DROP_VIEWS: "dropping restored views",
  DISABLE_TGC: "disabling restored tables tombstone_gc",
  DATA: "restoring backed-up data",
  REPAIR: "repairing restored tables",
  ENABLE_TGC: "enabling restored tables tombstone_gc",
  RECREATE_VIEWS: "recreating restored views",
};

/** SM's `FormatRestoreProgress`: floor restored% | floor downloaded% [/ failed: ceil%]. */
export function formatRestoreProgress(size: number, restored: number, downloaded: number, failed: number): string {
  if (size === 0) return "100%";
  let out = `${Math.floor((restored * 100) / size)}% | ${Math.floor((downloaded * 100) / size)}%`;
  if (failed > 0) out += ` / failed: ${Math.ceil((failed * 100) / size)}%`;
  return out;
}

function bandwidth(bytes: number, ms: number, shards: number): string {
  if (ms <= 0) return "unknown";
  const perSecond = Math.floor((bytes * 1000) / ms);
  return shards <= 0 ? `${formatSize(perSecond)}/s` : `${formatSize(Math.floor(perSecond / shards))}/s/shard`;
}

/**
 * A host's native restore (Scylla's restore API: download and load in one task), which SM's two lines leave out.
 * `restored_bytes`/`restore_duration` count both kinds of batches; an rclone batch's restore span is its download
 * span plus its load&stream span (both start when its download does), so the native part is what remains. While
 * a host's rclone download runs, its span is in the download duration only, so the native duration is then low.
 */
function nativeShare(h: NonNullable<RestoreProgress["hosts"]>[number]): { bytes: number; ms: number; shards: number } {
  return {
    bytes: Math.max(0, h.restored_bytes - h.streamed_bytes),
    ms: Math.max(0, h.restore_duration - h.download_duration - h.stream_duration),
    shards: h.shard_cnt,
  };
}

/** Go's `(d + 1s - 1ns).Truncate(1s).String()` of a ms duration. */
function msDuration(ms: number): string {
  let s = Math.ceil(ms / 1000);
  const h = Math.floor(s / 3600);
  s -= h * 3600;
  const m = Math.floor(s / 60);
  s -= m * 60;
  if (h > 0) return `${h}h${m}m${s}s`;
  if (m > 0) return `${m}m${s}s`;
  return `${s}s`;
}

function matcher(patterns: readonly string[]): (keyspace: string) => boolean {
  if (patterns.length === 0) return () => true;
  const res = patterns.map((p) => {
    const exclude = p.startsWith("!");
    const body = (exclude ? p.slice(1) : p).split(".")[0] ?? "";
    return {
      exclude,
      re: new RegExp(
        `^${body
          .replace(/[.+^${}()|\\]/g, "\\$&")
          .replaceAll("*", ".*")
          .replaceAll("?", ".")}$`,
      ),
    };
  });
  return (ks) => res.some((r) => !r.exclude && r.re.test(ks));
}

/** Renders a restore run's progress. */
export async function renderRestoreProgress(input: ProgressRenderInput): Promise<ProgressRendered> {
  const p = input.answer.progress as RestoreProgress | null | undefined;
  if (!p) return { title: "", body: "Progress:\t0%\n" };
  const status = input.answer.run.status;
  const stage = status !== "NEW" && status !== "DONE" ? STAGES[p.stage] : undefined;
  const hosts = p.hosts ?? [];
  const sum = (f: (h: (typeof hosts)[number]) => number) => hosts.reduce((a, h) => a + f(h), 0);
  const shards = sum((h) => h.shard_cnt);
  let body = `Progress:\t${p.size !== 0 ? formatRestoreProgress(p.size, p.restored, p.downloaded, p.failed) : "-"}\n`;
  if (
    p.size > 0 &&
    p.restored < p.size &&
    p.started_at &&
    (p.stage === "DATA" || p.stage === "INIT" || p.stage === "")
  ) {
    body += `ETA:\t\t${formatEta(estimateEta({ startedAtMs: Date.parse(p.started_at), nowMs: Date.now(), done: p.restored, total: p.size }))}\n`;
  }
  body += `Snapshot Tag:\t${p.snapshot_tag}\n`;
  body += "Bandwidth:\n";
  body += `  - Download:    ${bandwidth(
    sum((h) => h.downloaded_bytes),
    sum((h) => h.download_duration),
    shards,
  )}\n`;
  body += `  - Load&stream: ${bandwidth(
    sum((h) => h.streamed_bytes),
    sum((h) => h.stream_duration),
    shards,
  )}\n`;
  const native = hosts.map(nativeShare).filter((n) => n.bytes > 0);
  if (native.length > 0) {
    body += `  - Native:      ${bandwidth(
      native.reduce((a, n) => a + n.bytes, 0),
      native.reduce((a, n) => a + n.ms, 0),
      native.reduce((a, n) => a + n.shards, 0),
    )}\n`;
  }
  const show = matcher(input.keyspaces);
  const keyspaces = (p.keyspaces ?? []).filter((k) => show(k.keyspace));
  const right = ["left", "right", "right", "right", "right", "right"] as const;
  if (p.size > 0) {
    const rows: TableRow[] = keyspaces.map((k) => [
      k.keyspace,
      k.tables.length > 0 ? formatRestoreProgress(k.size, k.restored, k.downloaded, k.failed) : "-",
      formatSize(k.size),
      formatSize(k.restored),
      formatSize(k.downloaded),
      formatSize(k.failed),
    ]);
    body += renderTable({
      header: ["Keyspace", "Progress", "Size", "Success", "Downloaded", "Failed"],
      rows,
      align: right,
      ascii: useAsciiTables(input.env),
    });
  }
  if (input.details) {
    body += "\nHosts info\n";
    const rows: TableRow[] = [];
    hosts.forEach((h, i) => {
      if (i > 0) rows.push(SEPARATOR);
      rows.push([
        h.host,
        String(h.shard_cnt),
        bandwidth(h.downloaded_bytes, h.download_duration, h.shard_cnt),
        msDuration(h.download_duration),
        bandwidth(h.streamed_bytes, h.stream_duration, h.shard_cnt),
        msDuration(h.stream_duration),
      ]);
    });
    body += renderTable({
      header: [
        "Host",
        "Shards",
        "Download bandwidth",
        "Download duration",
        "Load&stream bandwidth",
        "Load&stream duration",
      ],
      rows,
      align: right,
      ascii: useAsciiTables(input.env),
    });
    if (p.size > 0) {
      for (const k of keyspaces) {
        body += `\nKeyspace: ${k.keyspace}\n`;
        const tableRows: TableRow[] = [];
        k.tables.forEach((t, i) => {
          if (i > 0) tableRows.push(SEPARATOR);
          tableRows.push([
            t.table,
            formatRestoreProgress(t.size, t.restored, t.downloaded, t.failed),
            formatSize(t.size),
            formatSize(t.restored),
            formatSize(t.downloaded),
            formatSize(t.failed),
            formatTime(t.started_at),
            formatTime(t.completed_at),
            t.tombstone_gc,
          ]);
        });
        body += renderTable({
          header: [
            "Table",
            "Progress",
            "Size",
            "Success",
            "Downloaded",
            "Failed",
            "Started at",
            "Completed at",
            "tombstone_gc mode",
          ],
          rows: tableRows,
          align: right,
          ascii: useAsciiTables(input.env),
        });
      }
    }
  }
  if (p.repair_progress) {
    body += "\nPost-restore repair progress\n";
    const { PROGRESS_RENDERERS } = await import("./progress-renderers.ts");
    const repair = PROGRESS_RENDERERS.repair;
    if (repair) {
      const rp = p.repair_progress as { started_at?: string | null; completed_at?: string | null };
      const run = {
        ...input.answer.run,
        type: "repair",
        start_time: rp.started_at ?? input.answer.run.start_time,
        end_time: rp.completed_at ?? null,
      };
      body += (await (await repair())({ ...input, answer: { run, progress: p.repair_progress } as never })).body;
    } else body += `${JSON.stringify(p.repair_progress)}\n`;
  }
  if (p.views && p.views.length > 0) {
    body += "\nRestored views\n";
    for (const v of p.views) {
      body += input.details
        ? `View: ${v.keyspace}.${v.view}, Status: ${v.status ?? ""}, Schema definition:\n  ${v.create_stmt}\n`
        : `View: ${v.keyspace}.${v.view}, Status: ${v.status ?? ""}\n`;
    }
  }
  return { title: "Restore progress\n", stage, body };
}
