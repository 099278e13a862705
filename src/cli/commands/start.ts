/**
 * `sctool start -c <cluster> <type>[/<id|name>] [--no-continue]`.
 * @module
 */
import { defineCommand } from "citty";
import { startTask } from "../../clients/manager-api/tasks.ts";
import { getCliContext } from "../context.ts";
import { requireCluster } from "../globals.ts";
import { commandMeta } from "./meta.ts";
import { taskTargetArgs } from "./task-args.ts";
import { resolveTask } from "./task-resolve.ts";

/** The `start` command. */
export const startCommand = defineCommand({
  meta: commandMeta.start,
  args: {
    ...taskTargetArgs,
    "no-continue": { type: "boolean", description: "Do not resume the last run." },
  },
  async run(ctx) {
    const { client, globals } = getCliContext(ctx);
    const cluster = requireCluster(globals);
    const api = client();
    const { type, id } = await resolveTask(api, cluster, ctx.args.task);
    await startTask(api, cluster, type, id, !ctx.args["no-continue"]);
  },
});
