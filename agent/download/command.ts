/**
 * `scylla-manager-agent download-files`: SM's way to restore one node by hand with no server
 * (SM's `pkg/cmd/agent/download_files.go`), with SM's flags, output and exit codes:
 * `--list-nodes`, `--list-snapshots`, `--dump-manifest`, `--dump-tokens`, `--dry-run`, or the download itself.
 * Errors go to stderr as `\nSTARTUP ERROR: <err>\n\n` with exit code 1, as SM's `main.go` prints them.
 * @module
 */
import { availableParallelism } from "node:os";
import { resolve } from "node:path";
import { isSnapshotTag } from "../../src/backup/layout/index.ts";
import { isUuid } from "../../src/util/uuid.ts";
import { type FlagSpecs, flagUsage, parseFlags } from "../offline/pflag.ts";
import {
  CONFIG_FILE_FLAG,
  type CommandIo,
  commandLogger,
  LOCATION_FLAG,
  loadCommandConfig,
  locationBackend,
  parseLocationFlag,
  processIo,
  startupError,
} from "../offline/setup.ts";
import { ScyllaConfigClient, scyllaApiUrl } from "../scylla-config.ts";
import { download, planDownload } from "./downloader.ts";
import { listNodeSnapshots, listNodes, lookupManifest, type SourceLocation } from "./lookup.ts";
import { formatManifestJson, formatNodes, formatPlan, formatTokens, type TableDirMode } from "./plan.ts";
import { startProgress } from "./progress.ts";

const ACTIONS = ["dry-run", "dump-manifest", "dump-tokens", "list-snapshots", "list-nodes"] as const;

/** download-files' flags, as SM declares them. */
export const DOWNLOAD_FILES_FLAGS: FlagSpecs = {
  "config-file": CONFIG_FILE_FLAG,
  location: LOCATION_FLAG,
  "data-dir": {
    kind: "string",
    short: "d",
    usage:
      "path to Scylla data directory (typically /var/lib/scylla/data) or other directory to use for downloading the files (default current directory)",
    placeholder: "path",
  },
  keyspace: {
    kind: "list",
    short: "K",
    usage: "a comma-separated list of keyspace/tables glob patterns, e.g. 'keyspace,!keyspace.table_prefix_*'",
    placeholder: "list",
  },
  mode: {
    kind: "string",
    usage:
      "mode changes resulting directory structure, supported values are: upload, sstableloader, set 'upload' to use table upload directories, set 'sstableloader' for <keyspace>/<table> directories layout",
    placeholder: "upload, sstableloader",
    check: (v) => {
      if (v !== "" && v !== "upload" && v !== "sstableloader") throw new Error("unsupported table dir mode");
      return v;
    },
  },
  "clear-tables": { kind: "bool", usage: "remove sstables before downloading" },
  "dry-run": { kind: "bool", usage: "validate and print a plan without downloading (or clearing) any files" },
  node: {
    kind: "string",
    short: "n",
    usage: "'Host ID' value from nodetool status command output of a node you want to restore (default local node)",
    placeholder: "ID",
    check: (v) => {
      if (!isUuid(v)) throw new Error(`invalid UUID ${JSON.stringify(v)}`);
      return v.toLowerCase();
    },
  },
  "snapshot-tag": {
    kind: "string",
    short: "T",
    usage:
      "Scylla Manager snapshot tag as read from backup listing e.g. sm_20060102150405UTC, use --list-snapshots to get a list of snapshots of the node",
    placeholder: "tag",
    check: (v) => {
      if (!isSnapshotTag(v))
        throw new Error("not a Scylla Manager snapshot tag, expected format is sm_20060102150405UTC");
      return v;
    },
  },
  "rate-limit": { kind: "int", default: 0, usage: "rate limit in megabytes (MiB) per second (default no limit)" },
  parallel: {
    kind: "int",
    short: "p",
    default: 2 * availableParallelism(),
    usage: "how many files to download in parallel",
  },
  debug: { kind: "bool", usage: "enable debug logs" },
  "dump-manifest": { kind: "bool", usage: "print Scylla Manager backup manifest as JSON" },
  "dump-tokens": { kind: "bool", usage: "print list of tokens from the manifest" },
  "list-snapshots": {
    kind: "bool",
    usage:
      "print list of snapshots of the specified node, this also takes into account keyspace filter and returns only snapshots containing any of requested keyspaces or tables, newest snapshots are printed first",
  },
  "list-nodes": {
    kind: "bool",
    usage:
      "print list of nodes including cluster name and node IP, this command would help you find nodes you can restore data from",
  },
};

