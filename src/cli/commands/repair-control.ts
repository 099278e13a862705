/**
 * `sctool repair control -c <cluster> [--intensity N] [--parallel N]`: changes the running repair of the cluster
 * (at least one flag; applied to jobs started from now on and kept by a resumed run).
 * @module
 */
import { defineCommand } from "citty";
import { setRepairIntensity, setRepairParallel } from "../../clients/manager-api/repair.ts";
import { ValidationError } from "../../errors.ts";
import { getCliContext } from "../context.ts";
import { clusterArg, requireCluster } from "../globals.ts";

function parse(text: string, flag: string, integer: boolean): number {
  const n = Number(text);
  if (text.trim() === "" || !Number.isFinite(n) || (integer && !Number.isInteger(n))) {
    throw new ValidationError(`invalid argument "${text}" for "--${flag}" flag`);
  }
  return n;
}

/** The `repair control` command. */
export const repairControlCommand = defineCommand({
  meta: {
    name: "control",
    description:
      "Change parameters while a repair is running\n\nThis command allows you to modify repair parameters while a repair is running.\nNote that modified parameters apply only to the currently running task and not to the future task runs.",
  },
  args: {
    ...clusterArg,
    intensity: {
      type: "string",
      description: "How many token ranges to repair in a single Scylla node at the same time; 0 = max. (default 1)",
    },
    parallel: {
      type: "string",
      description: "The maximum number of Scylla repair jobs that can run at the same time; 0 = max. (default 0)",
    },
  },
  async run(ctx) {
    const { client, globals } = getCliContext(ctx);
    const cluster = requireCluster(globals);
    const { args } = ctx;
    if (args.intensity === undefined && args.parallel === undefined) {
      throw new ValidationError("at least one of the flags: intensity, parallel must be specified");
    }
    const api = client();
    if (args.intensity !== undefined) await setRepairIntensity(api, cluster, parse(args.intensity, "intensity", false));
    if (args.parallel !== undefined) await setRepairParallel(api, cluster, parse(args.parallel, "parallel", true));
  },
});
