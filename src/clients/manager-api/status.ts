/**
 * `GET /cluster/{id}/status` for `sctool status`.
 * @module
 */
import * as v from "valibot";
import { type ManagerApiClient, parseAnswer } from "./client.ts";

const text = () => v.optional(v.string(), "");
const num = () => v.optional(v.number(), 0);

/** One node's status as the server answers it. */
const ApiNodeStatusSchema = v.object({
  dc: text(),
  host_id: text(),
  host: text(),
  status: text(),
  ssl: v.optional(v.boolean(), false),
  alternator_status: text(),
  alternator_rtt_ms: num(),
  alternator_cause: text(),
  cql_status: text(),
  cql_rtt_ms: num(),
  cql_cause: text(),
  rest_status: text(),
  rest_rtt_ms: num(),
  rest_cause: text(),
  total_ram: num(),
  uptime: num(),
  cpu_count: num(),
  scylla_version: text(),
  agent_version: text(),
});
export type ApiNodeStatus = v.InferOutput<typeof ApiNodeStatusSchema>;

/** `GET /cluster/{id}/status`. */
export async function getClusterStatus(client: ManagerApiClient, cluster: string): Promise<ApiNodeStatus[]> {
  const answer = await client.request("GET", `/cluster/${encodeURIComponent(cluster)}/status`);
  return parseAnswer(v.array(ApiNodeStatusSchema), answer ?? [], "get cluster status");
}
