/**
 * `sctool restore --dry-run` output (SM's `RestoreTarget.Render` in `v3/pkg/managerclient/model.go`). Pure.
 * @module
 */
import type { ApiRestoreTarget } from "../../clients/manager-api/restore.ts";
import { describeCron } from "../output/cron.ts";
import { formatSize } from "../output/format.ts";

/** `(N tables)`, or with `showTables` every `table: size`. */
export function formatRestoreTables(
  showTables: boolean,
  tables: ReadonlyArray<{ table: string; size: number }>,
): string {
  if (tables.length === 0 || !showTables) return tables.length === 1 ? "(1 table)" : `(${tables.length} tables)`;
  return `(${tables.map((t) => `${t.table}: ${formatSize(t.size)}`).join(", ")})`;
}

/** The dry-run plan. */
export function renderRestoreTarget(
  target: ApiRestoreTarget,
  options: { showTables: boolean; schedule?: { cron?: string; timezone?: string } },
): string {
  let out = "";
  const cron = options.schedule?.cron;
  if (cron) {
    const desc = describeCron(cron);
    out += `Cron:\t${cron} ${desc ? `(${desc})` : ""}\n`;
    if (options.schedule?.timezone) out += `Tz:\t${options.schedule.timezone}\n`;
    out += "\n";
  }
  out += "Restored tables:";
  for (const u of target.units) {
    out += `\n  - ${u.keyspace}: ${formatSize(u.size)} ${formatRestoreTables(options.showTables, u.tables)}`;
  }
  out += "\n";
  if (target.views.length > 0) {
    out += "\nRestored views:";
    for (const v of target.views) out += `\n  - ${v.keyspace}.${v.view}`;
    out += "\n";
  }
  out += `\nDisk size: ~${formatSize(target.size)}\n\nLocations:`;
  for (const l of target.location ?? []) out += `\n  - ${l}`;
  out += `\n\nSnapshot Tag:\t${target.snapshot_tag ?? ""}\n`;
  out += `Batch Size:     ${target.batch_size ?? 0}\n`;
  out += `Parallel:       ${target.parallel ?? 0}\n`;
  out += `Transfers:      ${target.transfers ?? 0}\n`;
  out += `Compaction:     ${target.allow_compaction ? "allowed " : "not allowed "}\n`;
  out += `Agent CPU:      ${target.unpin_agent_cpu ? "unpinned " : "pinned "}\n`;
  out += "Download Rate Limits:";
  if (target.rate_limit && target.rate_limit.length > 0) {
    out += "\n";
    for (const l of target.rate_limit) out += `\n  - ${l} MiB/s`;
  } else out += "\n  - Unlimited";
  return `${out}\n`;
}
