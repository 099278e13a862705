/**
 * sctool's repair dry-run layout (SM's `managerclient.RepairTarget.Render`): optional `Cron:`/`Tz:`, `Host:`,
 * `Ignore Hosts:`, then `Data Centers:` and `Keyspaces:` with SM's FormatTables (`(N tables)`, or the table names
 * with `--show-tables`, prefixed `all ` when every table of the keyspace is in).
 * @module
 */
import type { ApiRepairTarget } from "../../clients/manager-api/repair.ts";
import { describeCron } from "../output/cron.ts";

/** SM's FormatTables: threshold 0 = counts only, -1 = always names. */
export function formatTables(threshold: number, tables: readonly string[], all: boolean): string {
  let out = "";
  if (tables.length === 0 || threshold === 0 || (threshold > 0 && tables.length > threshold)) {
    out = tables.length === 1 ? "(1 table)" : `(${tables.length} tables)`;
  }
  if (out === "") out = `(${tables.join(", ")})`;
  return all ? `all ${out}` : out;
}

/** The dry-run text (stdout). */
export function renderRepairTarget(
  target: ApiRepairTarget,
  options: { showTables: boolean; cron?: string; timezone?: string },
): string {
  let out = "";
  if (options.cron) {
    const desc = describeCron(options.cron);
    out += `Cron:\t${options.cron} ${desc ? `(${desc})` : ""}\n`;
    if (options.timezone) out += `Tz:\t${options.timezone}\n\n`;
  }
  if (target.host) out += `\nHost: ${target.host}\n\n`;
  if (target.ignore_hosts && target.ignore_hosts.length > 0) {
    out += `\nIgnore Hosts:\n${target.ignore_hosts.map((h) => `  - ${h}\n`).join("")}\n`;
  }
  out += `Data Centers:\n${(target.dc ?? []).map((d) => `  - ${d}\n`).join("")}\nKeyspaces:`;
  for (const u of target.units ?? []) {
    out += `\n  - ${u.keyspace} ${formatTables(options.showTables ? -1 : 0, u.tables ?? [], u.all_tables === true)}`;
  }
  return `${out}\n\n`;
}
