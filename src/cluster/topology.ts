/**
 * The `nodetool status`-like view SM's `client.Status()` builds: `host_id`, `snitch/datacenter` per host,
 * `gossiper/endpoint/live/`, `nodes/joining`, `nodes/leaving`; state `U`/`D` + `N`/`J`/`L`.
 * @module
 */

import type { ScyllaClient } from "../clients/scylla/client.ts";
import type { CallOptions } from "../clients/scylla/http.ts";
import { compareHosts } from "./discovery.ts";

/** One node as the cluster sees it. */
export interface NodeState {
  host: string;
  hostId: string;
  dc: string;
  /** `UN`, `DN`, `UJ`, `UL`, ... */
  status: string;
}

/** Reads the cluster's node states through any host of the pool; sorted by DC, then address (as SM). */
export async function readNodeStates(client: ScyllaClient, options: CallOptions = {}): Promise<NodeState[]> {
  const [hostIds, live, joining, leaving] = await Promise.all([
    client.hostIds(options),
    client.liveEndpoints(options),
    client.joiningNodes(options),
    client.leavingNodes(options),
  ]);
  const liveSet = new Set(live);
  const joiningSet = new Set(joining);
  const leavingSet = new Set(leaving);
  const hosts = [...hostIds.keys()];
  const dcs = await Promise.all(hosts.map((host) => client.datacenter(host, options)));
  const states = hosts.map((host, i) => ({
    host,
    hostId: hostIds.get(host) ?? "",
    dc: dcs[i] ?? "",
    status: `${liveSet.has(host) ? "U" : "D"}${joiningSet.has(host) ? "J" : leavingSet.has(host) ? "L" : "N"}`,
  }));
  return states.sort((a, b) => a.dc.localeCompare(b.dc) || compareHosts(a.host, b.host));
}
