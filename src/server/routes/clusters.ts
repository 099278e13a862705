/**
 * Cluster REST routes (SM's `pkg/restapi/cluster.go`; documented in `src/server/openapi/operations.ts`):
 * `GET/POST /clusters`, `GET/PUT/DELETE /cluster/{cluster_id}` (`{cluster_id}` = UUID or name).
 * @module
 */
import type { Context, Hono } from "hono";
import { ClusterInputSchema } from "../../cluster/model.ts";
import { ValidationError } from "../../errors.ts";
import { type ClusterServicesDeps, ensureClusterServices } from "../../healthcheck/wiring.ts";
import { resolveClusterParam } from "../cluster-param.ts";
import { parseJsonBody } from "../validate.ts";

/** The API prefix of SM's routes. */
export const API_PREFIX = "/api/v1";

/** Parses an optional boolean query parameter as Go's strconv.ParseBool does. */
function readBoolQuery(c: Context, name: string): boolean {
  const value = c.req.query(name);
  if (value === undefined || value === "") return false;
  if (["1", "t", "T", "true", "TRUE", "True"].includes(value)) return true;
  if (["0", "f", "F", "false", "FALSE", "False"].includes(value)) return false;
  throw new ValidationError(`malformed request: invalid ${name} value "${value}", expected true or false`);
}

/** Registers the cluster routes. */
export function registerClusterRoutes(app: Hono, deps: ClusterServicesDeps): void {
  const services = () => ensureClusterServices(deps);

  app.get(`${API_PREFIX}/clusters`, async (c) => c.json(await services().clusters.list()));

  app.post(`${API_PREFIX}/clusters`, async (c) => {
    const input = await parseJsonBody(c, ClusterInputSchema);
    const { cluster } = await services().clusters.put(input, { signal: c.req.raw.signal });
    c.header("Location", `${API_PREFIX}/cluster/${cluster.id}`);
    return c.body(null, 201);
  });

  app.get(`${API_PREFIX}/cluster/:cluster_id`, async (c) => {
    const cluster = await resolveClusterParam(deps.store, c.req.param("cluster_id"));
    return c.json(await services().clusters.get(cluster.id));
  });

  app.put(`${API_PREFIX}/cluster/:cluster_id`, async (c) => {
    const { clusters } = services();
    const existing = await resolveClusterParam(deps.store, c.req.param("cluster_id"));
    const input = await parseJsonBody(c, ClusterInputSchema);
    await clusters.put({ ...input, id: existing.id }, { signal: c.req.raw.signal });
    // SM echoes the body as sent; we answer the stored cluster instead, so credentials never come back.
    return c.json(await clusters.get(existing.id));
  });

  app.delete(`${API_PREFIX}/cluster/:cluster_id`, async (c) => {
    const options = {
      cqlCreds: readBoolQuery(c, "cql_creds"),
      alternatorCreds: readBoolQuery(c, "alternator_creds"),
      sslUserCert: readBoolQuery(c, "ssl_user_cert"),
    };
    const cluster = await resolveClusterParam(deps.store, c.req.param("cluster_id"));
    await services().clusters.delete(cluster.id, options);
    return c.body(null, 200);
  });
}
