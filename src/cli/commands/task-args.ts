/**
 * Flags shared by the task commands.
 * @module
 */
import type { ArgsDef } from "citty";
import { clusterArg } from "../globals.ts";

/** `-c` plus the one positional task argument `<type>[/<id|name>]`. */
export const taskTargetArgs = {
  ...clusterArg,
  task: { type: "positional", required: true, valueHint: "type/task-id", description: "The task: <type>[/<id|name>]" },
} as const satisfies ArgsDef;

/** The deprecation notice of the `sctool task ...` aliases. */
export function deprecationNotice(replacement: string): string {
  return `Command "task" is deprecated, use "sctool ${replacement}" instead\n`;
}
