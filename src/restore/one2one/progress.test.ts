import { describe, expect, test } from "bun:test";
import type { TableProgressRow, ViewProgressRow } from "./model.ts";
import { aggregateOne2OneProgress, one2OneTotals } from "./progress.ts";

const T1 = "2025-01-01T00:00:01.000Z";
const T2 = "2025-01-01T00:00:02.000Z";
const T3 = "2025-01-01T00:00:03.000Z";

const row = (host: string, over: Partial<TableProgressRow> = {}): TableProgressRow => ({
  started_at: null,
  completed_at: null,
  keyspace_name: "ks",
  table_name: "t",
  host,
  error: "",
  table_size: 100,
  downloaded: 0,
  versioned_downloaded: 0,
  is_refreshed: false,
  ...over,
});
const view = (status: string, over: Partial<ViewProgressRow> = {}): ViewProgressRow => ({
  started_at: null,
  completed_at: null,
  keyspace_name: "ks",
  table_name: "t",
  view_name: "v",
  view_type: "MaterializedView",
  view_build_status: status,
  error: "",
  ...over,
});

describe("1-1 restore progress (SM's aggregation)", () => {
  test("no rows: null lists, as Go's nil slices", () => {
    expect(aggregateOne2OneProgress([], [])).toEqual({ tables: null, views: null });
  });

  test("hosts of a table sum; done only when every host refreshed", () => {
    const done = { started_at: T1, completed_at: T2, downloaded: 100, is_refreshed: true };
    const p = aggregateOne2OneProgress([row("h1", done), row("h2", { ...done, started_at: T2, completed_at: T3 })], []);
    expect(p.tables).toEqual([
      { keyspace: "ks", table: "t", size: 200, restored: 200, status: "done", started_at: T1, completed_at: T3 },
    ]);
    const mixed = aggregateOne2OneProgress([row("h1", done), row("h2", { started_at: T2, downloaded: 40 })], []);
    expect(mixed.tables?.[0]).toMatchObject({ status: "in_progress", restored: 140, completed_at: null });
    const failed = aggregateOne2OneProgress([row("h1", done), row("h2", { started_at: T2, error: "boom" })], []);
    expect(failed.tables?.[0]?.status).toBe("failed");
    expect(aggregateOne2OneProgress([row("h1"), row("h2")], []).tables?.[0]?.status).toBe("not_started");
    expect(one2OneTotals(mixed)).toEqual({ size: 200, restored: 140, startedAtMs: Date.parse(T1) });
  });

  test("views follow their build status", () => {
    const statuses = (s: string, extra: Partial<ViewProgressRow> = {}) =>
      aggregateOne2OneProgress([], [view(s, extra)]).views?.[0]?.status;
    expect(statuses("UNKNOWN")).toBe("not_started");
    expect(statuses("STARTED", { started_at: T1 })).toBe("in_progress");
    expect(statuses("SUCCESS", { started_at: T1, completed_at: T2 })).toBe("done");
    expect(statuses("SUCCESS", { error: "x" })).toBe("failed");
    expect(aggregateOne2OneProgress([], [view("UNKNOWN")]).views?.[0]).toMatchObject({
      keyspace: "ks",
      table: "t",
      view: "v",
      view_type: "MaterializedView",
      size: 0,
      restored: 0,
    });
  });
});
