/**
 * node_info per host, cached with a TTL (SM's config cache refreshes every 5 minutes; `healthcheck.node_info_ttl`).
 * Concurrent reads of the same host share one request. When a refresh fails, the last good answer is served
 * (SM's config cache keeps its entry too), so a node whose Scylla API hangs still has its CQL address.
 * @module
 */
import type { AgentClient } from "../clients/agent/client.ts";
import type { NodeInfo } from "../clients/agent/node-info.ts";
import type { CallOptions } from "../clients/scylla/http.ts";

export interface NodeInfoCacheOptions {
  /** ms. Default 300 000. */
  ttlMs?: number;
  now?: () => number;
}

/** A TTL cache of node_info answers. */
export class NodeInfoCache {
  readonly #agent: AgentClient;
  readonly #ttlMs: number;
  readonly #now: () => number;
  readonly #entries = new Map<string, { at: number; info: Promise<NodeInfo> }>();
  readonly #lastGood = new Map<string, NodeInfo>();

  constructor(agent: AgentClient, options: NodeInfoCacheOptions = {}) {
    this.#agent = agent;
    this.#ttlMs = options.ttlMs ?? 300_000;
    this.#now = options.now ?? Date.now;
  }

  /** The node's info, from the cache when fresh; on failure the last good answer, else the error (not cached). */
  get(host: string, options: CallOptions = {}): Promise<NodeInfo> {
    const entry = this.#entries.get(host);
    if (entry && this.#now() - entry.at < this.#ttlMs) return entry.info;
    const fetched = this.#agent.nodeInfo(host, options).then((info) => {
      this.#lastGood.set(host, info);
      return info;
    });
    const info = fetched.catch((error: unknown) => {
      if (this.#entries.get(host)?.info === info) this.#entries.delete(host);
      const stale = this.#lastGood.get(host);
      if (stale) return stale;
      throw error;
    });
    this.#entries.set(host, { at: this.#now(), info });
    return info;
  }

  /** The cached info if present and fresh, without a request. */
  peek(host: string): Promise<NodeInfo> | undefined {
    const entry = this.#entries.get(host);
    return entry && this.#now() - entry.at < this.#ttlMs ? entry.info : undefined;
  }

  /** Forgets one host, or all. */
  invalidate(host?: string): void {
    if (host === undefined) {
      this.#entries.clear();
      this.#lastGood.clear();
    } else {
      this.#entries.delete(host);
      this.#lastGood.delete(host);
    }
  }
}
