/**
 * `scylla-manager backup --host IP --auth-token T -L <location> [flags]`: a one-shot backup in this process (no
 * daemon, no store): connects through the node's agent, plans (`--dry-run` prints the keyspaces, hosts and
 * locations), runs with live progress and an ETA on stderr, prints the snapshot tag. Ctrl-C stops the run.
 * @module
 */
import { Backup, type BackupOptions } from "../../backup/backup.ts";
import { formatEta } from "../../util/eta.ts";
import { formatSize } from "../output/format.ts";
import {
  CONNECTION_USAGE,
  type FlagValues,
  type OneShotIo,
  onInterrupt,
  parseOneShotArgs,
  processIo,
  progressLine,
  splitList,
  withOneShotCluster,
} from "./common.ts";

const USAGE = `Usage: scylla-manager backup --host <IP> --auth-token <token> -L <location> [flags]

A one-shot backup run in this process (no server needed).

Flags:
${CONNECTION_USAGE}
  -L, --location list             [<dc>:]<provider>:<bucket> locations
  -K, --keyspace list             keyspace/table glob patterns
      --dc list                   datacenter glob patterns
      --retention int             backups of this task to keep (default 3)
      --retention-days int        days to keep backups of this task (default 0)
      --rate-limit list           [<dc>:]MiB/s per node, 0 = unlimited (default 100)
      --transfers int             parallel file transfers per node, -1 = the agent's setting (default -1)
      --skip-schema               do not back up the schema
      --task-id uuid              the task the backup belongs to (bucket paths, retention); default a new one
      --cluster-id uuid           the cluster ID in the bucket layout; default derived from the nodes' host IDs
      --dry-run                   print the plan, back up nothing
`;

const FLAGS = {
  location: { type: "string", short: "L" },
  keyspace: { type: "string", short: "K" },
  dc: { type: "string" },
  retention: { type: "string" },
  "retention-days": { type: "string" },
  "rate-limit": { type: "string" },
  transfers: { type: "string" },
  "skip-schema": { type: "boolean" },
  "task-id": { type: "string" },
  "cluster-id": { type: "string" },
  "dry-run": { type: "boolean" },
} as const;

function backupOptions(values: FlagValues): BackupOptions {
  const s = (k: string) => values[k] as string | undefined;
  const options: BackupOptions = { location: splitList(s("location") ?? "") };
  if (s("keyspace") !== undefined) options.keyspace = splitList(s("keyspace") ?? "");
  if (s("dc") !== undefined) options.dc = splitList(s("dc") ?? "");
  if (s("retention") !== undefined) options.retention = Number(s("retention"));
  if (s("retention-days") !== undefined) options.retentionDays = Number(s("retention-days"));
  if (s("rate-limit") !== undefined) options.rateLimit = splitList(s("rate-limit") ?? "");
  if (s("transfers") !== undefined) options.transfers = Number(s("transfers"));
  if (values["skip-schema"]) options.skipSchema = true;
  if (s("task-id") !== undefined) options.taskId = s("task-id");
  if (s("cluster-id") !== undefined) options.clusterId = s("cluster-id");
  return options;
}

/** Runs the one-shot backup; resolves to the exit code. */
export async function runOneShotBackup(argv: readonly string[], io: OneShotIo = processIo): Promise<number> {
  const values = parseOneShotArgs(argv, FLAGS, USAGE, io, ["host", "location"]);
  if (typeof values === "number") return values;
  const options = backupOptions(values);
  return withOneShotCluster(values, io, async (cluster) => {
    const backup = await Backup.plan(cluster, options);
    const t = backup.target;
    if (values["dry-run"]) {
      io.stdout(`Data Centers:\n${t.dcs.map((d) => `  - ${d}\n`).join("")}\nKeyspaces:\n`);
      for (const u of t.units) io.stdout(`  - ${u.keyspace} (${u.tables.join(", ")})\n`);
      io.stdout(
        `\nHosts:\n${t.hosts.map((h) => `  - ${h.ip} (${h.dc}) -> ${h.location.provider}:${h.location.bucket}\n`).join("")}`,
      );
      if (t.downHosts.length > 0) io.stdout(`\nSkipped (down):\n${t.downHosts.map((h) => `  - ${h}\n`).join("")}`);
      return 0;
    }
    const controller = new AbortController();
    const stopMessage = "Stopping (the run can be resumed with the same --task-id and a store)";
    const dispose = onInterrupt(io, stopMessage, () => controller.abort(new Error("backup stopped by the user")));
    const line = progressLine(io, 100);
    backup.on("progress", (e) => {
      const p = e.progress;
      const pct = p.size > 0 ? Math.floor(((p.uploaded + p.skipped) * 100) / p.size) : 0;
      const text = `backup ${e.snapshotTag} ${e.stage}: ${pct}%  ${formatSize(p.uploaded)} uploaded, ${formatSize(p.skipped)} deduplicated of ${formatSize(p.size)}  ETA ${formatEta(e.etaSeconds)}`;
      line.update(text, e.stage === "DONE");
    });
    io.stderr(`Backing up ${t.units.length} keyspaces from ${t.hosts.length} nodes (task ${backup.taskId})\n`);
    try {
      const result = await backup.run({ signal: controller.signal });
      line.done();
      io.stdout(
        `Backup done: ${result.snapshotTag}, ${formatSize(result.progress.size)} (${formatSize(result.progress.skipped)} deduplicated)\n`,
      );
      return 0;
    } finally {
      dispose();
    }
  });
}
