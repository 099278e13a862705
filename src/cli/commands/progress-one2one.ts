/**
 * `sctool progress` body of 1-1 restore runs (SM's `One2OneRestoreProgress.Render` in
 * `v3/pkg/managerclient/model.go`): `Progress:` with `Tables: <restored%>` and `Views: <done%>`; `--details` prints
 * `Keyspace | Table | Size | Restored | Duration | Status` and `Keyspace | View | Type | Duration | Status` instead.
 * Beyond SM: an `ETA:` line while a run restores data (mean rate since the run started, `src/util/eta.ts`).
 * @module
 */
import type { One2OneProgress } from "../../restore/one2one/progress.ts";
import { one2OneTotals } from "../../restore/one2one/progress.ts";
import { formatDuration } from "../../util/duration.ts";
import { estimateEta, formatEta } from "../../util/eta.ts";
import { formatSize } from "../output/format.ts";
import { renderTable, type TableRow, useAsciiTables } from "../output/table.ts";
import type { ProgressRendered, ProgressRenderInput } from "./progress-renderers.ts";

const valid = (t: string | null | undefined) => (t && !t.startsWith("0001-") ? Date.parse(t) : undefined);

/** SM's `FormatDuration(started, completed)`: "0s" when neither is set, up to now while not completed. */
function itemDuration(started: string | null, completed: string | null, now: number): string {
  const s = valid(started);
  const c = valid(completed);
  if (s === undefined && c === undefined) return "0s";
  return formatDuration(Math.max(0, (c ?? now) - (s ?? c ?? now))) || "0s";
}

/** Renders a 1-1 restore run's progress. */
export function renderOne2OneProgress(input: ProgressRenderInput): ProgressRendered {
  const p = input.answer.progress as One2OneProgress | null | undefined;
  if (!p) return { body: "Progress: 0%\n" };
  const tables = p.tables ?? [];
  const views = p.views ?? [];
  const now = Date.now();
  let body = "Progress:\n";
  if (input.details) {
    const ascii = useAsciiTables(input.env);
    if (tables.length > 0) {
      const rows: TableRow[] = tables.map((t) => [
        t.keyspace,
        t.table,
        formatSize(t.size),
        formatSize(t.restored),
        itemDuration(t.started_at, t.completed_at, now),
        t.status,
      ]);
      body += renderTable({ header: ["Keyspace", "Table", "Size", "Restored", "Duration", "Status"], rows, ascii });
    }
    if (views.length > 0) {
      const rows: TableRow[] = views.map((v) => [
        v.keyspace,
        v.view,
        v.view_type,
        itemDuration(v.started_at, v.completed_at, now),
        v.status,
      ]);
      body += renderTable({ header: ["Keyspace", "View", "Type", "Duration", "Status"], rows, ascii });
    }
  } else {
    const { size, restored } = one2OneTotals(p);
    if (tables.length > 0) body += `  Tables: ${size > 0 ? Math.floor((restored * 100) / size) : 100}%\n`;
    if (views.length > 0) {
      body += `  Views:  ${Math.floor((views.filter((v) => v.status === "done").length * 100) / views.length)}%\n`;
    }
  }
  const run = input.answer.run;
  const started = valid(run.start_time);
  if (run.status === "RUNNING" && started !== undefined && tables.length > 0) {
    const { size, restored } = one2OneTotals(p);
    body += `ETA:\t\t${formatEta(estimateEta({ startedAtMs: started, nowMs: now, done: restored, total: size }))}\n`;
  }
  return { body };
}
