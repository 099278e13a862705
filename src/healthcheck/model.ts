/**
 * The node status of `GET /cluster/{id}/status` (SM's `healthcheck.NodeStatus`).
 * @module
 */

/** One node's line of the cluster status; ping fields are "" / 0 when not checked (node not UN). */
export interface NodeStatus {
  dc: string;
  host_id: string;
  host: string;
  status: string;
  ssl: boolean;
  alternator_status: string;
  alternator_rtt_ms: number;
  alternator_cause: string;
  cql_status: string;
  cql_rtt_ms: number;
  cql_cause: string;
  rest_status: string;
  rest_rtt_ms: number;
  rest_cause: string;
  /** Bytes. */
  total_ram: number;
  /** Seconds. */
  uptime: number;
  cpu_count: number;
  scylla_version: string;
  agent_version: string;
}

/** The ping kinds, one healthcheck task each. */
export type PingMode = "cql" | "rest" | "alternator";

/** The zero status of a node (nothing checked). */
export function emptyNodeStatus(node: { dc: string; hostId: string; host: string; status: string }): NodeStatus {
  return {
    dc: node.dc,
    host_id: node.hostId,
    host: node.host,
    status: node.status,
    ssl: false,
    alternator_status: "",
    alternator_rtt_ms: 0,
    alternator_cause: "",
    cql_status: "",
    cql_rtt_ms: 0,
    cql_cause: "",
    rest_status: "",
    rest_rtt_ms: 0,
    rest_cause: "",
    total_ram: 0,
    uptime: 0,
    cpu_count: 0,
    scylla_version: "",
    agent_version: "",
  };
}
