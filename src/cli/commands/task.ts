/**
 * The deprecated `sctool task <sub>` aliases: `list`, `history`, `progress`, `start`, `stop`, `delete`, `update`.
 * Each prints a deprecation notice to stderr and runs the top-level equivalent.
 * @module
 */
import { type CommandDef, defineCommand } from "citty";
import { deleteTask } from "../../clients/manager-api/tasks.ts";
import { getCliContext } from "../context.ts";
import { requireCluster } from "../globals.ts";
import { deprecationNotice, taskTargetArgs } from "./task-args.ts";
import { resolveTask } from "./task-resolve.ts";

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

/** The `task` command group (deprecated). */
export const taskCommand = defineCommand({
  meta: { name: "task", description: "Deprecated: manage tasks with the top-level commands" },
  subCommands: {
    delete: () => taskDeleteCommand,
    history: alias("info", () => import("./info.ts").then((m) => m.infoCommand), "history"),
    list: alias("tasks", () => import("./tasks.ts").then((m) => m.tasksCommand), "list"),
    progress: alias("progress", () => import("./progress.ts").then((m) => m.progressCommand), "progress"),
    start: alias("start", () => import("./start.ts").then((m) => m.startCommand), "start"),
    stop: alias("stop", () => import("./stop.ts").then((m) => m.stopCommand), "stop"),
  },
});
