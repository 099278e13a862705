/**
 * `sctool suspend update -c <cluster> [suspend/<id|name>] + suspend flags`: changes only the given flags.
 * @module
 */
import { defineCommand } from "citty";
import { getTask, updateTask } from "../../clients/manager-api/tasks.ts";
import { ValidationError } from "../../errors.ts";
import { getCliContext } from "../context.ts";
import { requireCluster } from "../globals.ts";
import { buildSuspendProperties, suspendArgs } from "./suspend.ts";
import { resolveTask } from "./task-resolve.ts";
import { buildScheduleFields, scheduleFlagsGiven } from "./task-schedule.ts";

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
    const cluster = requireCluster(globals);
    const { args } = ctx;
    const api = client();
    const { type, id } = await resolveTask(api, cluster, args.task || "suspend");
    if (type !== "suspend") throw new ValidationError(`can't handle ${type} task`);
    const propertiesGiven = PROPERTY_FLAGS.some(
      (flag) => args[flag as keyof typeof args] !== undefined && args[flag as keyof typeof args] !== false,
    );
    if (!scheduleFlagsGiven(args) && !propertiesGiven) throw new ValidationError("nothing to do");
    const task = await getTask(api, cluster, type, id);
    const body: Record<string, unknown> = {
      type,
      name: task.name,
      labels: task.labels ?? {},
      enabled: task.enabled,
      properties: task.properties ?? {},
      ...buildScheduleFields(args, {
        create: false,
        now: Date.now(),
        existing: { schedule: task.schedule, labels: task.labels },
      }),
    };
    if (propertiesGiven) body.properties = { ...(task.properties ?? {}), ...buildSuspendProperties(args) };
    await updateTask(api, cluster, type, id, body);
    io.stdout(`suspend/${task.name || id}\n`);
  },
});
