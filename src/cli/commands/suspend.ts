/**
 * `sctool suspend -c <cluster> [--duration D] [--on-resume-start-tasks] [--allow-task-type T]
 * [--suspend-policy P] [--no-continue] + scheduling flags`, and `suspend update`. Without --duration, --cron and
 * --start-date the cluster is suspended at once; otherwise a `suspend` task is created.
 * @module
 */
import { defineCommand } from "citty";
import { ManagerApiError } from "../../clients/manager-api/client.ts";
import { suspendCluster } from "../../clients/manager-api/suspend.ts";
import { createTask } from "../../clients/manager-api/tasks.ts";
import { ManagerError, ValidationError } from "../../errors.ts";
import { parseDuration } from "../../util/duration.ts";
import { getCliContext } from "../context.ts";
import { clusterArg, requireCluster } from "../globals.ts";
import { commandMeta } from "./meta.ts";
import { buildScheduleFields, scheduleArgs } from "./task-schedule.ts";

/** Flags of `suspend` and `suspend update`. */
export const suspendArgs = {
  ...clusterArg,
  ...scheduleArgs,
  duration: { type: "string", description: "Time after which the cluster is resumed automatically (e.g. 2h)." },
  "on-resume-start-tasks": {
    type: "boolean",
    description: "Start tasks that were stopped by the suspend on resume (needs --duration).",
  },
  "allow-task-type": { type: "string", description: "Task type that keeps running while suspended." },
  "suspend-policy": {
    type: "string",
    description: "stop_running_tasks (default) or fail_if_running_tasks.",
  },
  "no-continue": { type: "boolean", description: "Do not resume the last run of stopped tasks." },
} as const;

const POLICIES = ["stop_running_tasks", "fail_if_running_tasks"];

/**
 * `suspend` task properties from the flags (validated as sctool does). `update`: SM checks that
 * --on-resume-start-tasks comes with a (non-zero) --duration on create only; an update merges into the stored task.
 */
export function buildSuspendProperties(
  args: Record<string, unknown>,
  options: { update?: boolean } = {},
): Record<string, unknown> {
  const duration = typeof args.duration === "string" ? args.duration : "";
  const durationMs = duration ? parseDuration(duration) : 0;
  if (args["on-resume-start-tasks"] && !options.update && durationMs === 0) {
    throw new ValidationError("can't use --on-resume-start-tasks without --duration");
  }
  const policy = typeof args["suspend-policy"] === "string" ? args["suspend-policy"] : "";
  if (policy && !POLICIES.includes(policy)) {
    throw new ValidationError(`invalid --suspend-policy "${policy}"`, { hint: `use one of ${POLICIES.join(", ")}` });
  }
  const props: Record<string, unknown> = {};
  if (duration) props.duration = duration;
  if (args["on-resume-start-tasks"]) props.start_tasks = true;
  if (typeof args["allow-task-type"] === "string" && args["allow-task-type"])
    props.allow_task_type = args["allow-task-type"];
  if (policy) props.suspend_policy = policy;
  if (args["no-continue"]) props.no_continue = true;
  return props;
}

/** The `suspend` command. */
export const suspendCommand = defineCommand({
  meta: commandMeta.suspend,
  args: suspendArgs,
  subCommands: { update: () => import("./suspend-update.ts").then((m) => m.suspendUpdateCommand) },
  async run(ctx) {
    const { io, client, globals } = getCliContext(ctx);
    const cluster = requireCluster(globals);
    const { args } = ctx;
    const api = client();
    const properties = buildSuspendProperties(args);
    // A zero duration is no duration, as SM's flag value: `--duration 0s` suspends at once.
    const timed = typeof properties.duration === "string" && parseDuration(properties.duration) > 0;
    if (!timed && args.cron === undefined && args["start-date"] === undefined) {
      try {
        await suspendCluster(api, cluster, {
          allowTaskType: args["allow-task-type"],
          suspendPolicy: args["suspend-policy"],
          noContinue: args["no-continue"],
        });
      } catch (error) {
        if (error instanceof ManagerApiError && error.status === 409) {
          // SM's client: errors.Wrap(ErrRunningTasks, <server message>), printed without the trace id.
          throw new ManagerError(`${error.message}: can't complete operation because tasks are running`, {
            cause: error,
          });
        }
        throw error;
      }
      return;
    }
    if (timed && (args["no-continue"] || args["suspend-policy"])) {
      throw new ValidationError("can't use --no-continue or --suspend-policy together with --duration");
    }
    const body = { type: "suspend", ...buildScheduleFields(args, { create: true, now: Date.now() }), properties };
    const id = await createTask(api, cluster, body);
    io.stdout(`suspend/${id}\n`);
  },
});
