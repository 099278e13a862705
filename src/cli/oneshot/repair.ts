/**
 * `scylla-manager repair --host IP --auth-token T [flags]`: a one-shot repair in this process (no daemon, no
 * store): connects through the node's agent, plans (`--dry-run` prints the target and the plan's order), runs with
 * live progress and an ETA on stderr, prints a summary. Ctrl-C stops gracefully (jobs in flight get
 * `--graceful-stop-timeout`), a second Ctrl-C aborts at once.
 * @module
 */
import { errorMessage } from "../../errors.ts";
import { planTables } from "../../repair/plan.ts";
import { Repair, type RepairOptions } from "../../repair/repair.ts";
import { formatEta } from "../../util/eta.ts";
import { parseByteCount } from "../commands/repair.ts";
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

const USAGE = `Usage: scylla-manager repair --host <IP> --auth-token <token> [flags]

A one-shot repair run in this process (no server needed).

Flags:
${CONNECTION_USAGE}
  -K, --keyspace list             keyspace/table glob patterns (default '*,!system_traces')
      --dc list                   datacenter glob patterns
      --node string               repair only the ranges replicated by this node (sctool's --host)
      --intensity float           token ranges per node at once, 0 = max (default 1)
      --parallel int              jobs at once, 0 = max (default 0)
      --small-table-threshold s   tables below it are repaired in one job (default 1GiB)
      --strategy string           precedence (default) or table-by-table (SM's order)
      --ignore-down-hosts         do not repair nodes that are down
      --fail-fast                 stop on the first error
      --graceful-stop-timeout s   seconds jobs in flight get after Ctrl-C (default 30)
      --dry-run                   print the target and the order, do not repair
`;

const FLAGS = {
  keyspace: { type: "string", short: "K" },
  dc: { type: "string" },
  node: { type: "string" },
  intensity: { type: "string" },
  parallel: { type: "string" },
  "small-table-threshold": { type: "string" },
  strategy: { type: "string" },
  "ignore-down-hosts": { type: "boolean" },
  "fail-fast": { type: "boolean" },
  "graceful-stop-timeout": { type: "string" },
  "dry-run": { type: "boolean" },
} as const;

function repairOptions(values: FlagValues): RepairOptions {
  const s = (k: string) => values[k] as string | undefined;
  const options: RepairOptions = {};
  if (s("keyspace") !== undefined) options.keyspace = splitList(s("keyspace") ?? "");
  if (s("dc") !== undefined) options.dc = splitList(s("dc") ?? "");
  if (s("node") !== undefined) options.host = s("node");
  if (s("intensity") !== undefined) options.intensity = Number(s("intensity"));
  if (s("parallel") !== undefined) options.parallel = Number(s("parallel"));
  if (s("small-table-threshold") !== undefined) {
    options.smallTableThreshold = parseByteCount(s("small-table-threshold") ?? "");
  }
  // Any string: Repair.plan refuses an unknown strategy with the list of known ones.
  if (s("strategy") !== undefined) options.strategy = s("strategy") as RepairOptions["strategy"];
  if (values["ignore-down-hosts"]) options.ignoreDownHosts = true;
  if (values["fail-fast"]) options.failFast = true;
  options.gracefulStopTimeoutMs = Number(s("graceful-stop-timeout") ?? "30") * 1000;
  return options;
}

/** Runs the one-shot repair; resolves to the exit code. */
export async function runOneShotRepair(argv: readonly string[], io: OneShotIo = processIo): Promise<number> {
  const values = parseOneShotArgs(argv, FLAGS, USAGE, io);
  if (typeof values === "number") return values;
  let options: RepairOptions;
  try {
    options = repairOptions(values);
  } catch (error) {
    io.stderr(`Error: ${errorMessage(error)}\n`);
    return 1;
  }
  return withOneShotCluster(values, io, async (cluster) => {
    const repair = await Repair.plan(cluster, options);
    const tables = planTables(repair.plan);
    if (values["dry-run"]) {
      io.stdout(`Data Centers:\n${repair.target.dc.map((d) => `  - ${d}\n`).join("")}\nKeyspaces:\n`);
      for (const u of repair.target.units) io.stdout(`  - ${u.keyspace} (${u.tables.join(", ")})\n`);
      io.stdout(`\nOrder (${tables.length} tables, max parallel ${repair.plan.maxParallel}):\n`);
      tables.forEach((t, i) => {
        io.stdout(
          `  ${i + 1}. ${t.keyspace}.${t.table} size ${t.size}${t.small ? " small" : ""}${t.tablet ? " tablet" : ""}\n`,
        );
      });
      return 0;
    }
    const controller = new AbortController();
    const stopMessage = "Stopping: jobs in flight may finish (Ctrl-C again to abort now)";
    const dispose = onInterrupt(io, stopMessage, () => controller.abort(new Error("repair stopped by the user")), true);
    const line = progressLine(io, 90);
    repair.on("progress", (e) => {
      const text = `repair: ${e.percent.toFixed(1)}%  jobs ${e.running}  ranges ok ${e.success} err ${e.error} of ${e.total}  ETA ${formatEta(e.etaSeconds)}`;
      line.update(text, e.percent >= 100);
    });
    io.stderr(
      `Repairing ${tables.length} tables on ${repair.plan.hosts.length} nodes (max parallel ${repair.plan.maxParallel})\n`,
    );
    try {
      const result = await repair.run({ signal: controller.signal });
      line.done();
      io.stdout(
        `Repair done: ${result.success}/${result.total} token ranges (per replica) in ${(result.durationMs / 1000).toFixed(1)}s, ${result.jobs} jobs, schedule ${repair.strategy}\n`,
      );
      return 0;
    } finally {
      dispose();
    }
  });
}
