/**
 * `sctool status [-c]`: per cluster (all clusters without `-c`, each under `Cluster: <name> (<id>)`), the suspend
 * state when suspended, then the status tables per DC. A failing cluster prints its error and the command goes on.
 * @module
 */
import { defineCommand } from "citty";
import * as v from "valibot";
import { type ApiCluster, listClusters } from "../../clients/manager-api/clusters.ts";
import { getClusterStatus } from "../../clients/manager-api/status.ts";
import { errorMessage } from "../../errors.ts";
import { getCliContext } from "../context.ts";
import { clusterArg } from "../globals.ts";
import { drawTable, formatBytes } from "./cluster-table.ts";
import { commandMeta } from "./meta.ts";
import { renderClusterStatus } from "./status-render.ts";

const SuspendDetailsSchema = v.object({
  suspended: v.optional(v.boolean(), false),
  allow_task_type: v.optional(v.string(), ""),
});

/** The `status` command. */
export const statusCommand = defineCommand({
  meta: commandMeta.status,
  args: { ...clusterArg },
  async run(ctx) {
    const { io, client, globals } = getCliContext(ctx);
    const api = client();
    const table = (header: string[], rows: string[][]) => drawTable(header, rows, io.env);
    const targets: { id: string; label?: string }[] =
      globals.cluster !== undefined
        ? [{ id: globals.cluster }]
        : // SM formats `Cluster: <name> (<id>)`; a cluster without a name shows its ID in the name's place.
          (await listClusters(api)).map((cluster: ApiCluster) => ({
            id: cluster.id,
            label: `Cluster: ${cluster.name || cluster.id} (${cluster.id})\n`,
          }));
    for (const target of targets) {
      if (target.label) io.stdout(target.label);
      try {
        const details = v.safeParse(
          SuspendDetailsSchema,
          await api.request("GET", `/cluster/${encodeURIComponent(target.id)}/suspended/details`).catch(() => ({})),
        );
        if (details.success && details.output.suspended) {
          io.stdout(
            table(["Cluster ID", "Suspended", "Allowed Task"], [[target.id, "true", details.output.allow_task_type]]),
          );
        }
        io.stdout(renderClusterStatus(await getClusterStatus(api, target.id), table, formatBytes));
      } catch (error) {
        if (targets.length === 1) throw error;
        io.stdout(`Error: ${errorMessage(error)}\n`);
      }
    }
  },
});
