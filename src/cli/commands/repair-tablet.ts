/**
 * `sctool repair tablet -c <cluster> + scheduling flags`: schedules the dedicated `tablet_repair` task (every
 * tablet table, no properties), and `repair tablet update [tablet_repair/<id|name>]`.
 * @module
 */
import { defineCommand } from "citty";
import { createTask } from "../../clients/manager-api/tasks.ts";
import { getCliContext } from "../context.ts";
import { clusterArg, requireCluster } from "../globals.ts";
import { buildScheduleFields, scheduleArgs } from "./task-schedule.ts";
import { updateTaskFromFlags } from "./task-update.ts";

const repairTabletUpdateCommand = defineCommand({
  meta: { name: "update", description: "Modify properties of the existing tablet repair task" },
  args: {
    ...clusterArg,
    ...scheduleArgs,
    task: { type: "positional", required: false, valueHint: "tablet_repair/task-id", description: "The task" },
  },
  async run(ctx) {
    const { io, client, globals } = getCliContext(ctx);
    const updated = await updateTaskFromFlags(client(), {
      cluster: requireCluster(globals),
      target: ctx.args.task || "tablet_repair",
      type: "tablet_repair",
      flags: ctx.args,
    });
    io.stdout(`${updated}\n`);
  },
});

/** The `repair tablet` command. */
export const repairTabletCommand = defineCommand({
  meta: {
    name: "tablet",
    description:
      "Schedule tablet repair (ad-hoc or scheduled)\n\nThis command allows you to schedule or run ad-hoc cluster tablet repair.\nIt requires ScyllaDB version 2025.1 or higher.\nThis repair targets all tablet keyspaces.",
  },
  args: { ...clusterArg, ...scheduleArgs },
  subCommands: { update: () => Promise.resolve(repairTabletUpdateCommand) },
  async run(ctx) {
    const { io, client, globals } = getCliContext(ctx);
    const body = {
      type: "tablet_repair",
      ...buildScheduleFields(ctx.args, { create: true, now: Date.now() }),
      properties: {},
    };
    const id = await createTask(client(), requireCluster(globals), body);
    io.stdout(`tablet_repair/${id}\n`);
  },
});
