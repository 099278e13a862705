// Progress of one run, from SM's progress JSON of GET /cluster/{c}/task/{type}/{task}/{run}: an overall bar with
// percentage, bytes, speed and ETA, then per host and per table tables on demand. One renderer per task type.
import { badge, bar, h, table } from "./dom.js";
import { bytes, date, duration, elapsed, eta, isSet, pct, percent } from "./format.js";

/** Which <details> sections are open, kept across the periodic re-renders. */
const open = new Set();

function section(key, title, content) {
  return h(
    "details",
    {
      open: open.has(key),
      ontoggle: (event) => (event.target.open ? open.add(key) : open.delete(key)),
    },
    h("summary", {}, title),
    content,
  );
}

function stats(items) {
  return h(
    "div",
    { class: "stats" },
    items.filter(Boolean).map(([label, value]) => h("div", {}, h("span", {}, label), h("strong", {}, value))),
  );
}

/** The ETA the server sent (an extension some servers add), else the mean-rate estimate. */
function etaOf(progress, startedAt, done, total, running) {
  if (!running) return "-";
  const sent = progress?.eta_seconds ?? progress?.eta;
  const seconds = typeof sent === "number" ? sent : eta(startedAt, done, total);
  return seconds === undefined ? "estimating…" : duration(seconds);
}

const rate = (amount, startedAt, completedAt) => {
  const spent = elapsed(startedAt, completedAt);
  return spent > 0 ? amount / spent : Number.NaN;
};

function repair(p, run, key) {
  // Early stages (snapshot, index) have no start time in the progress yet: the run's start stands in.
  const started = isSet(p.started_at) ? p.started_at : run.start_time;
  const running = run.status === "RUNNING";
  const done = (p.success || 0) + (p.error || 0);
  const tableRow = (t) => ({ ...t, name: `${t.keyspace}.${t.table}` });
  return [
    bar(p.success_percentage ?? percent(p.success, p.token_ranges), p.error_percentage || 0),
    stats([
      ["Progress", pct(p.success_percentage ?? percent(p.success, p.token_ranges))],
      ["Token ranges", `${p.success || 0} / ${p.token_ranges || 0}`],
      p.error ? ["Failed ranges", String(p.error)] : null,
      ["Speed", `${(rate(done, started, p.completed_at) * 60 || 0).toFixed(1)} ranges/min`],
      ["ETA", etaOf(p, started, done, p.token_ranges, running)],
      ["Intensity", `${p.intensity ?? "-"} (max ${p.max_intensity ?? "-"})`],
      ["Parallel", `${p.parallel ?? "-"} (max ${p.max_parallel ?? "-"})`],
      ["Started", date(started)],
      ["Duration", duration(elapsed(started, p.completed_at))],
    ]),
    section(
      `${key}/hosts`,
      `Per host (${(p.hosts || []).length})`,
      table(
        [
          ["Host", (x) => x.host],
          ["Progress", (x) => bar(percent(x.success, x.token_ranges), percent(x.error, x.token_ranges))],
          ["%", (x) => pct(percent(x.success, x.token_ranges)), "num"],
          ["Ranges", (x) => `${x.success || 0} / ${x.token_ranges || 0}`, "num"],
          ["Failed", (x) => x.error || 0, "num"],
          ["Duration", (x) => duration(elapsed(x.started_at, x.completed_at)), "num"],
        ],
        p.hosts || [],
      ),
    ),
    section(
      `${key}/tables`,
      `Per table (${(p.tables || []).length})`,
      table(
        [
          ["Table", (x) => x.name],
          ["Progress", (x) => bar(percent(x.success, x.token_ranges), percent(x.error, x.token_ranges))],
          ["%", (x) => pct(percent(x.success, x.token_ranges)), "num"],
          ["Ranges", (x) => `${x.success || 0} / ${x.token_ranges || 0}`, "num"],
          ["Failed", (x) => x.error || 0, "num"],
          ["Duration", (x) => duration(elapsed(x.started_at, x.completed_at)), "num"],
        ],
        (p.tables || []).map(tableRow),
      ),
    ),
  ];
}

