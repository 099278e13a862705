/**
 * Host discovery and the connectivity check of SM's PutCluster (SM's `pkg/service/cluster/service.go`,
 * `pkg/scyllaclient/client_scylla.go`): `gossiper/endpoint/live/` → `host_id` → `snitch/datacenter` per
 * host → closest DC by the RTT of `scylla_release_version` → known hosts sorted by DC latency → every live host
 * must answer.
 * @module
 */

import type { ScyllaClient } from "../clients/scylla/client.ts";
import { AgentCertificateError } from "../clients/scylla/transport.ts";
import { ScyllaApiError, ValidationError } from "../errors.ts";

/** What discovery learns about a cluster. */
export interface DiscoveredCluster {
  /** Every host of every DC, DCs ordered by latency (closest first), hosts sorted within a DC. */
  knownHosts: string[];
  liveHosts: string[];
  /** DC → hosts. */
  datacenters: Map<string, string[]>;
  /** DCs ordered by RTT, closest first. */
  dcsByLatency: string[];
  /** host → host ID. */
  hostIds: Map<string, string>;
}

export interface DiscoverOptions {
  /** Hosts to ask, in order; the first that answers wins (SM: the `host` coordinator, then known hosts). */
  coordinators: string[];
  /** Per-call timeout, ms. SM uses 5 000 for discovery. */
  timeoutMs?: number;
  signal?: AbortSignal;
  random?: () => number;
}

/** The hint SM appends for a failing agent: unreachable (status 0) or a wrong token (401). */
function connectivityHint(error: unknown, port: number): string | undefined {
  if (!(error instanceof ScyllaApiError)) return undefined;
  if (findCause(error, AgentCertificateError)) {
    return "check the cluster's agent_ca_cert / agent_cert_fingerprint against the agents' certificates";
  }
  if (error.httpStatus === 0) return `make sure the IP is correct and access to port ${port} is unblocked`;
  if (error.httpStatus === 401) return "make sure auth_token config option on nodes is set correctly";
  return undefined;
}

function findCause(error: unknown, type: new (...args: never[]) => Error): boolean {
  let current: unknown = error;
  while (current instanceof Error) {
    if (current instanceof type) return true;
    current = (current as Error).cause;
  }
  return false;
}

function toValidation(action: string, error: unknown, port: number): ValidationError {
  const hint = connectivityHint(error, port);
  const host = error instanceof ScyllaApiError && error.host ? `${error.host}: ` : "";
  const text = error instanceof Error ? error.message : String(error);
  // The tip is part of the message, as SM's; `details` stays empty so sctool does not print it twice.
  return new ValidationError(`${action}: ${host}${text}${hint ? ` - ${hint}` : ""}`, {
    hint,
    details: "",
    cause: error,
  });
}

/** Discovers the cluster through the first coordinator that answers; throws ValidationError with SM's hints. */
export async function discoverCluster(client: ScyllaClient, options: DiscoverOptions): Promise<DiscoveredCluster> {
  const timeoutMs = options.timeoutMs ?? 5_000;
  let lastError: unknown;
  for (const coordinator of options.coordinators) {
    const call = { host: coordinator, timeoutMs, interactive: true, noRetry: true, signal: options.signal };
    try {
      const [live, hostIds] = await Promise.all([client.liveEndpoints(call), client.hostIds(call)]);
      if (live.length === 0) throw new ValidationError("discover cluster hosts: no live nodes");
      const hosts = [...new Set([...hostIds.keys(), ...live])];
      const dcs = await Promise.all(hosts.map((host) => client.datacenter(host, call)));
      const datacenters = new Map<string, string[]>();
      hosts.forEach((host, i) => {
        const dc = dcs[i] as string;
        datacenters.set(dc, [...(datacenters.get(dc) ?? []), host]);
      });
      for (const list of datacenters.values()) list.sort(compareHosts);
      const dcsByLatency = await rankDatacenters(client, datacenters, new Set(live), timeoutMs, options);
      return {
        knownHosts: dcsByLatency.flatMap((dc) => datacenters.get(dc) ?? []),
        liveHosts: live,
        datacenters,
        dcsByLatency,
        hostIds,
      };
    } catch (error) {
      if (options.signal?.aborted) throw error;
      if (error instanceof ValidationError) throw error;
      lastError = error;
    }
  }
  throw toValidation("discover cluster hosts", lastError, client.port);
}

/** SM's ClosestDC: the best `scylla_release_version` RTT of up to 3 random live hosts per DC; unreachable DCs last. */
async function rankDatacenters(
  client: ScyllaClient,
  datacenters: Map<string, string[]>,
  live: Set<string>,
  timeoutMs: number,
  options: DiscoverOptions,
): Promise<string[]> {
  const random = options.random ?? Math.random;
  const entries = await Promise.all(
    [...datacenters.entries()].map(async ([dc, hosts]) => {
      const sample = hosts
        .filter((host) => live.has(host))
        .map((host) => ({ host, key: random() }))
        .sort((a, b) => a.key - b.key)
        .slice(0, 3);
      const rtts = await Promise.all(
        sample.map(({ host }) => client.ping(host, timeoutMs, options.signal).catch(() => Number.POSITIVE_INFINITY)),
      );
      return { dc, rtt: Math.min(Number.POSITIVE_INFINITY, ...rtts) };
    }),
  );
  return entries.sort((a, b) => a.rtt - b.rtt || a.dc.localeCompare(b.dc)).map((entry) => entry.dc);
}

/**
 * Every live host's agent must answer `scylla_release_version`. As SM's combined error, every failing host is named,
 * each with its hint: `connectivity check: <host>: <error> - <hint>; <host2>: ...`.
 */
export async function checkConnectivity(
  client: ScyllaClient,
  hosts: string[],
  options: { timeoutMs?: number; signal?: AbortSignal } = {},
): Promise<void> {
  const results = await Promise.allSettled(
    hosts.map((host) =>
      client.releaseVersion({ host, interactive: true, timeoutMs: options.timeoutMs ?? 5_000, signal: options.signal }),
    ),
  );
  const failures = results.flatMap((result, i) =>
    result.status === "rejected" ? [{ host: hosts[i] ?? "", reason: result.reason as unknown }] : [],
  );
  const first = failures[0];
  if (!first) return;
  const described = failures.map(({ host, reason }) => {
    const hint = connectivityHint(reason, client.port);
    const text = reason instanceof Error ? reason.message : String(reason);
    return `${host}: ${text}${hint ? ` - ${hint}` : ""}`;
  });
  throw new ValidationError(`connectivity check: ${described.join("; ")}`, {
    hint: connectivityHint(first.reason, client.port),
    details: "",
    cause: first.reason,
  });
}

/** Orders IPs numerically when both are IPv4, else as strings. */
export function compareHosts(a: string, b: string): number {
  const ipv4 = /^\d+\.\d+\.\d+\.\d+$/;
  if (ipv4.test(a) && ipv4.test(b)) {
    const pa = a.split(".").map(Number);
    const pb = b.split(".").map(Number);
    for (let i = 0; i < 4; i++) if (pa[i] !== pb[i]) return (pa[i] ?? 0) - (pb[i] ?? 0);
    return 0;
  }
  return a.localeCompare(b);
}
