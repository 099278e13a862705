/**
 * `describe_ring` as Scylla answers it: one entry per token range with replicas, RPC endpoints and endpoint
 * details; vnode ranges come from the ring, tablet ranges from the table's tablet map.
 * @module
 */
import type { KeyspaceDef } from "../schema/types.ts";
import { placeReplicas } from "./placement.ts";
import type { Tablet } from "./tablets.ts";
import type { Topology } from "./topology.ts";

/** One element of Scylla's `describe_ring` response (swagger `token_range`). */
export interface TokenRange {
  start_token: string;
  end_token: string;
  endpoints: string[];
  rpc_endpoints: string[];
  endpoint_details: Array<{ host: string; datacenter: string; rack: string }>;
}

function toRange(topology: Topology, start: bigint, end: bigint, endpoints: string[]): TokenRange {
  return {
    start_token: start.toString(),
    end_token: end.toString(),
    endpoints,
    rpc_endpoints: endpoints,
    endpoint_details: endpoints.map((ip) => {
      const n = topology.byIp.get(ip);
      return { host: ip, datacenter: n?.dc ?? "", rack: n?.rack ?? "" };
    }),
  };
}

/**
 * Vnode ranges. Scylla builds them as `(previous token, token]` starting with the wrap-around range
 * `(last, first]`, then keeps them in a hash map, so its order is arbitrary; we keep the ring order starting with the
 * wrap-around range (clients must not rely on order either way).
 */
export function describeVnodeRing(
  topology: Topology,
  replication: KeyspaceDef["replication"],
  localIp: string,
): TokenRange[] {
  const ring = topology.ring;
  return ring.map((entry, i) => {
    const prev = ring[(i - 1 + ring.length) % ring.length]?.token ?? entry.token;
    return toRange(topology, prev, entry.token, placeReplicas(topology, replication, i, localIp));
  });
}

/** Tablet ranges of one table. */
export function describeTabletRing(topology: Topology, tablets: readonly Tablet[]): TokenRange[] {
  return tablets.map((t) => toRange(topology, t.start, t.end, t.replicas));
}

/** Tokens of every vnode whose range a node replicates (primary or not), for tests and storage. */
export function rangesOf(ranges: readonly TokenRange[], ip: string): TokenRange[] {
  return ranges.filter((r) => r.endpoints.includes(ip));
}
