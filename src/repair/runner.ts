/**
 * The `repair` task type for the scheduler (SM's `repair.Runner`): validates properties on create/update (the
 * target is resolved against the cluster, as SM's REST handler does), runs the repair, answers the dry-run target
 * and the progress of a run.
 * @module
 */
import type { RunContext, Runner } from "../scheduler/runner.ts";
import { parseRepairProperties } from "./model.ts";
import type { RepairService } from "./service.ts";

const isEmptyObject = (value: unknown) =>
  value === null || value === undefined || (typeof value === "object" && Object.keys(value as object).length === 0);

/** The runner of `repair` tasks. */
export function createRepairRunner(service: RepairService): Runner {
  return {
    async validateProperties(clusterId, properties) {
      parseRepairProperties(properties);
      // The default properties (e.g. `repair/all-weekly`, created while a cluster is added) are not checked against
      // the cluster: SM creates that task without resolving its target, so a node that is down at that moment does
      // not fail `cluster add`.
      if (!isEmptyObject(properties)) await service.getTarget(clusterId, properties);
      return properties ?? {};
    },
    getTarget: (clusterId, properties) => service.getTarget(clusterId, properties),
    getProgress: (clusterId, taskId, runId) => service.getProgress(clusterId, taskId, runId),
    run: (ctx: RunContext) =>
      service.run({
        clusterId: ctx.clusterId,
        taskId: ctx.taskId,
        runId: ctx.runId,
        properties: ctx.properties,
        signal: ctx.signal,
        logger: ctx.logger,
      }),
  };
}
