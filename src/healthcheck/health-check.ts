/**
 * `HealthCheck`: SM's health check as a library (SM's `pkg/service/healthcheck`): CQL, REST and
 * Alternator pings of a cluster's nodes with SM's 1 s timeout and status classification, and the cluster status of
 * `GET /cluster/{id}/status` (topology + pings + node info for UN nodes only).
 * @module
 */
import type { NodeInfo } from "../clients/agent/node-info.ts";
import { isCqlTls, resolveAlternatorUrl, resolveCqlEndpoint } from "../clients/agent/node-info.ts";
import type { CqlClientCert, CqlCredentials } from "../clients/cql/session.ts";
import type { ScyllaClient } from "../clients/scylla/client.ts";
import type { Cluster } from "../cluster/cluster.ts";
import { readNodeStatesHedged } from "../cluster/topology.ts";
import { classifyPing, classifyRestPing, type PingOutcome } from "./classify.ts";
import { PingPreconditionError } from "./errors.ts";
import { emptyNodeStatus, type NodeStatus, type PingMode } from "./model.ts";
import { pingAlternator } from "./ping-alternator.ts";
import { pingCql } from "./ping-cql.ts";

/** What a health check needs to know about one cluster. */
export interface HealthCheckTarget {
  scylla: ScyllaClient;
  /** node_info of a host (cached by the caller). */
  nodeInfo(host: string, options: { timeoutMs: number; signal?: AbortSignal }): Promise<NodeInfo>;
  /** DC of a host, for the CQL driver; optional. */
  datacenter?(host: string): Promise<string>;
  credentials?: CqlCredentials;
  clientCert?: CqlClientCert;
  forceTlsDisabled?: boolean;
  forceNonSslSessionPort?: boolean;
}

export interface HealthCheckOptions {
  /** Ping timeout, ms (`healthcheck.max_timeout`). Default 1 000. */
  timeoutMs?: number;
}

/**
 * Health checks of one cluster.
 * @example
 * const cluster = await Cluster.connect({ host: "10.0.0.1", authToken });
 * const statuses = await HealthCheck.forCluster(cluster).status();
 */
export class HealthCheck {
  readonly #target: HealthCheckTarget;
  readonly #timeoutMs: number;

  constructor(target: HealthCheckTarget, options: HealthCheckOptions = {}) {
    this.#target = target;
    this.#timeoutMs = options.timeoutMs ?? 1_000;
  }

  /** A health check over a connected `Cluster` (its clients, node-info cache and topology). */
  static forCluster(
    cluster: Cluster,
    options: HealthCheckOptions & { credentials?: CqlCredentials; forceTlsDisabled?: boolean } = {},
  ): HealthCheck {
    return new HealthCheck(
      {
        scylla: cluster.scylla,
        nodeInfo: (host, call) => cluster.nodeInfo(host, { ...call, noRetry: true }),
        datacenter: async (host) => cluster.nodes.find((node) => node.host === host)?.dc ?? cluster.closestDc,
        credentials: options.credentials,
        forceTlsDisabled: options.forceTlsDisabled,
      },
      options,
    );
  }

  /** Pings one host the given way. */
  ping(mode: PingMode, host: string, signal?: AbortSignal): Promise<PingOutcome> {
    if (mode === "rest") return this.pingRest(host, signal);
    if (mode === "cql") return this.pingCql(host, signal);
    return this.pingAlternator(host, signal);
  }

