/**
 * `sctool progress` body of a `tablet_repair` run (SM's layout): `Keyspace | Table | Progress | Duration`, with
 * `--details` also `Started at | Completed at | Error`; progress `-` (not started), `running`, `done`, `failed`.
 * @module
 */
import { InExList } from "../../util/inexlist.ts";
import { formatDuration, formatTime } from "../output/format.ts";
import { renderTable, useAsciiTables } from "../output/table.ts";
import type { ProgressRenderer } from "./progress-renderers.ts";

interface Row {
  keyspace: string;
  table: string;
  started_at?: string | null;
  completed_at?: string | null;
  error?: string;
}

/** The tablet_repair renderer. */
export const renderTabletRepairProgress: ProgressRenderer = ({ answer, details, keyspaces, env }) => {
  const tables = ((answer.progress as { tables?: Row[] } | null)?.tables ?? []).slice();
  const show = keyspaces.length > 0 ? new InExList(keyspaces) : undefined;
  tables.sort((a, b) => (a.keyspace < b.keyspace ? -1 : a.keyspace > b.keyspace ? 1 : 0));
  const now = Date.now();
  const rows = tables
    .filter((t) => !show || show.matches(t.keyspace))
    .map((t) => {
      const state = !t.started_at ? "-" : !t.completed_at ? "running" : t.error ? "failed" : "done";
      const end = t.completed_at ? Date.parse(t.completed_at) : now;
      const duration = t.started_at ? formatDuration(end - Date.parse(t.started_at)) : "-";
      const base = [t.keyspace, t.table, state, duration];
      return details
        ? [...base, formatTime(t.started_at ?? null), formatTime(t.completed_at ?? null), t.error ?? ""]
        : base;
    });
  const header = [
    "Keyspace",
    "Table",
    "Progress",
    "Duration",
    ...(details ? ["Started at", "Completed at", "Error"] : []),
  ];
  return { body: rows.length > 0 ? `\n${renderTable({ header, rows, ascii: useAsciiTables(env) })}` : "" };
};
