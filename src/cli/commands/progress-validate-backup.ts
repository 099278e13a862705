/**
 * `sctool progress` body of validate_backup runs, in SM's layout (`managerclient` ValidateBackupProgress): the
 * totals `Scanned files`, `Missing files`, `Orphaned files (bytes)`, `Deleted files` (when any), `Broken snapshots`
 * (SM's CLI drops them by a bug; shown here), and with `--details` one table per location
 * `Host | Manifests | Scanned files | Missing files | Orphaned files | Orphaned bytes | Deleted files`. Beyond SM, an
 * `ETA:` line while the run validates, from the node directories finished so far (directories are only known once a
 * host starts them, so it is a lower bound).
 * @module
 */
import * as v from "valibot";
import { estimateEta, formatEta } from "../../util/eta.ts";
import { formatSize } from "../output/format.ts";
import { renderTable, type TableRow } from "../output/table.ts";
import type { ProgressRenderer } from "./progress-renderers.ts";

const RowSchema = v.object({
  dc: v.optional(v.string(), ""),
  host: v.optional(v.string(), ""),
  location: v.optional(v.string(), ""),
  manifests: v.optional(v.number(), 0),
  scanned_files: v.optional(v.number(), 0),
  broken_snapshots: v.nullish(v.array(v.string()), []),
  missing_files: v.optional(v.number(), 0),
  orphaned_files: v.optional(v.number(), 0),
  orphaned_bytes: v.optional(v.number(), 0),
  deleted_files: v.optional(v.number(), 0),
  started_at: v.nullish(v.string(), null),
  completed_at: v.nullish(v.string(), null),
});
export type ValidateRow = v.InferOutput<typeof RowSchema>;

/** The body for `rows` (pure; `nowMs` for the ETA). */
export function renderValidateRows(
  rows: readonly ValidateRow[],
  options: { details: boolean; running: boolean; ascii: boolean; nowMs: number; showHost?: (host: string) => boolean },
): string {
  const sum = (f: (r: ValidateRow) => number) => rows.reduce((a, r) => a + f(r), 0);
  const orphaned = sum((r) => r.orphaned_files);
  const deleted = sum((r) => r.deleted_files);
  const broken = [...new Set(rows.flatMap((r) => r.broken_snapshots ?? []))].sort();
  let out = `Scanned files:\t${sum((r) => r.scanned_files)}\n`;
  out += `Missing files:\t${sum((r) => r.missing_files)}\n`;
  out += `Orphaned files:\t${orphaned} ${orphaned > 0 ? `(${formatSize(sum((r) => r.orphaned_bytes))})` : ""}`;
  if (deleted > 0) out += `\nDeleted files:\t${deleted}`;
  if (broken.length > 0) out += `\n\nBroken snapshots:\t${broken.map((t) => `\n  - ${t}`).join("")}`;
  out += "\n";
  if (options.running && rows.length > 0) {
    const starts = rows.map((r) => Date.parse(r.started_at ?? "")).filter(Number.isFinite);
    const eta =
      starts.length === 0
        ? undefined
        : estimateEta({
            startedAtMs: Math.min(...starts),
            nowMs: options.nowMs,
            done: rows.filter((r) => r.completed_at).length,
            total: rows.length,
          });
    out += `ETA:\t\t${formatEta(eta)}\n`;
  }
  if (!options.details) return out;
  out += "\n";
  const byLocation = new Map<string, ValidateRow[]>();
  for (const r of rows) byLocation.set(r.location, [...(byLocation.get(r.location) ?? []), r]);
  for (const [location, list] of byLocation) {
    const tableRows: TableRow[] = list
      .filter((r) => options.showHost?.(r.host) ?? true)
      .map((r) => [
        r.host,
        String(r.manifests),
        String(r.scanned_files),
        String(r.missing_files),
        String(r.orphaned_files),
        formatSize(r.orphaned_bytes),
        String(r.deleted_files),
      ]);
    if (tableRows.length === 0) continue;
    out += `Location: ${location}\n`;
    out += renderTable({
      header: [
        "Host",
        "Manifests",
        "Scanned files",
        "Missing files",
        "Orphaned files",
        "Orphaned bytes",
        "Deleted files",
      ],
      rows: tableRows,
      align: ["left", "right", "right", "right", "right", "right", "right"],
      ascii: options.ascii,
    });
    out += "\n";
  }
  return out;
}

export const renderValidateBackupProgress: ProgressRenderer = ({ answer, details, hosts, env }) => {
  const parsed = v.safeParse(v.nullish(v.array(RowSchema), []), answer.progress);
  const rows = parsed.success ? (parsed.output ?? []) : [];
  const patterns = hosts.map((p) => new RegExp(`^${p.replace(/[.+^${}()|\\]/g, "\\$&").replace(/\*/g, ".*")}$`));
  return {
    body: renderValidateRows(rows, {
      details,
      running: answer.run.status === "RUNNING",
      ascii: (env.SCTOOL_ASCII_TABLES ?? "") !== "",
      nowMs: Date.now(),
      showHost: patterns.length === 0 ? undefined : (h) => patterns.some((re) => re.test(h)),
    }),
  };
};
