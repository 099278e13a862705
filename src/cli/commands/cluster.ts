/**
 * `sctool cluster add|list|update|delete`.
 * @module
 */
import { defineCommand } from "citty";
import { commandMeta } from "./meta.ts";

/** The `cluster` command group. */
export const clusterCommand = defineCommand({
  meta: commandMeta.cluster,
  subCommands: {
    add: () => import("./cluster-add.ts").then((m) => m.clusterAddCommand),
    delete: () => import("./cluster-delete.ts").then((m) => m.clusterDeleteCommand),
    list: () => import("./cluster-list.ts").then((m) => m.clusterListCommand),
    update: () => import("./cluster-update.ts").then((m) => m.clusterUpdateCommand),
  },
});
