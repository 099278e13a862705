/**
 * `sctool restore 1-1-restore --in-process --host <node> --auth-token <token> ...` (also through the
 * `scylla-manager` executable): a one-shot 1-1 restore run in this process with the `One2OneRestore` library class,
 * no server. Live progress (tables restored, ETA) goes to stderr; the final progress is printed in SM's layout on
 * stdout. Beyond SM, which always needs its server.
 * @module
 */

import { one2OneTotals } from "../../restore/one2one/progress.ts";
import { One2OneRestore } from "../../restore/one2one/restore.ts";
import { formatEta } from "../../util/eta.ts";
import type { CliContext } from "../context.ts";
import { renderOne2OneProgress } from "./progress-one2one.ts";
import { connectInProcess, finishedRunAnswer } from "./restore-local.ts";

/** Runs the 1-1 restore described by `props` (the task's properties) in-process. */
export async function runInProcessOne2One(
  io: CliContext["io"],
  args: Record<string, unknown>,
  props: Record<string, unknown>,
): Promise<void> {
  const cluster = await connectInProcess(args);
  try {
    const restore = await One2OneRestore.plan(cluster, {
      location: (props.location as string[] | undefined) ?? [],
      snapshotTag: (props.snapshot_tag as string | undefined) ?? "",
      sourceClusterId: (props.source_cluster_id as string | undefined) ?? "",
      nodesMapping: (props.nodes_mapping as never) ?? [],
      keyspace: props.keyspace as string[] | undefined,
      unpinAgentCpu: props.unpin_agent_cpu as boolean | undefined,
    });
    let lastLine = 0;
    restore.on("progress", (e) => {
      const now = Date.now();
      if (now - lastLine < 1_000) return;
      lastLine = now;
      const { size, restored } = one2OneTotals(e.progress);
      const pct = size > 0 ? Math.floor((restored * 100) / size) : 100;
      io.stderr(`Tables: ${pct}%, ETA ${formatEta(e.etaSeconds)}\n`);
    });
    const started = new Date().toISOString();
    const result = await restore.run();
    const rendered = renderOne2OneProgress({
      answer: finishedRunAnswer("1_1_restore", restore.taskId, result.runId, started, result.progress),
      details: false,
      hosts: [],
      keyspaces: [],
      env: io.env,
    });
    io.stdout(rendered.body);
  } finally {
    await cluster.close();
  }
}
