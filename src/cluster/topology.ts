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
  return states.sort((a, b) => a.dc.localeCompare(b.dc) || compareHosts(a.host, b.host));
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
