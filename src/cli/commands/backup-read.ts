/**
 * The read-side sub-commands of `sctool backup` (list, files, delete, validate); spread into the `backup` command's
 * `subCommands`.
 * @module
 */
export const backupReadSubCommands = {
  list: () => import("./backup-list.ts").then((m) => m.backupListCommand),
  files: () => import("./backup-files.ts").then((m) => m.backupFilesCommand),
  delete: () => import("./backup-delete.ts").then((m) => m.backupDeleteCommand),
  validate: () => import("./backup-validate.ts").then((m) => m.backupValidateCommand),
};
