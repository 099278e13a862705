import { expect, test } from "bun:test";
import cassandra from "cassandra-driver";
import * as v from "valibot";
import { BackupRunSchema, RunProgressSchema } from "../backup/model.ts";
import { ValidateHostProgressSchema } from "../backup/validate/model.ts";
import { SM_PROGRESS_CONVERTERS, SM_RUN_CONVERTERS } from "./kinds.ts";
import type { RowLike } from "./read.ts";

const { Long, Uuid, TimeUuid } = cassandra.types;
const row = (columns: Record<string, unknown>): RowLike => ({
  keys: () => Object.keys(columns),
  get: (column) => columns[column],
});
/** What gocql writes for an unset time.Time. */
const GO_ZERO = new Date("0001-01-01T00:00:00Z");

test("repair state: token_range UDTs become exact decimal pairs under our key", () => {
  const converted = SM_PROGRESS_CONVERTERS.repair_run_state?.(
    row({
      cluster_id: Uuid.random(),
      keyspace_name: "ks",
      table_name: "t1",
      success_ranges: [
        { start_token: Long.fromString("-9223372036854775808"), end_token: Long.fromString("-9223372036854775001") },
        { start_token: Long.fromString("9007199254740993"), end_token: Long.fromString("9223372036854775807") },
      ],
    }),
  );
  expect(converted).toEqual({
    key: "ks.t1",
    value: {
      keyspace: "ks",
      table: "t1",
      success_ranges: [
        ["-9223372036854775808", "-9223372036854775001"],
        ["9007199254740993", "9223372036854775807"],
      ],
    },
  });
});

test("repair progress and run: SM's column names become ours, Go's zero time is unset", () => {
  expect(
    SM_PROGRESS_CONVERTERS.repair_run_progress?.(
      row({
        host: "10.0.0.1",
        keyspace_name: "ks",
        table_name: "t1",
        token_ranges: Long.fromNumber(256),
        success: Long.fromNumber(100),
        error: Long.fromNumber(2),
        size: null,
        started_at: new Date("2026-11-29T23:00:00Z"),
        completed_at: GO_ZERO,
      }),
    ),
  ).toEqual({
    key: "10.0.0.1/ks/t1",
    value: {
      host: "10.0.0.1",
      keyspace: "ks",
      table: "t1",
      size: 0,
      token_ranges: 256,
      success: 100,
      error: 2,
      started_at: "2026-11-29T23:00:00.000Z",
      completed_at: null,
    },
  });
  const prev = Uuid.random();
  expect(
    SM_RUN_CONVERTERS.repair_run?.(
      row({ prev_id: prev, dc: ["dc1"], start_time: new Date("2026-11-29T23:00:00Z"), end_time: GO_ZERO }),
    ),
  ).toEqual({
    prev_id: prev.toString(),
    dc: ["dc1"],
    host: "",
    parallel: 0,
    intensity: 0,
    start_time: "2026-11-29T23:00:00.000Z",
    end_time: null,
  });
});

test("backup run and progress convert into values our backup service parses", () => {
  const run = SM_RUN_CONVERTERS.backup_run?.(
    row({
      id: TimeUuid.now(),
      prev_id: null,
      snapshot_tag: "sm_20261201010000UTC",
      units: [{ keyspace_name: "ks", tables: ["t1", "t2"] }],
      dc: ["dc1"],
      location: ["s3:bucket"],
      nodes: ["10.0.0.1"],
      stage: "UPLOAD",
      start_time: new Date("2026-12-01T01:00:00Z"),
    }),
  );
  const parsed = v.parse(BackupRunSchema, run);
  expect(parsed.units).toEqual([{ keyspace: "ks", tables: ["t1", "t2"], all_tables: false }]);
  expect(parsed).toMatchObject({ prev_id: "", stage: "UPLOAD", retention_lock_mode: "disabled" });

  const progress = SM_PROGRESS_CONVERTERS.backup_run_progress?.(
    row({ host: "10.0.0.1", unit: 0, table_name: "t1", size: Long.fromNumber(1000), error: null, started_at: GO_ZERO }),
  );
  expect(progress?.key).toBe("10.0.0.1/0/t1");
  expect(v.parse(RunProgressSchema, progress?.value)).toMatchObject({ size: 1000, error: "", started_at: null });
});

test("validate_backup progress: null lists and unset columns still parse", () => {
  const converted = SM_PROGRESS_CONVERTERS.validate_backup_run_progress?.(
    row({ dc: "dc1", host: "10.0.0.1", location: "s3:bucket", manifests: 3, broken_snapshots: null }),
  );
  expect(converted?.key).toBe("dc1/10.0.0.1/s3:bucket");
  expect(v.parse(ValidateHostProgressSchema, converted?.value)).toMatchObject({ manifests: 3, broken_snapshots: [] });
});

test("restore run: nested unit, table and view UDTs take our field names", () => {
  expect(
    SM_RUN_CONVERTERS.restore_run?.(
      row({
        id: Uuid.random(),
        snapshot_tag: "sm_20261201010000UTC",
        stage: "DATA",
        units: [
          {
            keyspace_name: "ks",
            size: Long.fromNumber(10),
            tables: [{ table_name: "t1", size: 10, tombstone_gc: "timeout" }],
          },
        ],
        views: [
          {
            keyspace_name: "ks",
            view_name: "v1",
            view_type: "MaterializedView",
            base_table: "t1",
            create_stmt: "CREATE MATERIALIZED VIEW ...",
            build_status: "SUCCESS",
          },
        ],
      }),
    ),
  ).toMatchObject({
    stage: "DATA",
    prev_id: "",
    units: [{ keyspace: "ks", size: 10, tables: [{ table: "t1", size: 10, tombstone_gc: "timeout" }] }],
    views: [{ keyspace: "ks", view: "v1", type: "MaterializedView", base_table: "t1", status: "SUCCESS" }],
  });
});