  /** REST ping: `scylla_release_version` through the agent, one attempt. */
  async pingRest(host: string, signal?: AbortSignal): Promise<PingOutcome> {
    const started = performance.now();
    try {
      return classifyRestPing({ rttMs: await this.#target.scylla.ping(host, this.#timeoutMs, signal) });
    } catch (error) {
      signal?.throwIfAborted();
      return classifyRestPing({ error, rttMs: performance.now() - started });
    }
  }

  /** CQL ping: the raw OPTIONS frame, or a login + query when credentials are stored. */
  async pingCql(host: string, signal?: AbortSignal): Promise<PingOutcome> {
    // SM reports the time spent on a failed ping as its RTT; failures before the ping (ERROR) have RTT 0.
    let started: number | undefined;
    try {
      const info = await this.#info(host, signal);
      const endpoint = resolveCqlEndpoint(info, host, this.#target);
      const dc = await this.#target.datacenter?.(host).catch(() => undefined);
      started = performance.now();
      const rttMs = await pingCql({
        address: endpoint.address,
        port: endpoint.port,
        tls: endpoint.tls,
        clientCert: info.client_encryption_require_auth ? this.#target.clientCert : undefined,
        timeoutMs: this.#timeoutMs,
        credentials: this.#target.credentials,
        dc,
        signal,
      });
      return classifyPing({ rttMs });
    } catch (error) {
      signal?.throwIfAborted();
      return classifyPing({ error, rttMs: started === undefined ? 0 : performance.now() - started });
    }
  }

  /** Alternator ping; `{status: ""}` when Alternator is disabled on the node (not checked). */
  async pingAlternator(host: string, signal?: AbortSignal): Promise<PingOutcome> {
    let started: number | undefined;
    try {
      const info = await this.#info(host, signal);
      const url = resolveAlternatorUrl(info, host);
      if (url === undefined) return { status: "", rttMs: 0, cause: "" };
      started = performance.now();
      const rttMs = await pingAlternator({
        url,
        enforceAuthorization: info.alternator_enforce_authorization,
        timeoutMs: this.#timeoutMs,
        signal,
      });
      return classifyPing({ rttMs });
    } catch (error) {
      signal?.throwIfAborted();
      return classifyPing({ error, rttMs: started === undefined ? 0 : performance.now() - started });
    }
  }

  /** Pings every host in parallel. */
  async pingAll(mode: PingMode, hosts: readonly string[], signal?: AbortSignal): Promise<Map<string, PingOutcome>> {
    const outcomes = await Promise.all(hosts.map((host) => this.ping(mode, host, signal)));
    return new Map(hosts.map((host, i) => [host, outcomes[i] as PingOutcome]));
  }

  /** The cluster status: topology, then pings and node info of UN nodes only (others stay empty). */
  async status(signal?: AbortSignal): Promise<NodeStatus[]> {
    const nodes = await readNodeStatesHedged(this.#target.scylla, { signal, timeoutMs: 30_000 });
    return Promise.all(
      nodes.map(async (node) => {
        const out = emptyNodeStatus(node);
        if (node.status !== "UN") return out;
        const [cql, rest, alternator, info] = await Promise.all([
          this.pingCql(node.host, signal),
          this.pingRest(node.host, signal),
          this.pingAlternator(node.host, signal),
          this.#info(node.host, signal).catch(() => undefined),
        ]);
        Object.assign(out, {
          cqlStatus: cql.status,
          cqlRttMs: cql.rttMs,
          cqlCause: cql.cause,
          restStatus: rest.status,
          restRttMs: rest.rttMs,
          restCause: rest.cause,
          alternatorStatus: alternator.status,
          alternatorRttMs: alternator.rttMs,
          alternatorCause: alternator.cause,
        });
        if (info) {
          out.ssl = isCqlTls(info, this.#target);
          out.totalRam = info.memory_total;
          out.uptime = info.uptime;
          out.cpuCount = info.cpu_count;
          out.scyllaVersion = info.scylla_version;
          out.agentVersion = info.agent_version;
        }
        return out;
      }),
    );
  }

  async #info(host: string, signal?: AbortSignal): Promise<NodeInfo> {
    try {
      return await this.#target.nodeInfo(host, { timeoutMs: this.#timeoutMs, signal });
    } catch (error) {
      signal?.throwIfAborted();
      throw new PingPreconditionError(`no node info: ${error instanceof Error ? error.message : String(error)}`, {
        cause: error,
      });
    }
  }
}
