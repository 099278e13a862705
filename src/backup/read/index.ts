/**
 * The read side of backups: list, files, delete, schema (SM's `Service.List`, `ListFiles`, `DeleteSnapshot`,
 * `GetSchema`) over any cluster access (the daemon's or the library's).
 * @module
 */
export * from "./access.ts";
export * from "./delete.ts";
export * from "./list-backups.ts";
export * from "./list-files.ts";
export * from "./manifests.ts";
export * from "./schema.ts";
