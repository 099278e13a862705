// examples/monitoring/: every metric the Grafana dashboard and the alerting rules query is one our server (its
// /metrics as the daemon serves it) or our agent exports. promtool's own checks are in test/external/monitoring.test.ts.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import * as v from "valibot";
import { parse as parseYaml } from "yaml";
import { createAgentMetrics } from "../../agent/metrics.ts";
import { ServerConfigSchema } from "../../src/config/server.ts";
import { type Daemon, startDaemon } from "../../src/server/daemon.ts";
import { createSilentLogger } from "../../src/util/log.ts";

const DIR = join(import.meta.dir, "../../examples/monitoring");

/** PromQL words that are not metric names. */
const KEYWORDS = new Set([
  "by",
  "without",
  "on",
  "ignoring",
  "group_left",
  "group_right",
  "bool",
  "and",
  "or",
  "unless",
  "offset",
  "inf",
  "nan",
]);

/** Metric names in a PromQL expression: identifiers outside label matchers, groupings and strings, not calls. */
export function metricNames(expr: string): string[] {
  const stripped = expr
    .replace(/"(?:[^"\\]|\\.)*"/g, '""')
    .replace(/\{[^}]*\}/g, "")
    .replace(/\b(by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)/g, "")
    .replace(/\[[^\]]*\]/g, "");
  const names = new Set<string>();
  for (const m of stripped.matchAll(/([a-zA-Z_:][a-zA-Z0-9_:]*)\s*(\()?/g)) {
    const [, name, call] = m;
    if (!name || call || KEYWORDS.has(name.toLowerCase()) || /^\d/.test(name)) continue;
    names.add(name);
  }
  return [...names];
}

function dashboardExprs(): string[] {
  const dashboard = JSON.parse(readFileSync(join(DIR, "grafana-dashboard.json"), "utf8"));
  const exprs: string[] = [];
  const walk = (panels: { targets?: { expr?: string }[]; panels?: unknown[] }[]) => {
    for (const panel of panels) {
      for (const t of panel.targets ?? []) if (t.expr) exprs.push(t.expr);
      if (panel.panels) walk(panel.panels as never);
    }
  };
  walk(dashboard.panels);
  for (const variable of dashboard.templating.list) {
    const query = typeof variable.query === "object" ? variable.query.query : "";
    const m = /^label_values\(([^,]+),/.exec(query ?? "");
    if (m?.[1]) exprs.push(m[1]);
  }
  return exprs;
}

function ruleExprs(): string[] {
  const rules = parseYaml(readFileSync(join(DIR, "alerts.yml"), "utf8"));
  return rules.groups.flatMap((g: { rules: { expr: string }[] }) => g.rules.map((r) => r.expr));
}

const exportedNames = (text: string) =>
  new Set([...text.matchAll(/^# TYPE (\S+) /gm)].map((m) => m[1] ?? "").filter(Boolean));

let root: string;
let daemon: Daemon;
let exported: Set<string>;

beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), "sm-monitoring-"));
  const config = v.parse(ServerConfigSchema, {
    http: "",
    prometheus: "127.8.2.200:5090",
    data_dir: join(root, "data"),
    logger: { level: "error" },
  });
  daemon = await startDaemon([], { config, logger: createSilentLogger() });
  const server = await (await fetch(`${daemon.urls.prometheus}/metrics`)).text();
  // The agent serves its registry as is (with the process metrics on), so its text is what Prometheus scrapes.
  const agent = await createAgentMetrics({ defaultMetrics: true }).registry.metrics();
  exported = new Set([...exportedNames(server), ...exportedNames(agent)]);
});

afterAll(async () => {
  await daemon?.close();
  rmSync(root, { recursive: true, force: true });
});

describe("examples/monitoring", () => {
  test("the metric-name extraction reads PromQL as Prometheus does", () => {
    expect(
      metricNames(
        'sum by (host) (rate(a_total{job="x",le=~"1|2"}[5m])) / on (host) group_left(dc) b > bool 0 or vector(0)',
      ).sort(),
    ).toEqual(["a_total", "b"]);
    expect(metricNames('time() - scylla_manager_scheduler_last_success{type="backup"} > 26 * 3600')).toEqual([
      "scylla_manager_scheduler_last_success",
    ]);
  });

  test("every metric the dashboard queries is exported by our server or agent", () => {
    const exprs = dashboardExprs();
    expect(exprs.length).toBeGreaterThan(20);
    const used = [...new Set(exprs.flatMap(metricNames))].sort();
    expect(used.filter((name) => !exported.has(name))).toEqual([]);
    // The panels the issue names are there: task runs and states, repair and backup progress, health-check RTTs.
    for (const name of [
      "scylla_manager_scheduler_run_indicator",
      "scylla_manager_scheduler_run_total",
      "scylla_manager_repair_progress",
      "scylla_manager_backup_files_uploaded_bytes",
      "scylla_manager_healthcheck_cql_rtt_ms",
      "scylla_manager_healthcheck_rest_rtt_ms",
    ]) {
      expect(used).toContain(name);
    }
  });

  test("every metric the alerting rules use is exported by our server", () => {
    const used = [...new Set(ruleExprs().flatMap(metricNames))].sort();
    expect(used.length).toBeGreaterThan(2);
    expect(used.filter((name) => !exported.has(name))).toEqual([]);
  });
});
