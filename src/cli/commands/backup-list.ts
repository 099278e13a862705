/**
 * `sctool backup list`.
 * @module
 */
import { defineCommand } from "citty";
import { listBackups } from "../../clients/manager-api/backups.ts";
import { getCliContext } from "../context.ts";
import { clusterArg, requireCluster } from "../globals.ts";
import { renderBackupList } from "./backup-list-render.ts";
import { keyspaceArg, listFlag, locationArg, parseTimeFlag } from "./backup-read-flags.ts";

/** The `backup list` command. */
export const backupListCommand = defineCommand({
  meta: {
    name: "list",
    description:
      "List backups\n\nThis command allow you to list backups from given locations. The command works per cluster and all the locations listed with the `--location` flag must be accessible from the cluster specified with the `--cluster` flag.\nThis cluster serves as the coordinator for all these checks. If the Scylla Manager Agent's of given cluster is not able to reach the location, the command will fail.",
  },
  args: {
    ...clusterArg,
    ...locationArg,
    ...keyspaceArg,
    "all-clusters": {
      type: "boolean",
      description:
        "Shows backups for all clusters. Useful for listing clusters that are no longer available locally but are backed up in the past to remote location.",
    },
    "min-date": {
      type: "string",
      valueHint: "date",
      description:
        "Specifies minimal snapshot `date` expressed in RFC3339 form or 'now[+duration]', ex. 'now+3d2h10m'.",
    },
    "max-date": {
      type: "string",
      valueHint: "date",
      description:
        "Specifies maximal snapshot `date` expressed in RFC3339 form or 'now[+duration]', ex. 'now+3d2h10m'.",
    },
    "show-tables": { type: "boolean", description: "Prints table names together with keyspace." },
  },
  async run(ctx) {
    const { io, client, globals } = getCliContext(ctx);
    const cluster = requireCluster(globals);
    const allClusters = ctx.args["all-clusters"] === true;
    const notice = setTimeout(
      () => io.stderr("NOTICE: this may take a while, we are reading metadata from backup location(s)\n"),
      5_000,
    );
    try {
      const items = await listBackups(client(), cluster, {
        locations: listFlag(ctx.args.location),
        keyspace: listFlag(ctx.args.keyspace),
        queryClusterId: allClusters ? undefined : cluster,
        minDate: parseTimeFlag("min-date", ctx.args["min-date"]),
        maxDate: parseTimeFlag("max-date", ctx.args["max-date"]),
      });
      io.stdout(renderBackupList(items, { allClusters, showTables: ctx.args["show-tables"] === true }));
    } finally {
      clearTimeout(notice);
    }
  },
});
