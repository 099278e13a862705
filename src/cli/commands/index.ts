/**
 * sctool's commands by name, loaded on demand. To add one: one line `name: () => import("./x.ts").then((m) => m.xCommand),`.
 * @module
 */
import type { CommandLoader } from "../command.ts";

/** Top-level commands (sub-commands hang off their parent's `subCommands`). */
export const commands: Record<string, CommandLoader> = {
  completion: () => import("./completion.ts").then((m) => m.completionCommand),
  version: () => import("./version.ts").then((m) => m.versionCommand),
  cluster: () => import("./cluster.ts").then((m) => m.clusterCommand),
  status: () => import("./status.ts").then((m) => m.statusCommand),
  tasks: () => import("./tasks.ts").then((m) => m.tasksCommand),
  info: () => import("./info.ts").then((m) => m.infoCommand),
  start: () => import("./start.ts").then((m) => m.startCommand),
  stop: () => import("./stop.ts").then((m) => m.stopCommand),
  suspend: () => import("./suspend.ts").then((m) => m.suspendCommand),
  resume: () => import("./resume.ts").then((m) => m.resumeCommand),
  progress: () => import("./progress.ts").then((m) => m.progressCommand),
  repair: () => import("./repair.ts").then((m) => m.repairCommand),
  task: () => import("./task.ts").then((m) => m.taskCommand),
  restore: () => import("./restore.ts").then((m) => m.restoreCommand),
  backup: () => import("./backup.ts").then((m) => m.backupCommand),
};
