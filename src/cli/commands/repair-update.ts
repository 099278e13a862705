/**
 * `sctool repair update -c <cluster> [repair/<id|name>] + repair flags`: changes only the given flags
 * (`--dry-run` prints the updated target instead).
 * @module
 */
import { defineCommand } from "citty";
import { getRepairTarget } from "../../clients/manager-api/repair.ts";
import { getTask } from "../../clients/manager-api/tasks.ts";
import { getCliContext } from "../context.ts";
import { clusterArg, requireCluster } from "../globals.ts";
import { buildRepairProperties, repairPropertiesGiven, repairPropertyArgs } from "./repair.ts";
import { renderRepairTarget } from "./repair-render.ts";
import { resolveTask } from "./task-resolve.ts";
import { buildScheduleFields, scheduleArgs } from "./task-schedule.ts";
import { updateTaskFromFlags } from "./task-update.ts";

/** The `repair update` command. */
export const repairUpdateCommand = defineCommand({
  meta: { name: "update", description: "Modify properties of the existing repair task" },
  args: {
    ...clusterArg,
    ...scheduleArgs,
    ...repairPropertyArgs,
    "dry-run": { type: "boolean", description: "Validates and displays repair information without updating the task." },
    "show-tables": {
      type: "boolean",
      description: "Prints table names together with keyspace, used in combination with --dry-run.",
    },
    task: { type: "positional", required: false, valueHint: "repair/task-id", description: "The repair task" },
  },
  async run(ctx) {
    const { io, client, globals } = getCliContext(ctx);
    const { args } = ctx;
    const cluster = requireCluster(globals);
    const api = client();
    const properties = buildRepairProperties(args);
    if (args["dry-run"]) {
      const { id } = await resolveTask(api, cluster, args.task || "repair");
      const task = await getTask(api, cluster, "repair", id);
      const body = {
        type: "repair",
        ...buildScheduleFields(args, {
          create: false,
          now: Date.now(),
          existing: { schedule: task.schedule, labels: task.labels },
        }),
        properties: { ...(task.properties ?? {}), ...properties },
      };
      const target = await getRepairTarget(api, cluster, body);
      io.stderr("NOTICE: dry run mode, repair is not scheduled\n\n");
      io.stdout(renderRepairTarget(target, { showTables: args["show-tables"] === true }));
      return;
    }
    const updated = await updateTaskFromFlags(api, {
      cluster,
      target: args.task || "repair",
      type: "repair",
      flags: args,
      properties: { given: repairPropertiesGiven(args), build: () => properties },
    });
    io.stdout(`${updated}\n`);
  },
});
