/**
 * `sctool backup delete`.
 * @module
 */
import { defineCommand } from "citty";
import { deleteBackupSnapshots } from "../../clients/manager-api/backups.ts";
import { ValidationError } from "../../errors.ts";
import { getCliContext } from "../context.ts";
import { clusterArg, requireCluster } from "../globals.ts";
import { listFlag, locationArg } from "./backup-read-flags.ts";

/** The `backup delete` command. */
export const backupDeleteCommand = defineCommand({
  meta: {
    name: "delete",
    description:
      "Delete backup files in remote locations\n\nThis command allows you to delete files that were uploaded during the backup procedure.\nDeduplicated files are persisted unless their reference count drops to zero.\nThe `--cluster` flag passed to the command designates the owner of the snapshot.\nIf the `--snapshot-tag` does not belong to the `--cluster`, the command will end with an error.",
  },
  args: {
    ...clusterArg,
    ...locationArg,
    "snapshot-tag": {
      type: "string",
      alias: "T",
      valueHint: "tags",
      description: "A list of snapshot `tags` separated by a comma.",
    },
  },
  async run(ctx) {
    const { io, client, globals } = getCliContext(ctx);
    const cluster = requireCluster(globals);
    const tags = listFlag(ctx.args["snapshot-tag"]);
    if (tags.length === 0) throw new ValidationError('required flag(s) "snapshot-tag" not set');
    const notice = setTimeout(
      () => io.stderr("NOTICE: this may take a while, we are reading metadata from backup location(s)\n"),
      5_000,
    );
    try {
      await deleteBackupSnapshots(client(), cluster, listFlag(ctx.args.location), tags);
    } finally {
      clearTimeout(notice);
    }
  },
});
