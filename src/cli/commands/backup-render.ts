/**
 * sctool's dry-run plan of a backup (SM's `managerclient` BackupTarget template): cron, DCs, keyspaces, disk size,
 * locations, bandwidth and parallel limits, retention policy.
 * @module
 */
import type { ApiBackupTarget } from "../../clients/manager-api/backup-target.ts";
import { describeCron } from "../output/cron.ts";
import { formatSize } from "../output/format.ts";

/** SM's `FormatTables`: `(n tables)` above the threshold (-1 = always list), `all ` prefix for whole keyspaces. */
export function formatTables(threshold: number, tables: readonly string[], all: boolean): string {
  let out = "";
  if (tables.length === 0 || threshold === 0 || (threshold > 0 && tables.length > threshold)) {
    out = tables.length === 1 ? "(1 table)" : `(${tables.length} tables)`;
  }
  if (out === "") out = `(${tables.join(", ")})`;
  return all ? `all ${out}` : out;
}

/** SM's `FormatRetentionPolicy`. */
export function formatRetentionPolicy(retention: number, retentionDays: number): string {
  let out = "";
  if (retention === 0 && retentionDays === 0)
    out += "  - Scylla Manager will not purge any backups created by this task\n";
  if (retention > 0) out += `  - Last ${retention === 1 ? "backup" : `${retention} backups`}\n`;
  if (retentionDays > 0) out += `  - Backups not older than ${retentionDays} ${retentionDays === 1 ? "day" : "days"}\n`;
  return out;
}

/** The plan as SM prints it. */
export function renderBackupTarget(
  target: ApiBackupTarget,
  options: { showTables: boolean; cron?: string; timezone?: string },
): string {
  let out = "";
  if (options.cron) {
    const desc = describeCron(options.cron);
    out += `Cron:\t${options.cron} ${desc ? `(${desc})` : ""}\n`;
    if (options.timezone) out += `Tz:\t${options.timezone}\n`;
    out += "\n";
  }
  out += "Data Centers:\n";
  for (const dc of target.dc ?? []) out += `  - ${dc}\n`;
  out += "\nKeyspaces:";
  for (const u of target.units ?? []) {
    out += `\n  - ${u.keyspace} ${formatTables(options.showTables ? -1 : 0, u.tables ?? [], u.all_tables)}`;
  }
  out += `\n\nDisk size: ~${formatSize(target.size)}\n\nLocations:`;
  for (const l of target.location ?? []) out += `\n  - ${l}`;
  out += "\n\nBandwidth Limits:";
  const rate = target.rate_limit ?? [];
  out += rate.length > 0 ? rate.map((r) => `\n  - ${r} MiB/s`).join("") : "\n  - Unlimited";
  const limits = (list: readonly string[] | null) =>
    (list ?? []).length > 0 ? (list ?? []).map((l) => `\n  - ${l}`).join("") : "\n  - All hosts in parallel";
  out += `\n\nSnapshot Parallel Limits:${limits(target.snapshot_parallel)}`;
  out += `\n\nUpload Parallel Limits:${limits(target.upload_parallel)}`;
  out += `\n\nRetention Policy:\n${formatRetentionPolicy(target.retention, target.retention_days)}`;
  return out;
}
