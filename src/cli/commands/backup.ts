/**
 * `sctool backup -c <cluster> -L [<dc>:]<provider>:<bucket> [flags]` (every flag of SM's `sctool backup`) and
 * `backup update`. `--dry-run` prints SM's plan from `GET /tasks/backup/target` and schedules nothing. Property
 * flags are sent only when given, as SM's sctool does (so the server's defaults apply, e.g. retention 3).
 * @module
 */
import { defineCommand } from "citty";
import { getBackupTarget } from "../../clients/manager-api/backup-target.ts";
import { createTask } from "../../clients/manager-api/tasks.ts";
import { ValidationError } from "../../errors.ts";
import { getCliContext } from "../context.ts";
import { clusterArg, requireCluster } from "../globals.ts";
import { backupReadSubCommands } from "./backup-read.ts";
import { renderBackupTarget } from "./backup-render.ts";
import { commandMeta } from "./meta.ts";
import { buildScheduleFields, scheduleArgs } from "./task-schedule.ts";

/** The backup property flags (shared by `backup` and `backup update`). */
export const backupPropertyArgs = {
  location: {
    type: "string",
    alias: "L",
    description:
      "A list of backup locations separated by a comma, the format is [<dc>:]<provider>:<bucket>; providers: azure, gcs, s3, localstorage.",
  },
  keyspace: {
    type: "string",
    alias: "K",
    description: "A list of glob patterns separated by a comma (keyspace[.table]).",
  },
  dc: { type: "string", description: "A list of datacenter glob patterns separated by a comma, e.g. 'dc1,!otherdc*'." },
  retention: { type: "string", description: "The number of backups to store. (default 7)" },
  "retention-days": { type: "string", description: "The number of days for which backup is stored. (default 0)" },
  "rate-limit": {
    type: "string",
    description:
      "Upload rate limits in MiB/s per node, [<dc>:]<limit> separated by a comma; 0 = no limit (default 100).",
  },
  transfers: {
    type: "string",
    description: "File transfers to run in parallel per node; -1 = the agent's setting. (default -1)",
  },
  "snapshot-parallel": {
    type: "string",
    description: "Snapshot parallelism limits, [<dc>:]<limit> separated by a comma.",
  },
  "upload-parallel": { type: "string", description: "Upload parallelism limits, [<dc>:]<limit> separated by a comma." },
  "purge-only": { type: "boolean", description: "Run the backup cleanup only." },
  "skip-schema": { type: "boolean", description: "Don't backup schema." },
  method: { type: "string", description: "Backup method: rclone, native or auto. (default rclone)" },
  "retention-lock-mode": {
    type: "string",
    description: "Retention lock mode: disabled, unlocked, locked or event-based-hold. (default disabled)",
  },
  "override-retention-lock": {
    type: "boolean",
    description: "Override previously set retention locks in 'unlocked' mode.",
  },
} as const;

const list = (value: unknown): string[] =>
  typeof value === "string"
    ? value
        .split(",")
        .map((s) => s.trim())
        .filter(Boolean)
    : [];

function int(flag: string, value: string): number {
  if (!/^-?\d+$/.test(value.trim())) throw new ValidationError(`invalid argument "${value}" for "--${flag}" flag`);
  return Number(value);
}

/** Properties from the given flags; `given` says whether any property flag was set. */
export function buildBackupProperties(args: Record<string, unknown>): {
  given: boolean;
  props: Record<string, unknown>;
} {
  const props: Record<string, unknown> = {};
  const str = (name: string) => (typeof args[name] === "string" ? (args[name] as string) : undefined);
  for (const [flag, key] of [
    ["location", "location"],
    ["keyspace", "keyspace"],
    ["dc", "dc"],
    ["rate-limit", "rate_limit"],
    ["snapshot-parallel", "snapshot_parallel"],
    ["upload-parallel", "upload_parallel"],
  ] as const) {
    const value = str(flag);
    if (value !== undefined) props[key] = list(value);
  }
  for (const [flag, key] of [
    ["retention", "retention"],
    ["retention-days", "retention_days"],
    ["transfers", "transfers"],
  ] as const) {
    const value = str(flag);
    if (value !== undefined) props[key] = int(flag, value);
  }
  for (const [flag, key] of [
    ["purge-only", "purge_only"],
    ["skip-schema", "skip_schema"],
    ["override-retention-lock", "override_retention_lock"],
  ] as const) {
    if (typeof args[flag] === "boolean") props[key] = args[flag];
  }
  const method = str("method");
  if (method !== undefined) props.method = method;
  const lock = str("retention-lock-mode");
  if (lock !== undefined) props.retention_lock_mode = lock;
  return { given: Object.keys(props).length > 0, props };
}

/** The `backup` command. */
export const backupCommand = defineCommand({
  meta: commandMeta.backup,
  args: {
    ...clusterArg,
    ...scheduleArgs,
    ...backupPropertyArgs,
    "dry-run": { type: "boolean", description: "Validates and prints backup information without scheduling a backup." },
    "show-tables": { type: "boolean", description: "Prints table names together with keyspace, used with --dry-run." },
  },
  subCommands: {
    update: () => import("./backup-update.ts").then((m) => m.backupUpdateCommand),
    ...backupReadSubCommands,
  },
  async run(ctx) {
    const { io, client, globals } = getCliContext(ctx);
    const cluster = requireCluster(globals);
    const { args } = ctx;
    if (typeof args.location !== "string" || list(args.location).length === 0) {
      throw new ValidationError('required flag(s) "location" not set');
    }
    const api = client();
    const { props } = buildBackupProperties(args);
    const task = { type: "backup", ...buildScheduleFields(args, { create: true, now: Date.now() }), properties: props };
    if (args["dry-run"]) {
      const target = await getBackupTarget(api, cluster, task);
      io.stderr("NOTICE: dry run mode, backup is not scheduled\n\n");
      io.stdout(
        renderBackupTarget(target, {
          showTables: args["show-tables"] === true,
          cron: typeof args.cron === "string" ? args.cron : undefined,
          timezone: (task as { schedule?: { timezone?: string } }).schedule?.timezone,
        }),
      );
      return;
    }
    const id = await createTask(api, cluster, task);
    io.stdout(`backup/${id}\n`);
  },
});