export const DOWNLOAD_FILES_USAGE = `Downloads files from backup location

Usage:
  scylla-manager-agent download-files [flags]

Flags:
${flagUsage(DOWNLOAD_FILES_FLAGS)}
`;

/** Runs `download-files` (argv without the command name); resolves to the exit code. */
export async function runDownloadFiles(argv: readonly string[], io: CommandIo = processIo): Promise<number> {
  try {
    const flags = parseFlags(argv, DOWNLOAD_FILES_FLAGS);
    if (flags.help) {
      io.out(DOWNLOAD_FILES_USAGE);
      return 0;
    }
    if (flags.args.length > 0) {
      throw new Error(
        `unexpected argument ${JSON.stringify(flags.args[0])}: keyspace patterns go to -K, comma-separated`,
      );
    }
    const v = flags.values;
    if (ACTIONS.filter((a) => v[a] === true).length > 1) {
      throw new Error(`you can specify only one of the flags: ${ACTIONS.map((a) => JSON.stringify(a)).join(", ")}`);
    }
    if ((v.parallel as number) < 1) throw new Error(`--parallel must be at least 1, got ${v.parallel}`);
    const debug = v.debug as boolean;
    const logger = commandLogger(debug, "download-files");
    const config = loadCommandConfig(v["config-file"] as string[]);
    const location = parseLocationFlag(v.location as string);
    const source: SourceLocation = {
      backend: locationBackend(config, location),
      location: { dc: location.dc, provider: location.provider as never, bucket: location.bucket },
    };
    const keyspace = flags.set.has("keyspace") ? (v.keyspace as string[]) : undefined;

    if (v["list-nodes"]) {
      io.out(formatNodes(await listNodes(source)));
      return 0;
    }

    let nodeId = v.node as string;
    if (nodeId === "") {
      try {
        nodeId = (await new ScyllaConfigClient(scyllaApiUrl(config), 10_000).hostIdLocal()).toLowerCase();
      } catch (error) {
        logger.info(`Failed to get node ID from Scylla: ${(error as Error).message}`);
        throw new Error(`could not get node ID from Scylla, set flag "node"`);
      }
    }

    if (v["list-snapshots"]) {
      for (const tag of await listNodeSnapshots(source, nodeId, keyspace)) io.out(`${tag}\n`);
      return 0;
    }

    const tag = v["snapshot-tag"] as string;
    if (tag === "") throw new Error(`required flag(s) "snapshot-tag" not set`);
    const { content, manifest } = await lookupManifest(source, nodeId, tag);
    if (v["dump-manifest"]) {
      io.out(formatManifestJson(content));
      return 0;
    }
    if (v["dump-tokens"]) {
      io.out(formatTokens(manifest));
      return 0;
    }

    const dataDirFlag = v["data-dir"] as string;
    const options = {
      source,
      dataDir: resolve(dataDirFlag),
      mode: v.mode as TableDirMode,
      keyspace,
      clearTables: v["clear-tables"] as boolean,
      parallel: v.parallel as number,
      rateLimitMiB: Math.max(0, v["rate-limit"] as number),
      logger,
    };
    if (v["dry-run"]) {
      const plan = await planDownload(manifest, options);
      io.out(formatPlan(manifest, plan, dataDirFlag === "" ? undefined : dataDirFlag));
      return 0;
    }
    const progress = debug ? undefined : startProgress(io.out, io === processIo && process.stdout.isTTY === true);
    try {
      await download(manifest, { ...options, onProgress: (p) => progress?.update(p) });
    } finally {
      progress?.stop();
    }
    return 0;
  } catch (error) {
    return startupError(io, error);
  }
}
