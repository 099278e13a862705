/**
 * `sctool restore -c <cluster> -L <locations> -T <tag> (--restore-schema | --restore-tables) [flags]` and
 * `restore update` (SM's `pkg/command/restore/cmd.go`): builds the task's properties from the given flags, dry-runs
 * it (`--dry-run` prints SM's plan) or creates/updates it. On update the flags that define what is restored are
 * forbidden.
 * @module
 */
import { defineCommand } from "citty";
import { getRestoreTarget } from "../../clients/manager-api/restore.ts";
import { createTask, getTask, updateTask } from "../../clients/manager-api/tasks.ts";
import { ValidationError } from "../../errors.ts";
import { getCliContext } from "../context.ts";
import { clusterArg, requireCluster } from "../globals.ts";
import { commandMeta } from "./meta.ts";
import { inProcessArgs } from "./restore-local-flags.ts";
import { renderRestoreTarget } from "./restore-render.ts";
import { resolveTask } from "./task-resolve.ts";
import { buildScheduleFields, scheduleArgs, scheduleFlagsGiven } from "./task-schedule.ts";

/** Flags of `restore` and `restore update` (SM's names and shorthands). */
export const restoreArgs = {
  ...clusterArg,
  ...scheduleArgs,
  location: {
    type: "string",
    alias: "L",
    description: "Backup locations [<dc>:]<provider>:<bucket>, comma-separated.",
  },
  keyspace: { type: "string", alias: "K", description: "Glob patterns of keyspaces and tables, comma-separated." },
  "snapshot-tag": { type: "string", alias: "T", description: "Snapshot tag of the restored backup." },
  "batch-size": { type: "string", description: "SSTables per shard in one batch; 0 = size-based. (default 2)" },
  parallel: { type: "string", description: "Most nodes restoring at once; 0 = all. (default 0)" },
  transfers: {
    type: "string",
    description: "Parallel file transfers per node; 0 = 2 x shards, -1 = agent config. (default 0)",
  },
  "rate-limit": { type: "string", description: "Download limits [<dc>:]<MiB/s>, comma-separated; 0 = none." },
  "allow-compaction": { type: "boolean", description: "Keep auto compaction running during restore." },
  "unpin-agent-cpu": { type: "boolean", description: "Unpin the agent from CPUs during restore." },
  "restore-schema": { type: "boolean", description: "Restore the schema (DESCRIBE SCHEMA WITH INTERNALS) via CQL." },
  "restore-tables": { type: "boolean", description: "Restore the contents of the tables selected by --keyspace." },
  "dc-mapping": { type: "string", description: "source_dc=target_dc pairs, comma-separated (tables only)." },
  method: { type: "string", description: "rclone, auto or native. (default rclone)" },
  "dry-run": { type: "boolean", description: "Validate and print the restore plan without scheduling it." },
  "show-tables": { type: "boolean", description: "With --dry-run: print table names and sizes." },
  ...inProcessArgs,
} as const;

const FORBIDDEN_ON_UPDATE = ["location", "keyspace", "snapshot-tag", "restore-schema", "restore-tables", "dc-mapping"];

const list = (value: string) =>
  value
    .split(",")
    .map((s) => s.trim())
    .filter(Boolean);

function int(flag: string, value: string): number {
  if (!/^-?\d+$/.test(value.trim())) throw new ValidationError(`invalid argument "${value}" for "--${flag}" flag`);
  return Number(value);
}

function bool(value: unknown): boolean {
  return value === true || value === "true";
}

/** `src=dst,src2=dst2` → map; SM's StringToString flag rules. */
export function parseDcMapping(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const pair of list(text)) {
    const at = pair.indexOf("=");
    if (at <= 0 || at === pair.length - 1) {
      throw new ValidationError(
        `invalid argument "${text}" for "--dc-mapping" flag: ${pair} must be formatted as key=value`,
      );
    }
    const source = pair.slice(0, at);
    if (Object.hasOwn(out, source))
      throw new ValidationError(`DC mapping contains duplicates in source DCs: ${source}`);
    out[source] = pair.slice(at + 1);
  }
  return out;
}

