/**
 * `sctool restore 1-1-restore -c <cluster> -L <locations> -T <tag> --source-cluster-id <id> --nodes-mapping <file>`
 * and `restore 1-1-restore update` (SM's `pkg/command/one2onerestore/cmd.go`): builds the `1_1_restore` task from
 * the flags (the mapping file read and checked here, in SM's words) and creates it, or updates an existing one, where
 * only `--unpin-agent-cpu` and the schedule may change.
 * @module
 */
import { defineCommand } from "citty";
import { createTask, getTask, updateTask } from "../../clients/manager-api/tasks.ts";
import { ValidationError } from "../../errors.ts";
import { parseNodesMapping } from "../../restore/one2one/mapping-file.ts";
import { readTextFile } from "../../util/read-file.ts";
import { getCliContext } from "../context.ts";
import { clusterArg, requireCluster } from "../globals.ts";
import { inProcessArgs } from "./restore-local-flags.ts";
import { resolveTask } from "./task-resolve.ts";
import { buildScheduleFields, scheduleArgs, scheduleFlagsGiven } from "./task-schedule.ts";

const TYPE = "1_1_restore";

/** Flags of `restore 1-1-restore` (SM's names and shorthands). */
export const one2OneArgs = {
  ...clusterArg,
  ...scheduleArgs,
  location: {
    type: "string",
    alias: "L",
    description:
      "Backup locations [<dc>:]<provider>:<bucket>, comma-separated (the DC is ignored: the mapping decides).",
  },
  keyspace: { type: "string", alias: "K", description: "Keyspaces to restore, comma-separated (default all)." },
  "snapshot-tag": { type: "string", alias: "T", description: "Snapshot tag of the restored backup." },
  "source-cluster-id": { type: "string", description: "Cluster ID of the backup cluster." },
  "nodes-mapping": {
    type: "string",
    description:
      "Path to a file with lines <source_dc>:<source_rack>:<source_host_id>=<destination_dc>:<destination_rack>:<destination_host_id>.",
  },
  "unpin-agent-cpu": { type: "boolean", description: "Unpin the agent from CPUs during restore." },
  "dry-run": { type: "boolean", description: "Validate and display restore information without running it." },
  ...inProcessArgs,
} as const;

const REQUIRED = ["location", "snapshot-tag", "source-cluster-id", "nodes-mapping"];
const UPDATABLE = new Set(["unpin-agent-cpu"]);
const PROPERTY_FLAGS = [...REQUIRED, "keyspace", "unpin-agent-cpu"];
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

const list = (value: string) =>
  value
    .split(",")
    .map((s) => s.trim())
    .filter(Boolean);

/** The properties the given flags set; throws SM's errors for forbidden updates and bad values. */
export function one2OnePropertiesFromFlags(args: Record<string, unknown>, update: boolean): Record<string, unknown> {
  const given = (flag: string) => args[flag] !== undefined;
  if (!update) {
    const missing = REQUIRED.filter((f) => !given(f));
    if (missing.length > 0) throw new ValidationError(`required flag(s) ${missing.join(", ")} not set`);
  }
  const props: Record<string, unknown> = {};
  for (const flag of PROPERTY_FLAGS) {
    if (!given(flag)) continue;
    if (update && !UPDATABLE.has(flag)) {
      throw new ValidationError(
        `updating one2onerestore task's '--${flag}' flag is forbidden. For this purpose, please create a new task with given properties`,
      );
    }
    const value = String(args[flag]);
    switch (flag) {
      case "location":
      case "keyspace":
        props[flag] = list(value);
        break;
      case "snapshot-tag":
        props.snapshot_tag = value;
        break;
      case "source-cluster-id":
        if (!UUID.test(value.trim())) {
          throw new ValidationError(`invalid argument "${value}" for "--source-cluster-id" flag: not a UUID`);
        }
        props.source_cluster_id = value.trim().toLowerCase();
        break;
      case "nodes-mapping": {
        const text = readTextFile(value, (reason) => {
          throw new ValidationError(`invalid argument "${value}" for "--nodes-mapping" flag: open a file: ${reason}`);
        });
        try {
          props.nodes_mapping = parseNodesMapping(text);
        } catch (error) {
          throw new ValidationError(
            `invalid argument "${value}" for "--nodes-mapping" flag: ${error instanceof Error ? error.message : String(error)}`,
          );
        }
        break;
      }
      case "unpin-agent-cpu":
        props.unpin_agent_cpu = args[flag] === true || args[flag] === "true";
        break;
    }
  }
  return props;
}

async function runOne2OneCommand(rawCtx: unknown, update: boolean): Promise<void> {
  const ctx = rawCtx as { args: Record<string, unknown> };
  const { io, client, globals } = getCliContext(rawCtx as Parameters<typeof getCliContext>[0]);
  const args = ctx.args;
  if (args["in-process"] === true && !update) {
    const { runInProcessOne2One } = await import("./restore-one2one-local.ts");
    await runInProcessOne2One(io, args, one2OnePropertiesFromFlags(args, false));
    return;
  }
  const cluster = requireCluster(globals);
  const props = one2OnePropertiesFromFlags(args, update);
  if (args["dry-run"]) {
    io.stderr("NOTICE: dry run mode, one2onerestore is not yet implemented\n\n");
    return;
  }
  const api = client();
  if (update) {
    const resolved = await resolveTask(
      api,
      cluster,
      typeof args.task === "string" && args.task !== "" ? args.task : TYPE,
    );
    if (resolved.type !== TYPE) throw new ValidationError(`can't handle ${resolved.type} task`);
    const existing = await getTask(api, cluster, TYPE, resolved.id);
    if (Object.keys(props).length === 0 && !scheduleFlagsGiven(args)) throw new ValidationError("nothing to do");
    const task = {
      type: TYPE,
      name: existing.name,
      labels: existing.labels ?? {},
      enabled: existing.enabled,
      ...buildScheduleFields(args, {
        create: false,
        now: Date.now(),
        existing: { schedule: existing.schedule, labels: existing.labels },
      }),
      properties: { ...((existing.properties as Record<string, unknown>) ?? {}), ...props },
    };
    await updateTask(api, cluster, TYPE, resolved.id, task);
    io.stdout(`${TYPE}/${existing.name || resolved.id}\n`);
    return;
  }
  const task: Record<string, unknown> = {
    type: TYPE,
    ...buildScheduleFields(args, { create: true, now: Date.now() }),
    properties: props,
  };
  const id = await createTask(api, cluster, task);
  io.stdout(`${TYPE}/${(task.name as string | undefined) || id}\n`);
}

/** The `restore 1-1-restore update` command. */
const one2OneUpdateCommand = defineCommand({
  meta: { name: "update", description: "Modify properties of the existing 1-1-restore task" },
  args: {
    ...one2OneArgs,
    task: { type: "positional", required: false, valueHint: "1_1_restore/task-id", description: "The task" },
  },
  async run(ctx) {
    await runOne2OneCommand(ctx, true);
  },
});

/** The `restore 1-1-restore` command. */
export const one2OneRestoreCommand = defineCommand({
  meta: {
    name: "1-1-restore",
    description:
      "Run an ad-hoc restore of tables to a cluster that mirrors the topology (DCs, racks, nodes structure and tokens) of a backup cluster.",
  },
  args: one2OneArgs,
  subCommands: { update: () => Promise.resolve(one2OneUpdateCommand) },
  async run(ctx) {
    await runOne2OneCommand(ctx, false);
  },
});
