/**
 * The deprecated `sctool task <sub>` aliases: `list`, `history`, `progress`, `start`, `stop`, `delete`, `update`.
 * Each prints a deprecation notice to stderr and runs the top-level equivalent. The group is hidden from the
 * command list, as SM's cobra hides deprecated commands.
 * @module
 */
import { type CommandDef, defineCommand } from "citty";
import { deleteTask } from "../../clients/manager-api/tasks.ts";
import { getCliContext } from "../context.ts";
import { requireCluster } from "../globals.ts";
import { commandMeta } from "./meta.ts";
import { deprecationNotice, taskTargetArgs } from "./task-args.ts";
import { resolveTask } from "./task-resolve.ts";
import { scheduleArgs } from "./task-schedule.ts";
import { updateTaskFromFlags } from "./task-update.ts";

type Runnable = { run?: unknown; args?: unknown; meta?: unknown };

function alias(replacement: string, load: () => Promise<Runnable>, name: string) {
  return async () => {
    const command = (await load()) as CommandDef;
    return defineCommand({
      ...command,
      meta: { name, description: `Deprecated: use sctool ${replacement}`, hidden: false },
      subCommands: undefined,
      async run(ctx) {
        getCliContext(ctx).io.stderr(deprecationNotice(replacement));
        await (command.run as (c: typeof ctx) => Promise<void>)(ctx);
      },
    });
  };
}

const taskDeleteCommand = defineCommand({
  meta: { name: "delete", description: "Deprecated: use sctool stop --delete" },
  args: taskTargetArgs,
  async run(ctx) {
    const { io, client, globals } = getCliContext(ctx);
    io.stderr(deprecationNotice("stop --delete"));
    const cluster = requireCluster(globals);
    const { type, id } = await resolveTask(client(), cluster, ctx.args.task);
    await deleteTask(client(), cluster, type, id);
  },
});

/** The `update` command of each task type that has one. */
const UPDATE_COMMANDS: Record<string, string> = {
  repair: "repair update",
  tablet_repair: "repair tablet update",
  backup: "backup update",
  validate_backup: "backup validate update",
  restore: "restore update",
  "1_1_restore": "restore 1-1-restore update",
  suspend: "suspend update",
};

/**
 * `task update <type>/<id|name>`: SM's generic update, for the common schedule flags of any task type, through the
 * same GET → PUT as the type-specific `update` commands (`nothing to do` without a flag).
 */
const taskUpdateCommand = defineCommand({
  meta: { name: "update", description: "Deprecated: use the update command of the task's type" },
  args: { ...taskTargetArgs, ...scheduleArgs },
  async run(ctx) {
    const { io, client, globals } = getCliContext(ctx);
    const replacement = UPDATE_COMMANDS[ctx.args.task.split("/")[0] ?? ""];
    // Types without an update command of their own (healthcheck) have nothing to point to.
    io.stderr(replacement ? deprecationNotice(replacement) : 'Command "task" is deprecated\n');
    const updated = await updateTaskFromFlags(client(), {
      cluster: requireCluster(globals),
      target: ctx.args.task,
      flags: ctx.args,
    });
    io.stdout(`${updated}\n`);
  },
});

/** The `task` command group (deprecated, hidden from the command list). */
export const taskCommand = defineCommand({
  meta: commandMeta.task,
  subCommands: {
    delete: () => taskDeleteCommand,
    history: alias("info", () => import("./info.ts").then((m) => m.infoCommand), "history"),
    list: alias("tasks", () => import("./tasks.ts").then((m) => m.tasksCommand), "list"),
    progress: alias("progress", () => import("./progress.ts").then((m) => m.progressCommand), "progress"),
    start: alias("start", () => import("./start.ts").then((m) => m.startCommand), "start"),
    stop: alias("stop", () => import("./stop.ts").then((m) => m.stopCommand), "stop"),
    update: () => taskUpdateCommand,
  },
});
