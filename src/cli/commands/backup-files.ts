/**
 * `sctool backup files`.
 * @module
 */
import { defineCommand } from "citty";
import { listBackupFiles } from "../../clients/manager-api/backups.ts";
import { ValidationError } from "../../errors.ts";
import { getCliContext } from "../context.ts";
import { clusterArg, requireCluster } from "../globals.ts";
import { renderBackupFiles } from "./backup-list-render.ts";
import { keyspaceArg, listFlag, locationArg } from "./backup-read-flags.ts";

/** The `backup files` command. */
export const backupFilesCommand = defineCommand({
  meta: {
    name: "files",
    description:
      "List contents of a given backup\n\nThis command lists files that were uploaded during backup procedure.\nIt outputs the remote paths of files together with keyspace/table information separated by delimiter that you provide.",
  },
  args: {
    ...clusterArg,
    ...locationArg,
    ...keyspaceArg,
    "all-clusters": { type: "boolean", description: "Shows backups for all clusters." },
    delimiter: {
      type: "string",
      alias: "d",
      default: "\t",
      description:
        "Dictates which character will be used as a whitespace between remote file path and information about keyspace and table.",
    },
    "snapshot-tag": {
      type: "string",
      alias: "T",
      valueHint: "tag",
      description: "Snapshot `tag` as read from the backup listing.",
    },
    "with-version": { type: "boolean", description: "Renders table names with version UUID." },
  },
  async run(ctx) {
    const { io, client, globals } = getCliContext(ctx);
    const cluster = requireCluster(globals);
    const tag = typeof ctx.args["snapshot-tag"] === "string" ? ctx.args["snapshot-tag"] : "";
    if (tag === "") throw new ValidationError('required flag(s) "snapshot-tag" not set');
    const allClusters = ctx.args["all-clusters"] === true;
    const notice = setTimeout(
      () => io.stderr("NOTICE: this may take a while, we are reading metadata from backup location(s)\n"),
      5_000,
    );
    try {
      const infos = await listBackupFiles(client(), cluster, {
        locations: listFlag(ctx.args.location),
        keyspace: listFlag(ctx.args.keyspace),
        queryClusterId: allClusters ? undefined : cluster,
        snapshotTag: tag,
      });
      const delimiter = typeof ctx.args.delimiter === "string" ? ctx.args.delimiter : "\t";
      io.stdout(renderBackupFiles(infos, { delimiter, withVersion: ctx.args["with-version"] === true }));
    } finally {
      clearTimeout(notice);
    }
  },
});
