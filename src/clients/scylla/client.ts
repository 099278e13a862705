/**
 * The one typed client for Scylla's REST API, reached through each node's agent
 * (`https://<host>:<port>/<scylla path>`, bearer token). Endpoints: SM's `pkg/scyllaclient/client_scylla.go`.
 * @module
 */
import { ScyllaApiError } from "../../errors.ts";
import { AgentHttpClient, type AgentHttpOptions, type CallOptions } from "./http.ts";
import { readSamples } from "./prometheus-text.ts";
import {
  type KeyspaceReplication,
  type KeyspaceType,
  MapperListSchema,
  RingSchema,
  StringListSchema,
  StringSchema,
  type TokenRange,
} from "./schemas.ts";

export type ScyllaClientOptions = AgentHttpOptions;

/** Scylla REST calls through the agents of one cluster. */
export class ScyllaClient extends AgentHttpClient {
  readonly #dcCache = new Map<string, string>();

  /** `GET /storage_service/scylla_release_version`, e.g. "2025.1.0-0.20250101.abc". */
  releaseVersion(options: CallOptions = {}): Promise<string> {
    return this.requestJson("GET", "/storage_service/scylla_release_version", StringSchema, options);
  }

  /**
   * SM's REST ping: `scylla_release_version` on one host, one attempt, with `timeoutMs` (default 1 000).
   * Resolves with the round-trip time in ms.
   */
  async ping(host: string, timeoutMs = 1_000, signal?: AbortSignal): Promise<number> {
    const result = await this.request("GET", "/storage_service/scylla_release_version", {
      host,
      timeoutMs,
      noRetry: true,
      signal,
    });
    return result.rttMs;
  }

  /** `GET /storage_service/cluster_name`: the `cluster_name` of the nodes' scylla.yaml. */
  clusterName(options: CallOptions = {}): Promise<string> {
    return this.requestJson("GET", "/storage_service/cluster_name", StringSchema, options);
  }

  /** `GET /storage_service/host_id`: IP → host ID of every node the answering node knows. */
  async hostIds(options: CallOptions = {}): Promise<Map<string, string>> {
    const pairs = await this.requestJson("GET", "/storage_service/host_id", MapperListSchema, options);
    return new Map(pairs.map((pair) => [pair.key, pair.value]));
  }

  /** `GET /snitch/datacenter?host=`; cached per client as SM does. */
  async datacenter(host: string, options: CallOptions = {}): Promise<string> {
    const cached = this.#dcCache.get(host);
    if (cached !== undefined) return cached;
    const dc = await this.requestJson("GET", "/snitch/datacenter", StringSchema, {
      ...options,
      query: { host },
    });
    this.#dcCache.set(host, dc);
    return dc;
  }

  /** `GET /snitch/rack?host=`. */
  rack(host: string, options: CallOptions = {}): Promise<string> {
    return this.requestJson("GET", "/snitch/rack", StringSchema, { ...options, query: { host } });
  }

  /** `GET /gossiper/endpoint/live/` (trailing slash included, as Scylla routes it). */
  liveEndpoints(options: CallOptions = {}): Promise<string[]> {
    return this.requestJson("GET", "/gossiper/endpoint/live/", StringListSchema, options);
  }

  /** `GET /storage_service/nodes/joining`. */
  joiningNodes(options: CallOptions = {}): Promise<string[]> {
    return this.requestJson("GET", "/storage_service/nodes/joining", StringListSchema, options);
  }

  /** `GET /storage_service/nodes/leaving`. */
  leavingNodes(options: CallOptions = {}): Promise<string[]> {
    return this.requestJson("GET", "/storage_service/nodes/leaving", StringListSchema, options);
  }

  /** `GET /storage_service/keyspaces?type=&replication=`. */
  keyspaces(
    filter: { type?: KeyspaceType; replication?: KeyspaceReplication } = {},
    options: CallOptions = {},
  ): Promise<string[]> {
    return this.requestJson("GET", "/storage_service/keyspaces", StringListSchema, {
      ...options,
      query: { type: filter.type, replication: filter.replication },
    });
  }

  /** `GET /column_family/name` split into keyspace → tables (on the first `:`; alternator GSIs hold more). */
  async tables(options: CallOptions = {}): Promise<Map<string, string[]>> {
    const names = await this.requestJson("GET", "/column_family/name", StringListSchema, options);
    const out = new Map<string, string[]>();
    for (const name of names) {
      const at = name.indexOf(":");
      if (at < 0) continue;
      const keyspace = name.slice(0, at);
      const list = out.get(keyspace) ?? [];
      list.push(name.slice(at + 1));
      out.set(keyspace, list);
    }
    return out;
  }

  /** `GET /storage_service/describe_ring/{keyspace}[?table=]` (timeout at least 5 min). Empty ring → error. */
  async describeRing(keyspace: string, table?: string, options: CallOptions = {}): Promise<TokenRange[]> {
    const timeoutMs = Math.max(options.timeoutMs ?? 0, 300_000);
    const ring = await this.requestJson(
      "GET",
      `/storage_service/describe_ring/${encodeURIComponent(keyspace)}`,
      RingSchema,
      { ...options, timeoutMs, query: { table } },
    );
    if (ring.length === 0) throw new ScyllaApiError(`describe ring of ${keyspace}: empty ring`, 0, options.host ?? "");
    return ring;
  }

  /** `GET /storage_service/tokens/{endpoint}`: the node's tokens as int64 decimal strings. */
  tokens(endpoint: string, options: CallOptions = {}): Promise<string[]> {
    return this.requestJson(
      "GET",
      `/storage_service/tokens/${encodeURIComponent(endpoint)}`,
      StringListSchema,
      options,
    );
  }

  /** Shard count of `host`: the samples of `scylla_database_total_writes` (`GET /metrics?name=database_total_writes`). */
  async shardCount(host: string, options: CallOptions = {}): Promise<number> {
    const text = await this.#metrics(host, "database_total_writes", options);
    const count = readSamples(text, "scylla_database_total_writes").length;
    if (count === 0) throw new ScyllaApiError("shard count: no scylla_database_total_writes samples", 0, host);
    return count;
  }

  /** Total memory of `host` in bytes: the sum of `scylla_memory_total_memory` samples. */
  async totalMemory(host: string, options: CallOptions = {}): Promise<number> {
    const text = await this.#metrics(host, "memory_total_memory", options);
    const samples = readSamples(text, "scylla_memory_total_memory");
    if (samples.length === 0) throw new ScyllaApiError("memory: no scylla_memory_total_memory samples", 0, host);
    return samples.reduce((sum, value) => sum + value, 0);
  }

  async #metrics(host: string, name: string, options: CallOptions): Promise<string> {
    const result = await this.request("GET", "/metrics", { ...options, host, query: { name } });
    return result.body.toString("utf8");
  }
}
