/**
 * `sctool progress` body of a repair run (SM's `managerclient.RepairProgress.Render`): `Progress:`,
 * `Intensity:`, `Parallel:`, optional `Host:` and `Datacenters:`, beyond SM an `ETA:` line while the run is
 * RUNNING, then the `Keyspace | Table | Progress | Duration` table (separators between keyspaces) and with
 * `--details` one table per host. `--host` / `-K` keep the hosts / keyspaces the glob list selects.
 * @module
 */

import { formatEta } from "../../util/eta.ts";
import { InExList } from "../../util/inexlist.ts";
import { formatDuration, formatTime } from "../output/format.ts";
import { renderTable, SEPARATOR, type TableRow, useAsciiTables } from "../output/table.ts";
import type { ProgressRenderer } from "./progress-renderers.ts";

interface Base {
  token_ranges: number;
  success: number;
  error: number;
  started_at?: string | null;
  completed_at?: string | null;
  duration_ms?: number;
}
interface TableProgress extends Base {
  keyspace: string;
  table: string;
}
interface Progress extends Base {
  success_percentage?: number;
  error_percentage?: number;
  dcs?: string[];
  host?: string;
  hosts?: Array<Base & { host: string; tables?: TableProgress[] }>;
  tables?: TableProgress[];
  intensity?: number;
  max_intensity?: number;
  parallel?: number;
  max_parallel?: number;
  eta_seconds?: number;
}

/** SM's FormatTotalRepairProgress. */
function totalProgress(success: number, error: number): string {
  if (success < 0 || error < 0) return "-";
  return error > 0 ? `${success}%/${error}%` : `${success}%`;
}

/** SM's FormatRepairProgress: floor(success%) and ceil(error%) when errors. */
export function tableProgress(total: number, success: number, error: number): string {
  if (total <= 0) return "-";
  const s = Math.floor((100 * success) / total);
  return error > 0 ? `${s}%/${Math.ceil((100 * error) / total)}%` : `${s}%`;
}

/** SM's FormatRepairIntensity / FormatRepairParallel. */
export function limitValue(value: number, max: number): string {
  if (max <= 0) return String(value);
  if (value === 0) return `${max}/${max} (max)`;
  return `${Math.min(value, max)}/${max}`;
}

function firstMatch(patterns: string[]): ((v: string) => boolean) | undefined {
  if (patterns.length === 0) return undefined;
  const list = new InExList(patterns);
  return (v) => list.matches(v);
}

/** The repair renderer. */
export const renderRepairProgress: ProgressRenderer = ({ answer, details, hosts, keyspaces, env }) => {
  const p = answer.progress as Progress | null | undefined;
  if (!p) return { body: "Progress:\t-\n\n" };
  const ascii = useAsciiTables(env);
  let out = `Progress:\t${totalProgress(p.success_percentage ?? -1, p.error_percentage ?? -1)}\n`;
  out += `Intensity:\t${limitValue(p.intensity ?? 0, p.max_intensity ?? 0)}\n`;
  out += `Parallel:\t${limitValue(p.parallel ?? 0, p.max_parallel ?? 0)}\n`;
  if (answer.run.status === "RUNNING") out += `ETA:\t\t${formatEta(p.eta_seconds)}\n`;
  if (p.host) out += `Host:\t${p.host}\n`;
  if (p.dcs && p.dcs.length > 0) out += `Datacenters:\t${p.dcs.map((d) => `\n  - ${d}`).join("")}\n`;
  out += "\n";
  const showKs = firstMatch(keyspaces) ?? (() => true);
  const showHost = firstMatch(hosts) ?? (() => true);
  const tables = p.tables ?? [];
  if (tables.length > 0) {
    const rows: TableRow[] = [];
    let ks = "";
    for (const t of tables) {
      if (!showKs(t.keyspace)) continue;
      if (ks !== "" && ks !== t.keyspace) rows.push(SEPARATOR);
      ks = t.keyspace;
      rows.push([
        t.keyspace,
        t.table,
        tableProgress(t.token_ranges, t.success, t.error),
        formatDuration(t.duration_ms ?? 0),
      ]);
    }
    out += renderTable({
      header: ["Keyspace", "Table", "Progress", "Duration"],
      rows,
      align: ["left", "right"],
      ascii,
    });
  }
  if (details) {
    for (const h of p.hosts ?? []) {
      if (!showHost(h.host)) continue;
      out += `\nHost: ${h.host}\n`;
      const rows: TableRow[] = [];
      let ks = "";
      for (const t of h.tables ?? []) {
        if (!showKs(t.keyspace)) continue;
        if (ks !== "" && ks !== t.keyspace) rows.push(SEPARATOR);
        ks = t.keyspace;
        rows.push([
          t.keyspace,
          t.table,
          tableProgress(t.token_ranges, t.success, t.error),
          String(t.token_ranges),
          String(t.success),
          String(t.error),
          formatTime(t.started_at ?? null),
          formatTime(t.completed_at ?? null),
          formatDuration(t.duration_ms ?? 0),
        ]);
      }
      out += renderTable({
        header: [
          "Keyspace",
          "Table",
          "Progress",
          "Token Ranges",
          "Success",
          "Error",
          "Started at",
          "Completed at",
          "Duration",
        ],
        rows,
        align: ["left", "left", "right", "right", "right", "right", "right", "right", "right"],
        ascii,
      });
    }
  }
  return { body: out };
};