/** The property changes of the given flags (and whether any was given). */
export function restorePropertiesFromFlags(
  args: Record<string, unknown>,
  options: { update: boolean },
): { props: Record<string, unknown>; given: boolean } {
  const props: Record<string, unknown> = {};
  const given = (flag: string) => args[flag] !== undefined;
  if (options.update) {
    for (const flag of FORBIDDEN_ON_UPDATE) {
      if (given(flag)) {
        throw new ValidationError(
          `updating restore task's '--${flag}' flag is forbidden. For this purpose, please create a new task with given properties`,
        );
      }
    }
  }
  const s = (flag: string) => String(args[flag]);
  if (given("location")) props.location = list(s("location"));
  if (given("keyspace")) props.keyspace = list(s("keyspace"));
  if (given("snapshot-tag")) props.snapshot_tag = s("snapshot-tag");
  if (given("batch-size")) props.batch_size = int("batch-size", s("batch-size"));
  if (given("parallel")) props.parallel = int("parallel", s("parallel"));
  if (given("transfers")) props.transfers = int("transfers", s("transfers"));
  if (given("rate-limit")) props.rate_limit = list(s("rate-limit"));
  if (given("allow-compaction")) props.allow_compaction = bool(args["allow-compaction"]);
  if (given("unpin-agent-cpu")) props.unpin_agent_cpu = bool(args["unpin-agent-cpu"]);
  if (given("restore-schema")) props.restore_schema = bool(args["restore-schema"]);
  if (given("restore-tables")) props.restore_tables = bool(args["restore-tables"]);
  if (given("dc-mapping")) props.dc_mapping = parseDcMapping(s("dc-mapping"));
  if (given("method")) props.method = s("method");
  return { props, given: Object.keys(props).length > 0 };
}

async function runRestoreCommand(ctx: { args: Record<string, unknown> }, update: boolean, rawCtx: unknown) {
  const { io, client, globals } = getCliContext(rawCtx as Parameters<typeof getCliContext>[0]);
  const args = ctx.args;
  if (args["in-process"] === true && !update) {
    const { runInProcessRestore } = await import("./restore-local.ts");
    await runInProcessRestore(io, args, restorePropertiesFromFlags(args, { update: false }).props);
    return;
  }
  const cluster = requireCluster(globals);
  const api = client();
  const { props, given } = restorePropertiesFromFlags(args, { update });
  let task: Record<string, unknown>;
  let id = "";
  if (update) {
    const target = typeof args.task === "string" && args.task !== "" ? args.task : "restore";
    const resolved = await resolveTask(api, cluster, target);
    if (resolved.type !== "restore") throw new ValidationError(`can't handle ${resolved.type} task`);
    const existing = await getTask(api, cluster, "restore", resolved.id);
    id = resolved.id;
    task = {
      type: "restore",
      name: existing.name,
      labels: existing.labels ?? {},
      enabled: existing.enabled,
      ...buildScheduleFields(args, {
        create: false,
        now: Date.now(),
        existing: { schedule: existing.schedule, labels: existing.labels },
      }),
      properties: { ...((existing.properties as Record<string, unknown>) ?? {}), ...props },
    };
    if (!given && !scheduleFlagsGiven(args) && !args["dry-run"]) throw new ValidationError("nothing to do");
  } else {
    task = { type: "restore", ...buildScheduleFields(args, { create: true, now: Date.now() }), properties: props };
  }
  if (args["dry-run"]) {
    const target = await getRestoreTarget(api, cluster, task);
    io.stderr("NOTICE: dry run mode, restore is not scheduled\n\n");
    const schedule = task.schedule as { cron?: string; timezone?: string } | undefined;
    io.stdout(renderRestoreTarget(target, { showTables: bool(args["show-tables"]), schedule }));
    return;
  }
  if (update) {
    await updateTask(api, cluster, "restore", id, task);
    io.stdout(`restore/${(task.name as string) || id}\n`);
    return;
  }
  const newId = await createTask(api, cluster, task);
  io.stdout(`restore/${(task.name as string | undefined) || newId}\n`);
}

/** The `restore` command. */
export const restoreCommand = defineCommand({
  meta: commandMeta.restore,
  args: restoreArgs,
  subCommands: {
    update: () => import("./restore-update.ts").then((m) => m.restoreUpdateCommand),
    "1-1-restore": () => import("./restore-one2one.ts").then((m) => m.one2OneRestoreCommand),
  },
  async run(ctx) {
    await runRestoreCommand(ctx as never, false, ctx);
  },
});

/** The `restore update` command body (shared with restore-update.ts). */
export async function runRestoreUpdate(ctx: unknown): Promise<void> {
  await runRestoreCommand(ctx as never, true, ctx);
}
