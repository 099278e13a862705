/**
 * `sctool resume -c <cluster> [--start-tasks] [--start-tasks-missed-activation] [--no-continue]`.
 * @module
 */
import { defineCommand } from "citty";
import { resumeCluster } from "../../clients/manager-api/suspend.ts";
import { getCliContext } from "../context.ts";
import { clusterArg, requireCluster } from "../globals.ts";
import { commandMeta } from "./meta.ts";

/** The `resume` command. */
export const resumeCommand = defineCommand({
  meta: commandMeta.resume,
  args: {
    ...clusterArg,
    "start-tasks": { type: "boolean", description: "Start tasks that were stopped by the suspend command." },
    "start-tasks-missed-activation": {
      type: "boolean",
      description: "Start tasks whose activation was missed while the cluster was suspended.",
    },
    "no-continue": { type: "boolean", description: "Do not resume the last run of the started tasks." },
  },
  async run(ctx) {
    const { client, globals } = getCliContext(ctx);
    await resumeCluster(client(), requireCluster(globals), {
      startTasks: ctx.args["start-tasks"],
      startTasksMissedActivation: ctx.args["start-tasks-missed-activation"],
      noContinue: ctx.args["no-continue"],
    });
  },
});
