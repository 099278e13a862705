/**
 * `sctool backup update -c <cluster> backup/<id|name> [flags]`: changes only the given schedule and property flags.
 * @module
 */
import { defineCommand } from "citty";
import { getCliContext } from "../context.ts";
import { requireCluster } from "../globals.ts";
import { backupPropertyArgs, buildBackupProperties } from "./backup.ts";
import { taskTargetArgs } from "./task-args.ts";
import { scheduleArgs } from "./task-schedule.ts";
import { updateTaskFromFlags } from "./task-update.ts";

export const backupUpdateCommand = defineCommand({
  meta: { name: "update", description: "Modify properties of the existing backup task" },
  args: { ...taskTargetArgs, ...scheduleArgs, ...backupPropertyArgs },
  async run(ctx) {
    const { io, client, globals } = getCliContext(ctx);
    const cluster = requireCluster(globals);
    const built = buildBackupProperties(ctx.args);
    const name = await updateTaskFromFlags(client(), {
      cluster,
      target: ctx.args.task,
      type: "backup",
      flags: ctx.args,
      properties: { given: built.given, build: () => built.props },
    });
    io.stdout(`${name}\n`);
  },
});
