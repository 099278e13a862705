/**
 * valibot schemas of the Scylla REST (v1) responses the client reads (Scylla's REST swagger, `api/api-doc/*.json` in its source).
 * @module
 */
import * as v from "valibot";

/** Scylla's `mapper` pairs, e.g. host_id: `[{key: ip, value: uuid}]`. */
export const MapperListSchema = v.array(v.object({ key: v.string(), value: v.string() }));

export const StringSchema = v.string();
export const StringListSchema = v.array(v.string());

/** One token range of `describe_ring`. */
const TokenRangeSchema = v.object({
  start_token: v.string(),
  end_token: v.string(),
  endpoints: v.array(v.string()),
  rpc_endpoints: v.optional(v.array(v.string()), []),
  endpoint_details: v.optional(
    v.array(v.object({ host: v.string(), datacenter: v.string(), rack: v.optional(v.string(), "") })),
    [],
  ),
});
export type TokenRange = v.InferOutput<typeof TokenRangeSchema>;
export const RingSchema = v.array(TokenRangeSchema);

/** `keyspaces?type=` values. */
export type KeyspaceType = "all" | "user" | "non_local_strategy";
/** `keyspaces?replication=` values. */
export type KeyspaceReplication = "all" | "vnodes" | "tablets";
