/**
 * `sctool cluster delete -c <cluster>`.
 * @module
 */
import { defineCommand } from "citty";
import { deleteCluster } from "../../clients/manager-api/clusters.ts";
import { getCliContext } from "../context.ts";
import { clusterArg, requireCluster } from "../globals.ts";

/** The `cluster delete` command. */
export const clusterDeleteCommand = defineCommand({
  meta: {
    name: "delete",
    description:
      "Delete a cluster from manager\n\nThis command deletes the specified cluster from the manager.\nNote that there is no confirmation or warning to confirm.",
  },
  args: { ...clusterArg },
  async run(ctx) {
    const { client, globals } = getCliContext(ctx);
    await deleteCluster(client(), requireCluster(globals));
  },
});
