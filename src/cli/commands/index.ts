/**
 * sctool's commands by name, loaded on demand; their names and descriptions are in meta.ts, so help lists them
 * without loading any. To add one: its entry in meta.ts (used as the command's `meta`) and one line here.
 * @module
 */
import { type CommandLoader, lazyCommand } from "../command.ts";
import { commandMeta } from "./meta.ts";

/** Top-level commands (sub-commands hang off their parent's `subCommands`). */
export const commands: Record<string, CommandLoader> = {
  completion: lazyCommand(commandMeta.completion, () => import("./completion.ts").then((m) => m.completionCommand)),
  version: lazyCommand(commandMeta.version, () => import("./version.ts").then((m) => m.versionCommand)),
  cluster: lazyCommand(commandMeta.cluster, () => import("./cluster.ts").then((m) => m.clusterCommand)),
  status: lazyCommand(commandMeta.status, () => import("./status.ts").then((m) => m.statusCommand)),
  tasks: lazyCommand(commandMeta.tasks, () => import("./tasks.ts").then((m) => m.tasksCommand)),
  info: lazyCommand(commandMeta.info, () => import("./info.ts").then((m) => m.infoCommand)),
  start: lazyCommand(commandMeta.start, () => import("./start.ts").then((m) => m.startCommand)),
  stop: lazyCommand(commandMeta.stop, () => import("./stop.ts").then((m) => m.stopCommand)),
  suspend: lazyCommand(commandMeta.suspend, () => import("./suspend.ts").then((m) => m.suspendCommand)),
  resume: lazyCommand(commandMeta.resume, () => import("./resume.ts").then((m) => m.resumeCommand)),
  progress: lazyCommand(commandMeta.progress, () => import("./progress.ts").then((m) => m.progressCommand)),
  repair: lazyCommand(commandMeta.repair, () => import("./repair.ts").then((m) => m.repairCommand)),
  task: lazyCommand(commandMeta.task, () => import("./task.ts").then((m) => m.taskCommand)),
  restore: lazyCommand(commandMeta.restore, () => import("./restore.ts").then((m) => m.restoreCommand)),
  backup: lazyCommand(commandMeta.backup, () => import("./backup.ts").then((m) => m.backupCommand)),
};