function backup(p, run, key) {
  // Early stages (snapshot, index) have no start time in the progress yet: the run's start stands in.
  const started = isSet(p.started_at) ? p.started_at : run.start_time;
  const running = run.status === "RUNNING";
  const done = (p.uploaded || 0) + (p.skipped || 0);
  const tables = [];
  for (const host of p.hosts || []) {
    for (const ks of host.keyspaces || []) {
      for (const t of ks.tables || []) tables.push({ ...t, host: host.host, name: `${ks.keyspace}.${t.table}` });
    }
  }
  const sizeCols = [
    ["Progress", (x) => bar(percent((x.uploaded || 0) + (x.skipped || 0), x.size), percent(x.failed, x.size))],
    ["%", (x) => pct(percent((x.uploaded || 0) + (x.skipped || 0), x.size)), "num"],
    ["Size", (x) => bytes(x.size || 0), "num"],
    ["Uploaded", (x) => bytes(x.uploaded || 0), "num"],
    ["Deduplicated", (x) => bytes(x.skipped || 0), "num"],
    ["Failed", (x) => bytes(x.failed || 0), "num"],
  ];
  return [
    bar(percent(done, p.size), percent(p.failed, p.size)),
    stats([
      ["Progress", pct(percent(done, p.size))],
      ["Stage", p.stage || "-"],
      ["Snapshot", p.snapshot_tag || "-"],
      ["Size", bytes(p.size || 0)],
      ["Uploaded", bytes(p.uploaded || 0)],
      ["Deduplicated", bytes(p.skipped || 0)],
      p.failed ? ["Failed", bytes(p.failed)] : null,
      ["Speed", `${bytes(Math.round(rate(p.uploaded || 0, started, p.completed_at) || 0))}/s`],
      ["ETA", etaOf(p, started, done, p.size, running)],
      ["Started", date(started)],
      ["Duration", duration(elapsed(started, p.completed_at))],
    ]),
    section(
      `${key}/hosts`,
      `Per host (${(p.hosts || []).length})`,
      table([["Host", (x) => x.host], ...sizeCols], p.hosts || []),
    ),
    section(
      `${key}/tables`,
      `Per table (${tables.length})`,
      table(
        [
          ["Host", (x) => x.host],
          ["Table", (x) => x.name],
          ...sizeCols,
          ["Error", (x) => (x.error ? h("span", { class: "error" }, x.error) : ""), "wrap"],
        ],
        tables,
      ),
    ),
  ];
}

function restore(p, run, key) {
  // Early stages (snapshot, index) have no start time in the progress yet: the run's start stands in.
  const started = isSet(p.started_at) ? p.started_at : run.start_time;
  const running = run.status === "RUNNING";
  const tables = [];
  for (const ks of p.keyspaces || []) {
    for (const t of ks.tables || []) tables.push({ ...t, name: `${ks.keyspace}.${t.table}` });
  }
  return [
    bar(percent(p.restored, p.size), percent(p.failed, p.size)),
    stats([
      ["Progress", pct(percent(p.restored, p.size))],
      ["Stage", p.stage || "-"],
      ["Snapshot", p.snapshot_tag || "-"],
      ["Size", bytes(p.size || 0)],
      ["Restored", bytes(p.restored || 0)],
      p.failed ? ["Failed", bytes(p.failed)] : null,
      ["Speed", `${bytes(Math.round(rate(p.restored || 0, started, p.completed_at) || 0))}/s`],
      ["ETA", etaOf(p, started, p.restored || 0, p.size, running)],
      ["Started", date(started)],
      ["Duration", duration(elapsed(started, p.completed_at))],
    ]),
    section(
      `${key}/hosts`,
      `Per host (${(p.hosts || []).length})`,
      table(
        [
          ["Host", (x) => x.host],
          ["Shards", (x) => x.shard_cnt ?? "-", "num"],
          ["Restored", (x) => bytes(x.restored_bytes || 0), "num"],
          [
            "Speed",
            (x) =>
              x.restore_duration > 0 ? `${bytes(Math.round((x.restored_bytes * 1000) / x.restore_duration))}/s` : "-",
            "num",
          ],
          ["Downloaded", (x) => bytes(x.downloaded_bytes || 0), "num"],
          ["Streamed", (x) => bytes(x.streamed_bytes || 0), "num"],
        ],
        p.hosts || [],
      ),
    ),
    section(
      `${key}/tables`,
      `Per table (${tables.length})`,
      table(
        [
          ["Table", (x) => x.name],
          ["Progress", (x) => bar(percent(x.restored, x.size), percent(x.failed, x.size))],
          ["%", (x) => pct(percent(x.restored, x.size)), "num"],
          ["Size", (x) => bytes(x.size || 0), "num"],
          ["Restored", (x) => bytes(x.restored || 0), "num"],
          ["tombstone_gc", (x) => x.tombstone_gc || ""],
          ["Error", (x) => (x.error ? h("span", { class: "error" }, x.error) : ""), "wrap"],
        ],
        tables,
      ),
    ),
    p.views?.length
      ? section(
          `${key}/views`,
          `Views (${p.views.length})`,
          table(
            [
              ["View", (x) => `${x.keyspace}.${x.view}`],
              ["Type", (x) => x.type],
              ["Base table", (x) => x.base_table],
              ["Status", (x) => x.status],
            ],
            p.views,
          ),
        )
      : null,
    p.repair_progress ? [h("h3", {}, "Post-restore repair"), repair(p.repair_progress, run, `${key}/repair`)] : null,
  ];
}

