/**
 * `sctool progress` body of backup runs, in SM's layout (`managerclient` BackupProgress): `Progress`, `Snapshot Tag`,
 * `Datacenters`, `Retention Lock` (mode, retention days, override; only for runs with a lock mode), `Errors` (table errors of a failed run), the per-host table `Host | Progress | Size | Success |
 * Deduplicated | Failed` and, with `--details`, one table per host by keyspace and table. Beyond SM, an `ETA:` line
 * while the run uploads.
 * @module
 */
import * as v from "valibot";
import { STAGE_DESCRIPTIONS } from "../../backup/model.ts";
import { formatEta } from "../../util/eta.ts";
import { formatSize, formatTime } from "../output/format.ts";
import { renderTable, SEPARATOR, type TableRow } from "../output/table.ts";
import type { ProgressRenderer } from "./progress-renderers.ts";

const Counters = {
  size: v.optional(v.number(), 0),
  uploaded: v.optional(v.number(), 0),
  skipped: v.optional(v.number(), 0),
  failed: v.optional(v.number(), 0),
  started_at: v.nullish(v.string(), null),
  completed_at: v.nullish(v.string(), null),
};
const TableSchema = v.object({ table: v.string(), error: v.optional(v.string(), ""), ...Counters });
const KeyspaceSchema = v.object({ keyspace: v.string(), tables: v.nullish(v.array(TableSchema), []), ...Counters });
const HostSchema = v.object({ host: v.string(), keyspaces: v.nullish(v.array(KeyspaceSchema), []), ...Counters });
const ProgressSchema = v.object({
  snapshot_tag: v.optional(v.string(), ""),
  dcs: v.nullish(v.array(v.string()), []),
  stage: v.optional(v.string(), ""),
  hosts: v.nullish(v.array(HostSchema), []),
  eta_seconds: v.optional(v.number()),
  retention_lock_mode: v.optional(v.string(), ""),
  override_retention_lock: v.optional(v.boolean(), false),
  retention_days: v.optional(v.number(), 0),
  ...Counters,
});

/** SM's `FormatUploadProgress`: floor of (uploaded+skipped)/size, `/ceil(failed%)` when something failed. */
export function formatUploadProgress(size: number, uploaded: number, skipped: number, failed: number): string {
  if (size === 0) return "100%";
  let out = `${Math.floor(((uploaded + skipped) * 100) / size)}%`;
  if (failed > 0) out += `/${Math.ceil((failed * 100) / size)}%`;
  return out;
}

/** A glob list as sctool's `--host`/`--keyspace` filters (first match wins; no match hides). */
function matcher(patterns: readonly string[]): (value: string) => boolean {
  if (patterns.length === 0) return () => true;
  const res = patterns.map(
    (p) =>
      new RegExp(
        `^${p
          .replace(/[.+^${}()|\\]/g, "\\$&")
          .replace(/\*/g, ".*")
          .replace(/\?/g, ".")}$`,
      ),
  );
  return (value) => res.some((re) => re.test(value));
}

export const renderBackupProgress: ProgressRenderer = ({ answer, details, hosts, keyspaces, env }) => {
  const parsed = v.safeParse(ProgressSchema, answer.progress ?? {});
  const status = answer.run.status;
  const p = parsed.success ? parsed.output : undefined;
  const stageName = p ? STAGE_DESCRIPTIONS[p.stage] : undefined;
  const stage = status !== "NEW" && status !== "DONE" ? stageName : undefined;
  const ascii = (env.SCTOOL_ASCII_TABLES ?? "") !== "";
  if (!p || answer.progress === null || answer.progress === undefined) return { stage, body: "Progress:\t0%\n" };
  const lines: string[] = [];
  lines.push(`Progress:\t${p.size !== 0 ? formatUploadProgress(p.size, p.uploaded, p.skipped, p.failed) : "-"}`);
  if (p.snapshot_tag) lines.push(`Snapshot Tag:\t${p.snapshot_tag}`);
  if ((p.dcs ?? []).length > 0) lines.push(`Datacenters:\t${(p.dcs ?? []).map((dc) => `\n  - ${dc}`).join("")}`);
  if (p.retention_lock_mode !== "" && p.retention_lock_mode !== "disabled") {
    const lock = [`Mode: ${p.retention_lock_mode}`];
    if (p.retention_lock_mode !== "event-based-hold") lock.push(`Retention days: ${p.retention_days}`);
    lock.push(`Override unlocked: ${p.override_retention_lock}`);
    lines.push(`Retention Lock:${lock.map((l) => `\n  - ${l}`).join("")}`);
  }
  if (status === "RUNNING" && p.size > 0) lines.push(`ETA:\t\t${formatEta(p.eta_seconds)}`);
  const errors =
    status === "ERROR"
      ? (p.hosts ?? []).flatMap((h) => (h.keyspaces ?? []).flatMap((k) => (k.tables ?? []).map((t) => t.error)))
      : [];
  const nonEmpty = errors.filter((e) => e !== "");
  if (nonEmpty.length > 0) lines.push(`Errors:\t${nonEmpty.map((e) => `\n  - ${e}`).join("")}`);
  let body = `${lines.join("\n")}\n`;
  if (p.size === 0) return { stage, body };
  const showHost = matcher(hosts);
  const showKeyspace = matcher(keyspaces);
  const rows: TableRow[] = (p.hosts ?? [])
    .filter((h) => showHost(h.host))
    .map((h) => [
      h.host,
      (h.keyspaces ?? []).length > 0 ? formatUploadProgress(h.size, h.uploaded, h.skipped, h.failed) : "-",
      formatSize(h.size),
      formatSize(h.uploaded + h.skipped),
      formatSize(h.skipped),
      formatSize(h.failed),
    ]);
  body += renderTable({
    header: ["Host", "Progress", "Size", "Success", "Deduplicated", "Failed"],
    rows,
    align: ["left", "right", "right", "right", "right", "right"],
    ascii,
  });
  if (!details) return { stage, body };
  for (const h of p.hosts ?? []) {
    if (!showHost(h.host)) continue;
    body += `\nHost: ${h.host}\n`;
    const detail: TableRow[] = [];
    for (const [i, ks] of (h.keyspaces ?? []).entries()) {
      if (!showKeyspace(ks.keyspace)) break;
      if (i > 0) detail.push(SEPARATOR);
      const tables = ks.tables ?? [];
      if (tables.length === 0) detail.push(["-", "-", "-", "-", "-", "-", "-", "-", "-"]);
      for (const t of tables) {
        detail.push([
          ks.keyspace,
          t.table,
          formatUploadProgress(t.size, t.uploaded, t.skipped, t.failed),
          formatSize(t.size),
          formatSize(t.uploaded + t.skipped),
          formatSize(t.skipped),
          formatSize(t.failed),
          formatTime(t.started_at),
          formatTime(t.completed_at),
        ]);
      }
    }
    body += renderTable({
      header: [
        "Keyspace",
        "Table",
        "Progress",
        "Size",
        "Success",
        "Deduplicated",
        "Failed",
        "Started at",
        "Completed at",
      ],
      rows: detail,
      align: ["left", "left", "right", "right", "right", "right", "right", "left", "left"],
      ascii,
    });
  }
  return { stage, body };
};
