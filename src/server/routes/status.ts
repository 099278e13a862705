/**
 * `GET /api/v1/cluster/{cluster_id}/status`: the live status of every node (pings of UN nodes only).
 * @module
 */
import type { Hono } from "hono";
import { toNodeStatusJson } from "../../healthcheck/model.ts";
import { type ClusterServicesDeps, ensureClusterServices } from "../../healthcheck/wiring.ts";
import { resolveClusterParam } from "../cluster-param.ts";
import { API_PREFIX } from "./clusters.ts";

/** Registers the status route. */
export function registerStatusRoutes(app: Hono, deps: ClusterServicesDeps): void {
  app.get(`${API_PREFIX}/cluster/:cluster_id/status`, async (c) => {
    const { healthcheck } = ensureClusterServices(deps);
    const cluster = await resolveClusterParam(deps.store, c.req.param("cluster_id"));
    return c.json((await healthcheck.status(cluster.id, c.req.raw.signal)).map(toNodeStatusJson));
  });
}
