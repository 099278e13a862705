/**
 * Repair control (SM's `pkg/restapi/repair.go`): `PUT /cluster/{cluster_id}/repairs/intensity?intensity=` and
 * `PUT /cluster/{cluster_id}/repairs/parallel?parallel=`; 404 `repair task: not found` when no repair runs.
 * A missing value is 0, as SM's handler reads it.
 * @module
 */
import type { Hono } from "hono";
import { ValidationError } from "../../errors.ts";
import { ensureRepairService } from "../../repair/wiring.ts";
import { resolveClusterParam } from "../cluster-param.ts";
import type { ServerDeps } from "../deps.ts";
import { API_PREFIX } from "./clusters.ts";

function numberParam(value: string | undefined, name: string, integer: boolean): number {
  if (value === undefined || value === "") return 0;
  const n = Number(value);
  if (!Number.isFinite(n) || (integer && !Number.isInteger(n))) {
    throw new ValidationError(`invalid ${name} "${value}": must be a${integer ? "n integer" : " number"}`);
  }
  return n;
}

/** Registers the repair control routes. */
export function registerRepairRoutes(app: Hono, deps: ServerDeps): void {
  app.put(`${API_PREFIX}/cluster/:cluster_id/repairs/intensity`, async (c) => {
    const cluster = await resolveClusterParam(deps.store, c.req.param("cluster_id"));
    await ensureRepairService(deps).setIntensity(cluster.id, numberParam(c.req.query("intensity"), "intensity", false));
    return c.body(null, 200);
  });
  app.put(`${API_PREFIX}/cluster/:cluster_id/repairs/parallel`, async (c) => {
    const cluster = await resolveClusterParam(deps.store, c.req.param("cluster_id"));
    await ensureRepairService(deps).setParallel(cluster.id, numberParam(c.req.query("parallel"), "parallel", true));
    return c.body(null, 200);
  });
}
