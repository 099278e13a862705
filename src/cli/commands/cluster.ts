/**
 * `sctool cluster add|list|update|delete`.
 * @module
 */
import { defineCommand } from "citty";

/** The `cluster` command group. */
export const clusterCommand = defineCommand({
  meta: { name: "cluster", description: "Add or delete clusters" },
  subCommands: {
    add: () => import("./cluster-add.ts").then((m) => m.clusterAddCommand),
    delete: () => import("./cluster-delete.ts").then((m) => m.clusterDeleteCommand),
    list: () => import("./cluster-list.ts").then((m) => m.clusterListCommand),
    update: () => import("./cluster-update.ts").then((m) => m.clusterUpdateCommand),
  },
});
