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

/** A per-type renderer: returns `{stage?, body}` printed under the common header. */
export type ProgressRenderer = (input: ProgressRenderInput) => { stage?: string; body: string };

/** Per-type progress renderers, loaded on demand. */
export const PROGRESS_RENDERERS: Record<string, () => Promise<ProgressRenderer>> = {};
