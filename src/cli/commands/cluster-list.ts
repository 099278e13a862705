/**
 * `sctool cluster list`.
 * @module
 */
import { defineCommand } from "citty";
import { listClusters } from "../../clients/manager-api/clusters.ts";
import { getCliContext } from "../context.ts";
import { renderClusterList } from "./cluster-render.ts";
import { drawTable } from "./cluster-table.ts";

/** The `cluster list` command. */
export const clusterListCommand = defineCommand({
  meta: { name: "list", description: "Show managed clusters\n\nThis command displays a list of managed clusters." },
  async run(ctx) {
    const { io, client } = getCliContext(ctx);
    const clusters = await listClusters(client());
    io.stdout(renderClusterList(clusters, (header, rows) => drawTable(header, rows, io.env)));
  },
});
