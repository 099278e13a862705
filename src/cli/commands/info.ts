/**
 * `sctool info -c <cluster> <type>[/<id|name>] [--cause] [--limit 10]`: task parameters and run history.
 * @module
 */
import { defineCommand } from "citty";
import { getTaskHistory, listTasks } from "../../clients/manager-api/tasks.ts";
import { ValidationError } from "../../errors.ts";
import { getCliContext } from "../context.ts";
import { requireCluster } from "../globals.ts";
import { useAsciiTables } from "../output/table.ts";
import { renderRunHistory, renderTaskInfo } from "./info-render.ts";
import { commandMeta } from "./meta.ts";
import { taskTargetArgs } from "./task-args.ts";
import { resolveTask } from "./task-resolve.ts";

/** The `info` command. */
export const infoCommand = defineCommand({
  meta: commandMeta.info,
  args: {
    ...taskTargetArgs,
    cause: { type: "boolean", description: "Prints the cause of a failed task." },
    limit: { type: "string", description: "Limits the number of returned results. (default 10)" },
  },
  async run(ctx) {
    const { io, client, globals } = getCliContext(ctx);
    const cluster = requireCluster(globals);
    const limitText = ctx.args.limit ?? "10";
    if (!/^\d+$/.test(limitText)) throw new ValidationError(`invalid --limit "${limitText}", expected a number`);
    const api = client();
    const { type, id } = await resolveTask(api, cluster, ctx.args.task);
    const tasks = await listTasks(api, cluster, { type, all: true, taskId: id });
    const [task] = tasks;
    if (!task || tasks.length !== 1) throw new ValidationError(`expected exactly 1 task, got ${tasks.length}`);
    const runs = await getTaskHistory(api, cluster, type, id, Number(limitText));
    const options = { now: Date.now(), cause: ctx.args.cause, ascii: useAsciiTables(io.env) };
    io.stdout(`${renderTaskInfo(task, options)}\n${renderRunHistory(runs, options)}`);
  },
});
