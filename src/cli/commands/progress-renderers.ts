/**
 * Per-type bodies of `sctool progress`, printed under the common run header. To add one: one line
 * `repair: () => import("./repair-progress.ts").then((m) => m.renderRepairProgress),`.
 * @module
 */
import type { ApiRunProgress } from "../../clients/manager-api/tasks.ts";

/** What a per-type progress renderer gets. */
export interface ProgressRenderInput {
  answer: ApiRunProgress;
  details: boolean;
  hosts: string[];
  keyspaces: string[];
  env: Record<string, string | undefined>;
}

/** What a renderer returns: `title` printed above the common header (SM's "Restore progress"), `body` under it. */
export interface ProgressRendered {
  title?: string;
  stage?: string;
  body: string;
}

/** A per-type renderer (may be async, e.g. to load another type's renderer for an embedded progress). */
export type ProgressRenderer = (input: ProgressRenderInput) => ProgressRendered | Promise<ProgressRendered>;

/** Per-type progress renderers, loaded on demand. */
export const PROGRESS_RENDERERS: Record<string, () => Promise<ProgressRenderer>> = {
  repair: () => import("./progress-repair.ts").then((m) => m.renderRepairProgress),
  restore: () => import("./progress-restore.ts").then((m) => m.renderRestoreProgress),
  backup: () => import("./progress-backup.ts").then((m) => m.renderBackupProgress),
  validate_backup: () => import("./progress-validate-backup.ts").then((m) => m.renderValidateBackupProgress),
  tablet_repair: () => import("./progress-tablet-repair.ts").then((m) => m.renderTabletRepairProgress),
  "1_1_restore": () => import("./progress-one2one.ts").then((m) => m.renderOne2OneProgress),
};
