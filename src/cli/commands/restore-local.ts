/**
 * `sctool restore --in-process --host <node> --auth-token <token> ...` (also through the `scylla-manager`
 * executable): a one-shot restore run in this process with the `Restore` library class, no server. Live progress
 * (stage, restored | downloaded, ETA) goes to stderr; the final progress is printed in SM's layout on stdout.
 * Beyond SM, which always needs its server.
 * @module
 */
import { Cluster } from "../../cluster/cluster.ts";
import { ValidationError } from "../../errors.ts";
import { Restore } from "../../restore/restore.ts";
import { formatEta } from "../../util/eta.ts";
import type { CliContext } from "../context.ts";
import { renderRestoreProgress } from "./progress-restore.ts";

/** Connects to the cluster the `--in-process` flags name (`--host`, `--auth-token`, `--port`, CQL user). */
export async function connectInProcess(args: Record<string, unknown>): Promise<Cluster> {
  const host = typeof args.host === "string" ? args.host : "";
  if (host === "") throw new ValidationError("--in-process needs --host", { hint: "name any node of the cluster" });
  const str = (v: unknown) => (typeof v === "string" ? v : undefined);
  return Cluster.connect({
    host,
    authToken: str(args["auth-token"]) ?? "",
    port: args.port ? Number(args.port) : undefined,
    credentials:
      str(args.username) !== undefined
        ? { username: str(args.username) ?? "", password: str(args.password) ?? "" }
        : undefined,
  });
}

/** Runs the restore described by `props` in-process. */
export async function runInProcessRestore(
  io: CliContext["io"],
  args: Record<string, unknown>,
  props: Record<string, unknown>,
): Promise<void> {
  if (props.restore_schema === props.restore_tables) {
    throw new ValidationError("choose EXACTLY ONE restore type ('--restore-schema' or '--restore-tables' flag)");
  }
  const cluster = await connectInProcess(args);
  try {
    const restore = await Restore.plan(cluster, {
      location: (props.location as string[] | undefined) ?? [],
      snapshotTag: (props.snapshot_tag as string | undefined) ?? "",
      type: props.restore_schema === true ? "schema" : "tables",
      keyspace: props.keyspace as string[] | undefined,
      batchSize: props.batch_size as number | undefined,
      parallel: props.parallel as number | undefined,
      transfers: props.transfers as number | undefined,
      rateLimit: props.rate_limit as string[] | undefined,
      allowCompaction: props.allow_compaction as boolean | undefined,
      unpinAgentCpu: props.unpin_agent_cpu as boolean | undefined,
      dcMapping: props.dc_mapping as Record<string, string> | undefined,
    });
    let lastLine = 0;
    let lastStage = "";
    restore.on("progress", (e) => {
      const now = Date.now();
      if (e.stage === lastStage && now - lastLine < 1_000) return;
      lastLine = now;
      lastStage = e.stage;
      const p = e.progress;
      const pct = (n: number) => (p.size > 0 ? `${Math.floor((n * 100) / p.size)}%` : "-");
      io.stderr(`${e.stage}: ${pct(p.restored)} | ${pct(p.downloaded)}, ETA ${formatEta(e.etaSeconds)}\n`);
    });
    const started = new Date().toISOString();
    const result = await restore.run();
    const rendered = await renderRestoreProgress({
      answer: finishedRunAnswer("restore", restore.taskId, result.runId, started, result.progress),
      details: false,
      hosts: [],
      keyspaces: [],
      env: io.env,
    });
    io.stdout(`${rendered.title ?? ""}${rendered.body}`);
  } finally {
    await cluster.close();
  }
}

/** What the progress renderers read from the API, for a run that finished in this process (started at `started`). */
export function finishedRunAnswer<P>(type: string, taskId: string, runId: string, started: string, progress: P) {
  const run = {
    id: runId,
    type,
    task_id: taskId,
    status: "DONE",
    cause: "",
    start_time: started,
    end_time: new Date().toISOString(),
  };
  return { run: run as never, progress };
}