function validateBackup(list, _run, key) {
  const rows = Array.isArray(list) ? list : [];
  const finished = rows.filter((x) => isSet(x.completed_at)).length;
  const sum = (field) => rows.reduce((n, x) => n + (x[field] || 0), 0);
  const broken = [...new Set(rows.flatMap((x) => x.broken_snapshots || []))];
  return [
    bar(percent(finished, rows.length)),
    stats([
      ["Hosts done", `${finished} / ${rows.length}`],
      ["Manifests", String(sum("manifests"))],
      ["Scanned files", String(sum("scanned_files"))],
      ["Missing files", String(sum("missing_files"))],
      ["Orphaned files", `${sum("orphaned_files")} (${bytes(sum("orphaned_bytes"))})`],
      ["Deleted files", String(sum("deleted_files"))],
      ["Broken snapshots", broken.length ? broken.join(", ") : "none"],
    ]),
    section(
      `${key}/hosts`,
      `Per host and location (${rows.length})`,
      table(
        [
          ["DC", (x) => x.dc],
          ["Host", (x) => x.host],
          ["Location", (x) => x.location],
          ["Scanned", (x) => x.scanned_files || 0, "num"],
          ["Missing", (x) => x.missing_files || 0, "num"],
          ["Orphaned", (x) => x.orphaned_files || 0, "num"],
          ["Done", (x) => (isSet(x.completed_at) ? badge("done", "ok") : badge("running", "run"))],
        ],
        rows,
      ),
    ),
  ];
}

function tabletRepair(p, _run, key) {
  const tables = p.tables || [];
  const done = tables.filter((t) => isSet(t.completed_at)).length;
  return [
    bar(percent(done, tables.length)),
    stats([["Tables done", `${done} / ${tables.length}`]]),
    section(
      `${key}/tables`,
      `Per table (${tables.length})`,
      table(
        [
          ["Table", (x) => `${x.keyspace}.${x.table}`],
          ["Started", (x) => date(x.started_at)],
          ["Completed", (x) => date(x.completed_at)],
          ["Error", (x) => (x.error ? h("span", { class: "error" }, x.error) : ""), "wrap"],
        ],
        tables,
      ),
    ),
  ];
}

function oneToOneRestore(p, _run, key) {
  const tables = p.tables || [];
  const size = tables.reduce((n, t) => n + (t.size || 0), 0);
  const restored = tables.reduce((n, t) => n + (t.restored || 0), 0);
  return [
    bar(percent(restored, size)),
    stats([
      ["Progress", pct(percent(restored, size))],
      ["Restored", `${bytes(restored)} / ${bytes(size)}`],
    ]),
    section(
      `${key}/tables`,
      `Per table (${tables.length})`,
      table(
        [
          ["Table", (x) => `${x.keyspace}.${x.table}`],
          ["%", (x) => pct(percent(x.restored, x.size)), "num"],
          ["Size", (x) => bytes(x.size || 0), "num"],
          ["Status", (x) => x.status],
        ],
        tables,
      ),
    ),
  ];
}

const RENDERERS = {
  repair,
  backup,
  restore,
  validate_backup: validateBackup,
  tablet_repair: tabletRepair,
  "1_1_restore": oneToOneRestore,
};

/** The progress section of `answer` ({run, progress}) for a task of `type`. */
export function renderProgress(type, answer) {
  const { run, progress } = answer;
  const key = `${run.task_id}/${run.id}`;
  const render = RENDERERS[type];
  const empty =
    progress === null || progress === undefined || (typeof progress === "object" && !Object.keys(progress).length);
  if (!render || empty) {
    const running = run.status === "RUNNING";
    return h(
      "div",
      {},
      running
        ? h(
            "p",
            { class: "muted" },
            `Running for ${duration(elapsed(run.start_time, run.end_time))}; this task type reports no progress yet.`,
          )
        : null,
      !empty ? section(`${key}/raw`, "Progress JSON", h("pre", {}, JSON.stringify(progress, null, 2))) : null,
    );
  }
  return h("div", { class: "run-progress", dataset: { type } }, render(progress, run, key));
}

/** One-line progress of a running run (tasks tables): percentage or "" when the type reports none. */
export function progressPercent(type, progress) {
  if (!progress) return undefined;
  switch (type) {
    case "repair":
      return progress.success_percentage ?? percent(progress.success, progress.token_ranges);
    case "backup":
      return percent((progress.uploaded || 0) + (progress.skipped || 0), progress.size);
    case "restore":
      return percent(progress.restored, progress.size);
    case "validate_backup":
      return Array.isArray(progress)
        ? percent(progress.filter((x) => isSet(x.completed_at)).length, progress.length)
        : undefined;
    default:
      return undefined;
  }
}
