/**
 * `sctool backup validate` (schedules a `validate_backup` task) and `backup validate update`.
 * @module
 */
import { defineCommand } from "citty";
import { createTask } from "../../clients/manager-api/tasks.ts";
import { ValidationError } from "../../errors.ts";
import { getCliContext } from "../context.ts";
import { clusterArg, requireCluster } from "../globals.ts";
import { listFlag, locationArg } from "./backup-read-flags.ts";
import { taskTargetArgs } from "./task-args.ts";
import { buildScheduleFields, scheduleArgs } from "./task-schedule.ts";
import { updateTaskFromFlags } from "./task-update.ts";

/** The validate property flags. */
export const validatePropertyArgs = {
  ...locationArg,
  "delete-orphaned-files": {
    type: "boolean",
    description: "If set data files not belonging to any snapshot will be deleted after the validation.",
  },
  parallel: { type: "string", valueHint: "int", description: "Number of hosts to analyze in parallel. (default 0)" },
} as const;

/** Properties of the given validate flags; `given` says whether any was set. */
export function buildValidateProperties(args: Record<string, unknown>): {
  given: boolean;
  props: Record<string, unknown>;
} {
  const props: Record<string, unknown> = {};
  if (args.location !== undefined) props.location = listFlag(args.location);
  if (args["delete-orphaned-files"] !== undefined) props.delete_orphaned_files = args["delete-orphaned-files"] === true;
  if (args.parallel !== undefined) {
    const n = Number(args.parallel);
    if (!Number.isInteger(n) || n < 0) {
      throw new ValidationError(
        `invalid argument "${String(args.parallel)}" for "--parallel" flag: use an integer >= 0`,
      );
    }
    props.parallel = n;
  }
  return { given: Object.keys(props).length > 0, props };
}

export const backupValidateUpdateCommand = defineCommand({
  meta: { name: "update", description: "Modify properties of the existing backup validation task" },
  args: { ...taskTargetArgs, ...scheduleArgs, ...validatePropertyArgs },
  async run(ctx) {
    const { io, client, globals } = getCliContext(ctx);
    const cluster = requireCluster(globals);
    const built = buildValidateProperties(ctx.args);
    const name = await updateTaskFromFlags(client(), {
      cluster,
      target: ctx.args.task,
      type: "validate_backup",
      flags: ctx.args,
      properties: { given: built.given, build: () => built.props },
    });
    io.stdout(`${name}\n`);
  },
});

export const backupValidateCommand = defineCommand({
  meta: {
    name: "validate",
    description:
      "Validate backup files in remote locations\n\nThis command schedules a backup validation task.\nIt checks that all needed files are in tact, and that there are no unexpected files occupying your storage.\nTo delete the unexpected files provide the `--delete-orphaned-files` parameter.\nTo see the validation results use the progress command.\nIt is safe to run backup and backup validation at the same time.",
  },
  args: { ...clusterArg, ...scheduleArgs, ...validatePropertyArgs },
  subCommands: { update: () => Promise.resolve(backupValidateUpdateCommand) },
  async run(ctx) {
    const { io, client, globals } = getCliContext(ctx);
    const cluster = requireCluster(globals);
    const { props } = buildValidateProperties(ctx.args);
    const task = {
      type: "validate_backup",
      ...buildScheduleFields(ctx.args, { create: true, now: Date.now() }),
      properties: props,
    };
    const id = await createTask(client(), cluster, task);
    io.stdout(`validate_backup/${id}\n`);
  },
});
