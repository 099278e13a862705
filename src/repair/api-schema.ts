/**
 * The shapes of the repair answers (the dry-run `RepairTarget` of model.ts, `RepairProgress` of progress.ts, the
 * tablet_repair progress of tablet.ts) as valibot schemas: the served `openapi.json` is generated from them, and
 * `describes<>` fails the build when a builder's type gains a key or changes a type the schema does not describe.
 * Names and types follow SM's API (`pkg/service/repair/model.go`, `progress.go`).
 * @module
 */
import * as v from "valibot";
import { describes } from "../util/describes.ts";
import { type RepairTarget, type RepairUnit, STRATEGIES } from "./model.ts";
import type { HostProgress, RepairProgress, TableProgress } from "./progress.ts";
import type { TabletTableProgress } from "./tablet.ts";

const integer = () => v.pipe(v.number(), v.integer());
const time = () => v.nullable(v.pipe(v.string(), v.description("RFC 3339 date-time; null while unset")));
const list = () => v.array(v.string());

export const RepairUnitSchema = describes<RepairUnit>()(
  v.object({ keyspace: v.string(), tables: list(), all_tables: v.boolean() }),
);

/** SM's repair Target (GET /cluster/{cluster_id}/tasks/repair/target), plus `strategy` (beyond SM). */
export const RepairTargetSchema = describes<RepairTarget>()(
  v.object({
    units: v.array(RepairUnitSchema),
    dc: list(),
    host: v.string(),
    keyspace_replication: v.string(),
    ignore_hosts: v.optional(list()),
    fail_fast: v.boolean(),
    continue: v.boolean(),
    intensity: v.number(),
    parallel: integer(),
    small_table_threshold: integer(),
    incremental_mode: v.string(),
    allow_empty: v.boolean(),
    strategy: v.pipe(v.picklist(STRATEGIES), v.description("extension: the schedule strategy")),
  }),
);

const BASE = {
  token_ranges: integer(),
  success: integer(),
  error: integer(),
  started_at: time(),
  completed_at: time(),
  duration_ms: integer(),
};

export const TableRepairProgressSchema = describes<TableProgress>()(
  v.object({ keyspace: v.string(), table: v.string(), ...BASE }),
);

export const HostRepairProgressSchema = describes<HostProgress>()(
  v.object({ host: v.string(), tables: v.array(TableRepairProgressSchema), ...BASE }),
);

/** SM's RepairProgress, plus `eta_seconds` (beyond SM). */
export const RepairProgressSchema = describes<RepairProgress>()(
  v.object({
    success_percentage: v.number(),
    error_percentage: v.number(),
    dcs: list(),
    host: v.string(),
    hosts: v.array(HostRepairProgressSchema),
    tables: v.array(TableRepairProgressSchema),
    max_intensity: v.number(),
    intensity: v.number(),
    max_parallel: integer(),
    parallel: integer(),
    eta_seconds: v.optional(v.pipe(v.number(), v.description("extension: estimated seconds left"))),
    ...BASE,
  }),
);

export const TabletRepairTableProgressSchema = describes<TabletTableProgress>()(
  v.object({ keyspace: v.string(), table: v.string(), started_at: time(), completed_at: time(), error: v.string() }),
);

/** SM's TabletRepairProgress. */
export const TabletRepairProgressSchema = v.object({ tables: v.array(TabletRepairTableProgressSchema) });
