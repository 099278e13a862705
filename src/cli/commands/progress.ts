/**
 * `sctool progress -c <cluster> <type>[/<id|name>] [--details] [--run latest|~N|<uuid>] [--host] [-K]`: the common
 * run header here; the per-type body comes from the type's renderer in progress-renderers.ts.
 * @module
 */
import { defineCommand } from "citty";
import { getRunProgress } from "../../clients/manager-api/tasks.ts";
import { ValidationError } from "../../errors.ts";
import { getCliContext } from "../context.ts";
import { requireCluster } from "../globals.ts";
import { renderProgressHeader } from "./info-render.ts";
import { commandMeta } from "./meta.ts";
import { PROGRESS_RENDERERS } from "./progress-renderers.ts";
import { taskTargetArgs } from "./task-args.ts";
import { resolveTask } from "./task-resolve.ts";

const PROGRESS_TYPES = ["repair", "tablet_repair", "backup", "restore", "validate_backup", "1_1_restore", "mock"];

const list = (value: unknown) =>
  typeof value === "string" && value !== ""
    ? value
        .split(",")
        .map((s) => s.trim())
        .filter(Boolean)
    : [];

/** The `progress` command. */
export const progressCommand = defineCommand({
  meta: commandMeta.progress,
  args: {
    ...taskTargetArgs,
    details: { type: "boolean", description: "More detailed progress data, depending on task type." },
    host: { type: "string", description: "A list of host glob patterns, e.g. '1.1.1.*,!1.2.*.4.'." },
    keyspace: { type: "string", alias: "K", description: "A list of glob patterns separated by a comma." },
    run: {
      type: "string",
      description: "Show progress of a particular run, see sctool info to get the IDs. (default latest)",
    },
  },
  async run(ctx) {
    const { io, client, globals } = getCliContext(ctx);
    const cluster = requireCluster(globals);
    const api = client();
    const { type, id } = await resolveTask(api, cluster, ctx.args.task);
    if (!PROGRESS_TYPES.includes(type)) throw new ValidationError(`unsupported task type ${type}`);
    const answer = await getRunProgress(api, cluster, type, id, ctx.args.run || "latest");
    const loader = PROGRESS_RENDERERS[type];
    const rendered: { title?: string; stage?: string; body: string } = loader
      ? await (await loader())({
          answer,
          details: ctx.args.details === true,
          hosts: list(ctx.args.host),
          keyspaces: list(ctx.args.keyspace),
          env: io.env,
        })
      : { body: "" };
    const header = renderProgressHeader(answer.run, { now: Date.now(), stage: rendered.stage });
    io.stdout(`${rendered.title ?? ""}${header}${rendered.body}`);
  },
});
