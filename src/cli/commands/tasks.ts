/**
 * `sctool tasks [-c] [-a] [--show-ids] [--show-properties] [-s status] [-t type] [--sort key]`.
 * @module
 */
import { defineCommand } from "citty";
import { listClusters } from "../../clients/manager-api/clusters.ts";
import { listTasks } from "../../clients/manager-api/tasks.ts";
import { errorMessage, ValidationError } from "../../errors.ts";
import { TASK_STATUSES } from "../../scheduler/model.ts";
import { getCliContext } from "../context.ts";
import { clusterArg } from "../globals.ts";
import { useAsciiTables } from "../output/table.ts";
import { commandMeta } from "./meta.ts";
import { renderTasksTable } from "./tasks-render.ts";

const SORT_KEYS = ["next-activation", "status"] as const;

/** The `tasks` command. */
export const tasksCommand = defineCommand({
  meta: commandMeta.tasks,
  args: {
    ...clusterArg,
    all: {
      type: "boolean",
      alias: "a",
      description: "Lists all tasks, including those which have been disabled, disabled tasks are prefixed with '*'.",
    },
    "show-ids": { type: "boolean", description: "Always display task UUID, do not show task names." },
    "show-properties": { type: "boolean", description: "Additionally display task properties." },
    sort: { type: "string", description: "Sort key: 'next-activation', 'status'." },
    status: {
      type: "string",
      alias: "s",
      description: `Filters tasks according to their last run status: ${TASK_STATUSES.join(", ")}.`,
    },
    type: { type: "string", alias: "t", description: "Display only tasks of a given type." },
  },
  async run(ctx) {
    const { io, client, globals } = getCliContext(ctx);
    const { args } = ctx;
    const status = args.status || undefined;
    if (status !== undefined && !TASK_STATUSES.includes(status as never)) {
      throw new ValidationError(`invalid status "${status}"`, { hint: `use one of ${TASK_STATUSES.join(", ")}` });
    }
    const sort = args.sort || undefined;
    if (sort !== undefined && !(SORT_KEYS as readonly string[]).includes(sort)) {
      throw new ValidationError(`invalid sort key "${sort}"`, { hint: `use one of ${SORT_KEYS.join(", ")}` });
    }
    const api = client();
    const targets =
      globals.cluster !== undefined
        ? [{ id: globals.cluster, label: "" }]
        : (await listClusters(api)).map((c) => ({ id: c.id, label: `Cluster: ${c.name || c.id} (${c.id})\n` }));
    for (const target of targets) {
      io.stdout(target.label);
      try {
        const tasks = await listTasks(api, target.id, { all: args.all, type: args.type || undefined, status });
        io.stdout(
          renderTasksTable(tasks, {
            all: args.all,
            showIds: args["show-ids"],
            showProperties: args["show-properties"],
            sort: sort as (typeof SORT_KEYS)[number] | undefined,
            now: Date.now(),
            ascii: useAsciiTables(io.env),
          }),
        );
      } catch (error) {
        // As SM over every cluster: the error goes under that cluster's line and the others are still listed.
        // With -c SM prints it the same way and exits 0; we fail the command instead (exit 1, stderr).
        if (globals.cluster !== undefined) throw error;
        io.stdout(`Error: ${errorMessage(error)}\n`);
      }
    }
  },
});
