/**
 * `sctool suspend update -c <cluster> [suspend/<id|name>] + suspend flags`: changes only the given flags.
 * @module
 */
import { defineCommand } from "citty";
import { getCliContext } from "../context.ts";
import { requireCluster } from "../globals.ts";
import { buildSuspendProperties, suspendArgs } from "./suspend.ts";
import { updateTaskFromFlags } from "./task-update.ts";

const PROPERTY_FLAGS = ["duration", "on-resume-start-tasks", "allow-task-type", "suspend-policy", "no-continue"];

/** The `suspend update` command. */
export const suspendUpdateCommand = defineCommand({
  meta: { name: "update", description: "Modify properties of the existing suspend task" },
  args: {
    ...suspendArgs,
    task: { type: "positional", required: false, valueHint: "suspend/task-id", description: "The suspend task" },
  },
  async run(ctx) {
    const { io, client, globals } = getCliContext(ctx);
    const { args } = ctx;
    const given = PROPERTY_FLAGS.some(
      (flag) => args[flag as keyof typeof args] !== undefined && args[flag as keyof typeof args] !== false,
    );
    const updated = await updateTaskFromFlags(client(), {
      cluster: requireCluster(globals),
      target: args.task || "suspend",
      type: "suspend",
      flags: args,
      properties: { given, build: () => buildSuspendProperties(args, { update: true }) },
    });
    io.stdout(`${updated}\n`);
  },
});
