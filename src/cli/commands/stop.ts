/**
 * `sctool stop -c <cluster> <type>[/<id|name>] [--disable] [--delete]`.
 * @module
 */
import { defineCommand } from "citty";
import { deleteTask, stopTask } from "../../clients/manager-api/tasks.ts";
import { getCliContext } from "../context.ts";
import { requireCluster } from "../globals.ts";
import { commandMeta } from "./meta.ts";
import { taskTargetArgs } from "./task-args.ts";
import { resolveTask } from "./task-resolve.ts";

/** The `stop` command. */
export const stopCommand = defineCommand({
  meta: commandMeta.stop,
  args: {
    ...taskTargetArgs,
    disable: {
      type: "boolean",
      description:
        "Prevents the task from running until it has been re-enabled with the 'sctool <task_type> update --enabled' command.",
    },
    delete: { type: "boolean", description: "Permanently remove the task." },
  },
  async run(ctx) {
    const { client, globals } = getCliContext(ctx);
    const cluster = requireCluster(globals);
    const api = client();
    const { type, id } = await resolveTask(api, cluster, ctx.args.task);
    await stopTask(api, cluster, type, id, ctx.args.disable === true);
    if (ctx.args.delete) await deleteTask(api, cluster, type, id);
  },
});
