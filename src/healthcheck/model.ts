/**
 * A node's status: the library's camelCase `NodeStatus` and SM's `healthcheck.NodeStatus` JSON that
 * `GET /cluster/{id}/status` answers with.
 * @module
 */
import * as v from "valibot";

/** One node's line of the cluster status; ping fields are "" / 0 when not checked (node not UN). */
export interface NodeStatus {
  dc: string;
  hostId: string;
  host: string;
  /** Gossip state and status, e.g. `UN`. */
  status: string;
  ssl: boolean;
  alternatorStatus: string;
  alternatorRttMs: number;
  alternatorCause: string;
  cqlStatus: string;
  cqlRttMs: number;
  cqlCause: string;
  restStatus: string;
  restRttMs: number;
  restCause: string;
  /** Bytes. */
  totalRam: number;
  /** Seconds. */
  uptime: number;
  cpuCount: number;
  scyllaVersion: string;
  agentVersion: string;
}

const integer = () => v.pipe(v.number(), v.integer());

/**
 * SM's JSON of one node's status (the REST API's field names). The served `openapi.json` (ClusterStatus) is
 * generated from this schema and `NodeStatusJson` derives from it, so answer and document cannot drift.
 */
export const NodeStatusJsonSchema = v.object({
  dc: v.string(),
  host_id: v.string(),
  host: v.string(),
  status: v.string(),
  ssl: v.boolean(),
  alternator_status: v.string(),
  alternator_rtt_ms: v.number(),
  alternator_cause: v.string(),
  cql_status: v.string(),
  cql_rtt_ms: v.number(),
  cql_cause: v.string(),
  rest_status: v.string(),
  rest_rtt_ms: v.number(),
  rest_cause: v.string(),
  total_ram: v.pipe(integer(), v.description("bytes")),
  uptime: v.pipe(integer(), v.description("seconds")),
  cpu_count: integer(),
  scylla_version: v.string(),
  agent_version: v.string(),
});
export type NodeStatusJson = v.InferOutput<typeof NodeStatusJsonSchema>;

/** The ping kinds, one healthcheck task each. */
export type PingMode = "cql" | "rest" | "alternator";

/** The zero status of a node (nothing checked). */
export function emptyNodeStatus(node: { dc: string; hostId: string; host: string; status: string }): NodeStatus {
  return {
    dc: node.dc,
    hostId: node.hostId,
    host: node.host,
    status: node.status,
    ssl: false,
    alternatorStatus: "",
    alternatorRttMs: 0,
    alternatorCause: "",
    cqlStatus: "",
    cqlRttMs: 0,
    cqlCause: "",
    restStatus: "",
    restRttMs: 0,
    restCause: "",
    totalRam: 0,
    uptime: 0,
    cpuCount: 0,
    scyllaVersion: "",
    agentVersion: "",
  };
}

/** SM's JSON for a node status, field order as SM's struct. */
export function toNodeStatusJson(status: NodeStatus): NodeStatusJson {
  return {
    dc: status.dc,
    host_id: status.hostId,
    host: status.host,
    status: status.status,
    ssl: status.ssl,
    alternator_status: status.alternatorStatus,
    alternator_rtt_ms: status.alternatorRttMs,
    alternator_cause: status.alternatorCause,
    cql_status: status.cqlStatus,
    cql_rtt_ms: status.cqlRttMs,
    cql_cause: status.cqlCause,
    rest_status: status.restStatus,
    rest_rtt_ms: status.restRttMs,
    rest_cause: status.restCause,
    total_ram: status.totalRam,
    uptime: status.uptime,
    cpu_count: status.cpuCount,
    scylla_version: status.scyllaVersion,
    agent_version: status.agentVersion,
  };
}
