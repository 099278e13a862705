/**
 * `sctool restore update -c <cluster> [restore/<id|name>] + restore flags`: changes batch size, parallel,
 * transfers, rate limits, compaction, CPU pinning, method and the schedule; the flags that define what is restored
 * are refused.
 * @module
 */
import { defineCommand } from "citty";
import { restoreArgs, runRestoreUpdate } from "./restore.ts";

/** The `restore update` command. */
export const restoreUpdateCommand = defineCommand({
  meta: { name: "update", description: "Modify properties of the existing restore task" },
  args: {
    ...restoreArgs,
    task: { type: "positional", required: false, valueHint: "restore/task-id", description: "The restore task" },
  },
  async run(ctx) {
    await runRestoreUpdate(ctx);
  },
});
