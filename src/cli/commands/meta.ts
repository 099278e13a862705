/**
 * The top-level commands' names and descriptions, apart from their code: `sctool --help` lists the commands from
 * here without loading a command module (each module uses its entry as its `meta`).
 * @module
 */
import type { CommandMeta } from "citty";

export const commandMeta = {
  completion: { name: "completion", description: "Generate shell completion" },
  version: {
    name: "version",
    description:
      "Show version information\n\nThis command shows the currently installed sctool version and the Scylla Manager server version.",
  },
  cluster: { name: "cluster", description: "Add or delete clusters" },
  status: {
    name: "status",
    description:
      "Show status of clusters\n\nThis command is an extended version of nodetool status.\nIt can show status for all the managed clusters.",
  },
  tasks: {
    name: "tasks",
    description:
      "Show active tasks and their last run status\n\nThis command shows all of the scheduled tasks for the specified cluster.\nIf cluster is not set this would output a table for every cluster.",
  },
  info: {
    name: "info",
    description:
      "Show task parameters and history\n\nThis command shows details about task run history for a given task.",
  },
  start: {
    name: "start",
    description: "Start executing a task\n\nThis command starts executing a task (of a given type).",
  },
  stop: { name: "stop", description: "Stop executing a task\n\nThis command stops a specified task." },
  suspend: {
    name: "suspend",
    description:
      "Stop execution of all tasks\n\nThis command stops execution of all tasks that are running on a cluster, and prevents new ones from starting.",
  },
  resume: {
    name: "resume",
    description: "Undo suspend\n\nThis command undoes the effect of suspend; scheduled tasks are executed again.",
  },
  progress: {
    name: "progress",
    description: "Show the task progress\n\nThis command shows details of the latest run (or still running) task.",
  },
  repair: {
    name: "repair",
    description:
      "Schedule a repair (ad-hoc or scheduled)\n\nThis command allows you to schedule or run ad-hoc cluster repair.\nRepair speed is controlled by two flags --parallel and --intensity.\nThe values of those flags can be adjusted while a repair is running using the control subcommand.",
  },
  task: { name: "task", description: "Deprecated: manage tasks with the top-level commands", hidden: true },
  restore: {
    name: "restore",
    description:
      "Run an ad-hoc restore of schema or tables\n\nRestore is always one of two types: restore schema ('--restore-schema' flag) or restore tables' contents ('--restore-tables' flag).",
  },
  backup: {
    name: "backup",
    description:
      "Schedule a backup (ad-hoc or scheduled)\n\nThis command allows you to schedule or run ad-hoc cluster backup.",
  },
} as const satisfies Record<string, CommandMeta>;
