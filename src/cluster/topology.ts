/**
 * The `nodetool status`-like view SM's `client.Status()` builds: `host_id`, `snitch/datacenter` per host,
 * `gossiper/endpoint/live/`, `nodes/joining`, `nodes/leaving`; state `U`/`D` + `N`/`J`/`L`.
 * @module
 */

import type { ScyllaClient } from "../clients/scylla/client.ts";
import { isHostFailure } from "../clients/scylla/errors.ts";
import type { CallOptions } from "../clients/scylla/http.ts";
import { ScyllaApiError } from "../errors.ts";
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
  // DCs in Go's byte order, as SM (it decides which DC table `sctool status` prints first). Addresses: SM compares
  // them as strings (10.0.0.10 before 10.0.0.2); we order IPv4 numerically, as nodetool does.
  return states.sort((a, b) => compareBytes(a.dc, b.dc) || compareHosts(a.host, b.host));
}

function compareBytes(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Options of `readNodeStatesHedged`. */
export interface HedgedReadOptions {
  /** Start the same read on the next host when no answer came after this many ms. Default 50. */
  hedgeAfterMs?: number;
  /** Per-attempt timeout, ms. Default 30 000. */
  timeoutMs?: number;
  /** Most attempts in flight at once (the rest start only when one fails). Default 2. */
  maxInFlight?: number;
  signal?: AbortSignal;
}

/**
 * `readNodeStates` against one host at a time, starting the next host of the pool when the current one is slow
 * (a node whose Scylla API hangs must not hold `GET /status` for a whole timeout). First answer wins.
 */
export async function readNodeStatesHedged(
  client: ScyllaClient,
  options: HedgedReadOptions = {},
): Promise<NodeState[]> {
  const hosts = client.pool.order();
  const hedgeAfterMs = options.hedgeAfterMs ?? 50;
  // A slow cluster must not turn one status read into a read on every host: hedge once, then fail over.
  const maxInFlight = options.maxInFlight ?? 2;
  const controller = new AbortController();
  const signal = options.signal ? AbortSignal.any([options.signal, controller.signal]) : controller.signal;
  return new Promise<NodeState[]>((resolve, reject) => {
    let pending = 0;
    let next = 0;
    let settled = false;
    let lastError: unknown;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const launch = () => {
      const host = hosts[next++];
      if (host === undefined || settled) return;
      pending++;
      readNodeStates(client, { host, noRetry: true, timeoutMs: options.timeoutMs, signal, interactive: true }).then(
        (states) => {
          if (settled) return;
          settled = true;
          clearTimeout(timer);
          controller.abort(new Error("another host answered"));
          resolve(states);
        },
        (error: unknown) => {
          pending--;
          lastError = error;
          if (settled) return;
          // These reads stand in for SM's pooled ones, so a failing host is marked as the pool would mark it.
          if (error instanceof ScyllaApiError && isHostFailure(error.httpStatus)) client.pool.markFailed(host);
          if (options.signal?.aborted) {
            settled = true;
            clearTimeout(timer);
            reject(options.signal.reason);
          } else if (next < hosts.length) {
            clearTimeout(timer);
            launch();
            schedule();
          } else if (pending === 0) {
            settled = true;
            reject(lastError);
          }
        },
      );
    };
    const schedule = () => {
      if (next >= hosts.length || pending >= maxInFlight) return;
      timer = setTimeout(() => {
        launch();
        schedule();
      }, hedgeAfterMs);
    };
    if (hosts.length === 0) {
      reject(new Error("no known hosts"));
      return;
    }
    launch();
    schedule();
  });
}
