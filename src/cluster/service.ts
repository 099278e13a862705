/**
 * ClusterService: SM's cluster service (SM's `pkg/service/cluster/service.go`): create, update, get, list and delete clusters,
 * with discovery, the connectivity check and its hints, secrets, and change listeners (default tasks on create,
 * soft-deleted tasks on delete). Also hands out cached gateway clients per cluster.
 * @module
 */
import { AgentClient } from "../clients/agent/client.ts";
import type { BackoffPolicy } from "../clients/scylla/backoff.ts";
import { ScyllaClient } from "../clients/scylla/client.ts";
import { NotFoundError, ValidationError } from "../errors.ts";
import type { ClusterRecord, Store } from "../store/store.ts";
import type { Logger } from "../util/log.ts";
import { isUuid, newUuid } from "../util/uuid.ts";
import { checkConnectivity, discoverCluster } from "./discovery.ts";
import {
  type ClusterInput,
  type ClusterJson,
  type ClusterSecrets,
  SecretKey,
  toClusterJson,
  toClusterRecord,
  validateClusterInput,
} from "./model.ts";
import { readClusterSecrets, writeClusterSecrets } from "./secrets.ts";

/** Reactions to cluster changes (the Manager creates the default tasks, the scheduler drops deleted clusters). */
export interface ClusterChangeListener {
  onClusterCreated?(cluster: ClusterRecord, options: { withoutRepair: boolean }): Promise<void>;
  onClusterUpdated?(cluster: ClusterRecord): Promise<void>;
  onClusterDeleted?(clusterId: string): Promise<void>;
}

/** Transport settings of agent clients (`agent_client` config). */
export interface AgentClientSettings {
  /** ms, default 30 000. */
  timeoutMs?: number;
  /** ms, default 3 600 000. */
  maxTimeoutMs?: number;
  backoff?: BackoffPolicy;
  interactiveBackoff?: BackoffPolicy;
}

export interface ClusterServiceOptions {
  store: Store;
  logger?: Logger;
  agentClient?: AgentClientSettings;
  /** How long a cluster's client is reused, ms (`client_cache_timeout`). Default 900 000; 0 = no cache. */
  clientCacheTtlMs?: number;
  /** Per-call timeout of discovery and the connectivity check, ms. Default 5 000 (SM). */
  discoveryTimeoutMs?: number;
  now?: () => number;
}

/** Which secrets `delete` removes; none set ⇒ the whole cluster. */
export interface DeleteClusterOptions {
  cqlCreds?: boolean;
  alternatorCreds?: boolean;
  sslUserCert?: boolean;
}

/** The clients of one cluster. */
export interface ClusterClients {
  scylla: ScyllaClient;
  agent: AgentClient;
}

/** Manages clusters in the store. */
export class ClusterService {
  readonly #store: Store;
  readonly #logger: Logger | undefined;
  readonly #listeners: ClusterChangeListener[] = [];
  readonly #settings: AgentClientSettings;
  readonly #cacheTtlMs: number;
  readonly #discoveryTimeoutMs: number;
  readonly #now: () => number;
  readonly #clients = new Map<string, { clients: ClusterClients; createdAt: number }>();

  constructor(options: ClusterServiceOptions) {
    this.#store = options.store;
    this.#logger = options.logger;
    this.#settings = options.agentClient ?? {};
    this.#cacheTtlMs = options.clientCacheTtlMs ?? 900_000;
    this.#discoveryTimeoutMs = options.discoveryTimeoutMs ?? 5_000;
    this.#now = options.now ?? Date.now;
  }

  /** Registers a change listener. */
  addListener(listener: ClusterChangeListener): void {
    this.#listeners.push(listener);
  }

  /** Every cluster, sorted by ID, with SM's "set" markers for stored credentials. */
  async list(): Promise<ClusterJson[]> {
    const records = await this.#store.listClusters();
    return Promise.all(
      records.map(async (record) => {
        const [cql, alternator] = await Promise.all([
          this.#store.getSecret(record.id, SecretKey.cqlCreds),
          this.#store.getSecret(record.id, SecretKey.alternatorCreds),
        ]);
        return toClusterJson(record, { cql: cql !== undefined, alternator: alternator !== undefined });
      }),
    );
  }

  /** One cluster by ID or name; credentials are never included. */
  async get(idOrName: string): Promise<ClusterJson> {
    return toClusterJson(await this.resolve(idOrName));
  }

