/**
 * The executable's roles besides sctool: the server, the agent, doctor, the one-shot runs and import-sm, each
 * loaded only when chosen. The executable embeds this module as a bundle of its own (build.ts), so the bundle every
 * sctool command starts from holds none of their code.
 * @module
 */

/** Loaders of the roles' entry modules. */
export const roles = {
  daemon: () => import("../server/daemon.ts"),
  agent: () => import("../../agent/main.ts"),
  doctor: () => import("../doctor/doctor.ts"),
  oneShotRepair: () => import("./oneshot/repair.ts"),
  oneShotBackup: () => import("./oneshot/backup.ts"),
  importSm: () => import("../importsm/main.ts"),
};
