/**
 * Repair task properties (SM's `taskProperties` with `defaultTaskProperties`, `pkg/service/repair/model.go`), the
 * Target they resolve to, and the persisted rows (`repair_run`, `repair_run_progress`, `repair_run_state`).
 * @module
 */
import * as v from "valibot";
import { ValidationError } from "../errors.ts";

/** Default small-table threshold: 1 GiB of replicated size. */
export const DEFAULT_SMALL_TABLE_THRESHOLD = 1024 * 1024 * 1024;

const StringList = v.union([
  v.array(v.string()),
  v.pipe(
    v.string(),
    v.transform((s) => s.split(",").filter((x) => x !== "")),
  ),
]);

/** Task properties as JSON (`keyspace`, `dc`, ...) with SM's defaults. */
export const RepairPropertiesSchema = v.object({
  keyspace: v.optional(v.nullable(StringList), ["*", "!system_traces"]),
  dc: v.optional(v.nullable(StringList), []),
  host: v.optional(v.string(), ""),
  keyspace_replication: v.optional(v.string(), "all"),
  ignore_down_hosts: v.optional(v.boolean(), false),
  fail_fast: v.optional(v.boolean(), false),
  continue: v.optional(v.boolean(), true),
  intensity: v.optional(v.number(), 1),
  parallel: v.optional(v.number(), 0),
  small_table_threshold: v.optional(v.number(), DEFAULT_SMALL_TABLE_THRESHOLD),
  incremental_mode: v.optional(v.string(), ""),
  allow_empty: v.optional(v.boolean(), false),
  /** Beyond SM: `precedence` (our schedule, default) or `table-by-table` (SM's). */
  strategy: v.optional(v.string(), "precedence"),
});
/** Parsed properties (lists never null). */
export type RepairProperties = Omit<v.InferOutput<typeof RepairPropertiesSchema>, "keyspace" | "dc"> & {
  keyspace: string[];
  dc: string[];
};

export const STRATEGIES = ["precedence", "table-by-table"] as const;
export type Strategy = (typeof STRATEGIES)[number];

/** SM's `NewIntensityFromDeprecated`: values in (0, 1) mean 1, others are truncated; negative is an error. */
export function parseIntensity(value: number): number {
  if (!Number.isFinite(value) || value < 0) {
    throw new ValidationError(`invalid intensity ${value}: must be a non-negative number`, {
      hint: "use 0 for the maximum supported by the nodes, or a number of token ranges, e.g. 1",
    });
  }
  if (value > 0 && value < 1) return 1;
  return Math.trunc(value);
}

/** Validates `parallel` (a non-negative integer). */
export function parseParallel(value: number): number {
  if (!Number.isInteger(value) || value < 0) {
    throw new ValidationError(`invalid parallel ${value}: must be a non-negative integer`, {
      hint: "use 0 for the maximum the topology allows, or a number of jobs, e.g. 1",
    });
  }
  return value;
}

/** Parses and validates raw task properties. */
export function parseRepairProperties(raw: unknown): RepairProperties {
  const parsed = v.safeParse(RepairPropertiesSchema, raw ?? {});
  if (!parsed.success) {
    const issue = parsed.issues[0];
    const path = issue.path?.map((p) => String(p.key)).join(".") ?? "";
    throw new ValidationError(`invalid repair properties: ${path ? `${path}: ` : ""}${issue.message}`);
  }
  const props = parsed.output;
  if (!["all", "vnodes", "tablets"].includes(props.keyspace_replication)) {
    throw new ValidationError(`invalid keyspace_replication "${props.keyspace_replication}"`, {
      hint: "use one of all, vnodes, tablets",
    });
  }
  if (!["", "incremental", "full", "disabled"].includes(props.incremental_mode)) {
    throw new ValidationError(`invalid incremental_mode "${props.incremental_mode}"`, {
      hint: "use one of incremental, full, disabled",
    });
  }
  if (!(STRATEGIES as readonly string[]).includes(props.strategy)) {
    throw new ValidationError(`invalid strategy "${props.strategy}"`, { hint: `use one of ${STRATEGIES.join(", ")}` });
  }
  parseIntensity(props.intensity);
  parseParallel(props.parallel);
  if (props.host !== "" && !isIp(props.host)) {
    throw new ValidationError(`invalid host "${props.host}": not an IP address`, {
      hint: "--host takes a node's IPv4 or IPv6 address",
    });
  }
  return {
    ...props,
    keyspace: props.keyspace ?? ["*", "!system_traces"],
    dc: props.dc ?? [],
  };
}

function isIp(text: string): boolean {
  if (/^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.test(text)) {
    return text.split(".").every((p) => Number(p) <= 255);
  }
  return /^[0-9a-fA-F:]+$/.test(text) && text.includes(":");
}

/** A keyspace of the target (SM's `Unit`; JSON keys as SM's server writes them in the target). */
export interface RepairUnit {
  keyspace: string;
  tables: string[];
  all_tables: boolean;
}

/** SM's repair Target as the dry run returns it. */
export interface RepairTarget {
  units: RepairUnit[];
  dc: string[];
  host: string;
  keyspace_replication: string;
  ignore_hosts?: string[];
  fail_fast: boolean;
  continue: boolean;
  intensity: number;
  parallel: number;
  small_table_threshold: number;
  incremental_mode: string;
  allow_empty: boolean;
  /** Beyond SM: the schedule strategy. */
  strategy: Strategy;
}

/** `repair_run` (service run value). */
export interface RepairRunRow {
  prev_id: string;
  dc: string[];
  host: string;
  parallel: number;
  intensity: number;
  start_time: string;
  end_time: string | null;
}

/** `repair_run_progress` row (key `host/keyspace/table`). */
export interface RepairProgressRow {
  host: string;
  keyspace: string;
  table: string;
  size: number;
  token_ranges: number;
  success: number;
  error: number;
  started_at: string | null;
  completed_at: string | null;
}

/** `repair_run_state` row (key `keyspace/table`): the successfully repaired ranges as `[start, end]` strings. */
export interface RepairStateRow {
  keyspace: string;
  table: string;
  success_ranges: Array<[string, string]>;
}

export const RUN_KIND = "repair_run";
export const PROGRESS_KIND = "repair_run_progress";
export const STATE_KIND = "repair_run_state";