  /** The stored record of a cluster by ID or name; NotFoundError (404) when missing. */
  async resolve(idOrName: string): Promise<ClusterRecord> {
    if (isUuid(idOrName)) {
      const byId = await this.#store.getCluster(idOrName.toLowerCase());
      if (byId) return byId;
    }
    const matches = (await this.#store.listClusters()).filter((cluster) => cluster.name === idOrName);
    if (matches.length > 1) throw new ValidationError(`multiple clusters share the name "${idOrName}"; use the ID`);
    const found = matches[0];
    if (!found) throw new NotFoundError(`get cluster "${idOrName}": not found`);
    return found;
  }

  /** The secrets of a cluster (for sessions and pings). */
  secrets(clusterId: string): Promise<ClusterSecrets> {
    return readClusterSecrets(this.#store, clusterId);
  }

  /**
   * Creates or updates a cluster (SM's PutCluster). `id` absent ⇒ create with a new UUID; `id` of an existing
   * cluster ⇒ update; unknown `id` ⇒ create with it. Returns the stored record and whether it was created.
   */
  async put(
    input: ClusterInput,
    options: { signal?: AbortSignal } = {},
  ): Promise<{ cluster: ClusterRecord; created: boolean }> {
    const secrets = validateClusterInput(input);
    const id = input.id ? input.id.toLowerCase() : newUuid();
    const existing = await this.#store.getCluster(id);
    const name = input.name ?? existing?.name ?? "";
    if (name !== "") {
      const taken = (await this.#store.listClusters()).some((other) => other.name === name && other.id !== id);
      if (taken) throw new ValidationError(`name "${name}" is already taken`, { hint: "pick another --name" });
    }
    const draft = toClusterRecord(id, { ...input, name }, existing?.knownHosts ?? []);
    const reachChanged =
      !existing ||
      existing.host !== draft.host ||
      existing.port !== draft.port ||
      existing.authToken !== draft.authToken ||
      existing.agentCaCert !== draft.agentCaCert ||
      existing.agentCertFingerprint !== draft.agentCertFingerprint;
    if (reachChanged) {
      const coordinators = [draft.host, ...(existing?.knownHosts ?? []).filter((host) => host !== draft.host)];
      const client = this.#createClients({ ...draft, knownHosts: coordinators }).scylla;
      try {
        const found = await discoverCluster(client, {
          coordinators,
          timeoutMs: this.#discoveryTimeoutMs,
          signal: options.signal,
        });
        await checkConnectivity(client, found.liveHosts, {
          timeoutMs: this.#discoveryTimeoutMs,
          signal: options.signal,
        });
        draft.knownHosts = found.knownHosts;
      } finally {
        client.close();
      }
    }
    const undo = await writeClusterSecrets(this.#store, id, secrets);
    try {
      await this.#store.putCluster(draft);
    } catch (error) {
      await undo();
      throw error;
    }
    if (draft.authToken === "") {
      this.#logger?.warn(`cluster ${id}: no auth token; the agents' API is not protected`);
    }
    this.#dropClients(id);
    for (const listener of this.#listeners) {
      if (existing) await listener.onClusterUpdated?.(draft);
      else await listener.onClusterCreated?.(draft, { withoutRepair: input.without_repair ?? false });
    }
    return { cluster: draft, created: !existing };
  }

  /** Deletes the cluster (and its secrets, and soft-deletes its tasks), or only the secrets named in `options`. */
  async delete(idOrName: string, options: DeleteClusterOptions = {}): Promise<void> {
    const cluster = await this.resolve(idOrName);
    if (options.cqlCreds || options.alternatorCreds || options.sslUserCert) {
      if (options.cqlCreds) await this.#store.deleteSecret(cluster.id, SecretKey.cqlCreds);
      if (options.alternatorCreds) await this.#store.deleteSecret(cluster.id, SecretKey.alternatorCreds);
      if (options.sslUserCert) await this.#store.deleteSecret(cluster.id, SecretKey.tlsIdentity);
      this.#dropClients(cluster.id);
      for (const listener of this.#listeners) await listener.onClusterUpdated?.(cluster);
      return;
    }
    await this.#store.deleteCluster(cluster.id);
    await this.#store.deleteSecrets(cluster.id);
    this.#dropClients(cluster.id);
    for (const listener of this.#listeners) await listener.onClusterDeleted?.(cluster.id);
  }

  /** Cached gateway clients of a cluster over its known hosts. */
  async clients(clusterId: string): Promise<ClusterClients> {
    const cached = this.#clients.get(clusterId);
    if (cached && this.#now() - cached.createdAt < this.#cacheTtlMs) return cached.clients;
    const cluster = await this.resolve(clusterId);
    this.#dropClients(cluster.id);
    const clients = this.#createClients(cluster);
    if (this.#cacheTtlMs > 0) this.#clients.set(cluster.id, { clients, createdAt: this.#now() });
    void this.#refreshKnownHosts(cluster, clients.scylla);
    return clients;
  }

  /** SM re-discovers the hosts whenever it builds a fresh client and persists them when they changed. */
  async #refreshKnownHosts(cluster: ClusterRecord, scylla: ScyllaClient): Promise<void> {
    try {
      const found = await discoverCluster(scylla, {
        coordinators: [cluster.host, ...cluster.knownHosts.filter((host) => host !== cluster.host)],
        timeoutMs: this.#discoveryTimeoutMs,
      });
      if (found.knownHosts.join(",") === cluster.knownHosts.join(",")) return;
      const current = await this.#store.getCluster(cluster.id);
      if (!current || current.host !== cluster.host) return;
      await this.#store.putCluster({ ...current, knownHosts: found.knownHosts });
      scylla.pool.setHosts(found.knownHosts);
    } catch (error) {
      this.#logger?.debug(
        `cluster ${cluster.id}: refresh known hosts: ${error instanceof Error ? error.message : error}`,
      );
    }
  }

  /** Closes every cached client. */
  close(): void {
    for (const id of [...this.#clients.keys()]) this.#dropClients(id);
  }

  #createClients(cluster: ClusterRecord): ClusterClients {
    const hosts = cluster.knownHosts.length > 0 ? cluster.knownHosts : [cluster.host];
    const scylla = new ScyllaClient({
      hosts,
      port: cluster.port,
      authToken: cluster.authToken,
      tls: { caCert: cluster.agentCaCert, certFingerprint: cluster.agentCertFingerprint },
      ...this.#settings,
    });
    return { scylla, agent: new AgentClient(scylla) };
  }

  #dropClients(clusterId: string): void {
    this.#clients.get(clusterId)?.clients.scylla.close();
    this.#clients.delete(clusterId);
  }
}
