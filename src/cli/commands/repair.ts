/**
 * `sctool repair -c <cluster> [flags]` (schedule or run a repair; `--dry-run` prints the target), and its
 * sub-commands `update`, `control` and `tablet` (flags of SM's sctool reference). Beyond SM: `--strategy
 * precedence|table-by-table` chooses the schedule (ours by default, SM's for comparison).
 * @module
 */
import { defineCommand } from "citty";
import { getRepairTarget } from "../../clients/manager-api/repair.ts";
import { createTask } from "../../clients/manager-api/tasks.ts";
import { ValidationError } from "../../errors.ts";
import { getCliContext } from "../context.ts";
import { clusterArg, requireCluster } from "../globals.ts";
import { commandMeta } from "./meta.ts";
import { renderRepairTarget } from "./repair-render.ts";
import { buildScheduleFields, scheduleArgs } from "./task-schedule.ts";

/** Flags that set repair properties (shared with `repair update`). */
export const repairPropertyArgs = {
  keyspace: {
    type: "string",
    alias: "K",
    description:
      "A list of glob patterns separated by a comma used to include or exclude tables. (default '*,!system_traces')",
  },
  dc: { type: "string", description: "A list of datacenter glob patterns separated by a comma, e.g. 'dc1,!otherdc*'." },
  host: { type: "string", description: "Address of a node to repair: only token ranges replicated by it." },
  "keyspace-replication": {
    type: "string",
    description: "Repair keyspaces with this replication only: all, vnodes or tablets. (default all)",
  },
  "ignore-down-hosts": { type: "boolean", description: "Do not repair nodes that are down i.e. in status DN." },
  "fail-fast": { type: "boolean", description: "Stops the task run on the first error." },
  intensity: {
    type: "string",
    description: "How many token ranges to repair in a single Scylla node at the same time; 0 = max. (default 1)",
  },
  parallel: {
    type: "string",
    description: "The maximum number of Scylla repair jobs that can run at the same time; 0 = max. (default 0)",
  },
  "small-table-threshold": {
    type: "string",
    description: "Tables smaller than this are repaired in a single job. (default 1GiB)",
  },
  "incremental-mode": {
    type: "string",
    description: "Incremental repair mode of tablet tables: incremental, full, disabled.",
  },
  "allow-empty": { type: "boolean", description: "Do not fail when the repair would target no table." },
  strategy: {
    type: "string",
    description: "Job schedule: precedence (no table barrier, default) or table-by-table (SM's order, for comparison).",
  },
} as const;

const list = (value: string) =>
  value
    .split(",")
    .map((s) => s.trim())
    .filter(Boolean);

const UNITS: Record<string, number> = {
  B: 1,
  KIB: 1024,
  MIB: 1024 ** 2,
  GIB: 1024 ** 3,
  TIB: 1024 ** 4,
  PIB: 1024 ** 5,
};

/** SM's byte counts: `1GiB`, `512MiB`, `100` (bytes). */
export function parseByteCount(text: string): number {
  const m = /^\s*(\d+(?:\.\d+)?)\s*([KMGTP]iB|B)?\s*$/i.exec(text);
  if (!m)
    throw new ValidationError(`invalid byte count "${text}"`, { hint: "use a number with B, KiB, MiB, GiB, TiB" });
  return Math.round(Number(m[1]) * (UNITS[(m[2] ?? "B").toUpperCase()] ?? 1));
}

function number(text: string, flag: string, integer: boolean): number {
  const n = Number(text);
  if (text.trim() === "" || !Number.isFinite(n) || (integer && !Number.isInteger(n))) {
    throw new ValidationError(`invalid argument "${text}" for "--${flag}" flag`);
  }
  return n;
}

/** Repair properties of the given flags (only given ones). */
export function buildRepairProperties(args: Record<string, unknown>): Record<string, unknown> {
  const props: Record<string, unknown> = {};
  const s = (k: string) => (typeof args[k] === "string" ? (args[k] as string) : undefined);
  if (s("keyspace") !== undefined) props.keyspace = list(s("keyspace") as string);
  if (s("dc") !== undefined) props.dc = list(s("dc") as string);
  if (s("host") !== undefined) props.host = s("host");
  if (s("keyspace-replication") !== undefined) props.keyspace_replication = s("keyspace-replication");
  if (typeof args["ignore-down-hosts"] === "boolean") props.ignore_down_hosts = args["ignore-down-hosts"];
  if (typeof args["fail-fast"] === "boolean") props.fail_fast = args["fail-fast"];
  if (s("intensity") !== undefined) props.intensity = number(s("intensity") as string, "intensity", false);
  if (s("parallel") !== undefined) props.parallel = number(s("parallel") as string, "parallel", true);
  if (s("small-table-threshold") !== undefined)
    props.small_table_threshold = parseByteCount(s("small-table-threshold") as string);
  if (s("incremental-mode") !== undefined) props.incremental_mode = s("incremental-mode");
  if (typeof args["allow-empty"] === "boolean") props.allow_empty = args["allow-empty"];
  if (s("strategy") !== undefined) props.strategy = s("strategy");
  return props;
}

/** Whether any property flag was given. */
export function repairPropertiesGiven(args: Record<string, unknown>): boolean {
  return Object.keys(repairPropertyArgs).some((k) => args[k] !== undefined);
}

/** The `repair` command. */
export const repairCommand = defineCommand({
  meta: commandMeta.repair,
  args: {
    ...clusterArg,
    ...scheduleArgs,
    ...repairPropertyArgs,
    "dry-run": {
      type: "boolean",
      description: "Validates and displays repair information without scheduling the repair.",
    },
    "show-tables": {
      type: "boolean",
      description: "Prints table names together with keyspace, used in combination with --dry-run.",
    },
  },
  subCommands: {
    update: () => import("./repair-update.ts").then((m) => m.repairUpdateCommand),
    control: () => import("./repair-control.ts").then((m) => m.repairControlCommand),
    tablet: () => import("./repair-tablet.ts").then((m) => m.repairTabletCommand),
  },
  async run(ctx) {
    const { io, client, globals } = getCliContext(ctx);
    const cluster = requireCluster(globals);
    const { args } = ctx;
    const api = client();
    const properties = buildRepairProperties(args);
    const body: Record<string, unknown> = {
      type: "repair",
      ...buildScheduleFields(args, { create: true, now: Date.now() }),
      properties,
    };
    // SM: --fail-fast also means no retries.
    if (properties.fail_fast === true) (body.schedule as Record<string, unknown>).num_retries = 0;
    if (args["dry-run"]) {
      const target = await getRepairTarget(api, cluster, body);
      io.stderr("NOTICE: dry run mode, repair is not scheduled\n\n");
      const schedule = body.schedule as { cron?: string; timezone?: string };
      io.stdout(
        renderRepairTarget(target, {
          showTables: args["show-tables"] === true,
          ...(schedule.cron ? { cron: schedule.cron, timezone: schedule.timezone } : {}),
        }),
      );
      return;
    }
    const id = await createTask(api, cluster, body);
    io.stdout(`repair/${id}\n`);
  },
});
