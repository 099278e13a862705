/**
 * Builds the shared cluster state: topology, schema, ledger, clock, node contexts, and describe_ring with caches
 * invalidated on every schema change.
 * @module
 */
import type { Clock } from "./clock.ts";
import { Ledger } from "./ledger.ts";
import type { ClusterState, NodeContext, NodeSettings } from "./node-context.ts";
import { RestError } from "./rest/rest-error.ts";
import { SchemaModel } from "./schema/model.ts";
import { describeTabletRing, describeVnodeRing, type TokenRange } from "./topology/ring.ts";
import { buildTabletMap, defaultTabletCount, type Tablet } from "./topology/tablets.ts";
import type { Topology } from "./topology/topology.ts";

/** A node whose liveness the fault API toggles. */
export class EmulatedNode implements NodeContext {
  #up = true;
  readonly hostId: string;
  readonly dc: string;
  readonly rack: string;
  readonly tokens: readonly bigint[];
  constructor(
    readonly ip: string,
    readonly dataDir: string,
    readonly settings: NodeSettings,
    readonly cluster: ClusterState,
  ) {
    const node = cluster.topology.byIp.get(ip);
    if (node === undefined) throw new Error(`node ${ip} is not in the topology`);
    this.hostId = node.hostId;
    this.dc = node.dc;
    this.rack = node.rack;
    this.tokens = node.tokens;
  }
  get up(): boolean {
    return this.#up;
  }
  /** Marks the node up or down and tells the cluster's node-state listeners. */
  setUp(up: boolean): void {
    if (this.#up === up) return;
    this.#up = up;
    (this.cluster as EmulatedClusterState).notifyNodeState(this.ip, up);
  }
}

/** Shared state of one emulated cluster; nodes are added by the launcher. */
export class EmulatedClusterState implements ClusterState {
  readonly schema: SchemaModel;
  readonly ledger = new Ledger();
  readonly nodes: EmulatedNode[] = [];
  /** Vnode rings by replication options (the topology never changes, so entries stay valid). */
  readonly #vnodeRings = new Map<string, TokenRange[]>();
  readonly #tablets = new Map<string, Tablet[]>();
  readonly #nodeListeners = new Set<(ip: string, up: boolean) => void>();

  constructor(
    readonly topology: Topology,
    readonly clock: Clock,
    readonly seed: number,
    readonly shards: number,
    tabletsEnabled = true,
  ) {
    this.schema = new SchemaModel({ datacenters: () => topology.dcs, tabletsEnabled });
    this.schema.onChange(() => {
      for (const k of this.#tablets.keys())
        if (this.schema.table(...(k.split(".") as [string, string])) === undefined) this.#tablets.delete(k);
    });
  }

  node(ip: string): EmulatedNode | undefined {
    return this.nodes.find((n) => n.ip === ip);
  }

  onNodeState(listener: (ip: string, up: boolean) => void): () => void {
    this.#nodeListeners.add(listener);
    return () => this.#nodeListeners.delete(listener);
  }

  /** Called by a node when it stops or starts. */
  notifyNodeState(ip: string, up: boolean): void {
    for (const listener of this.#nodeListeners) listener(ip, up);
  }

  liveNodes(): string[] {
    return this.nodes.filter((n) => n.up).map((n) => n.ip);
  }

  describeRing(keyspace: string, table: string | undefined, localIp: string): TokenRange[] {
    const ks = this.schema.keyspace(keyspace);
    if (ks === undefined) throw new RestError(400, `Can't find a keyspace ${keyspace}`);
    if (ks.tablets) {
      if (table === undefined || table === "") {
        throw new RestError(400, `Keyspace ${keyspace} uses tablets; describe_ring needs the table parameter`);
      }
      return describeTabletRing(this.topology, this.tabletMap(keyspace, table));
    }
    if (table !== undefined && table !== "" && this.schema.table(keyspace, table) === undefined) {
      throw new RestError(400, `Can't find a column family ${table} in keyspace ${keyspace}`);
    }
    const local = ks.replication.class.endsWith("LocalStrategy");
    // Keyspaces with equal replication share one ring.
    const cacheKey = local ? `local@${localIp}` : JSON.stringify(Object.entries(ks.replication).sort());
    let ring = this.#vnodeRings.get(cacheKey);
    if (ring === undefined) {
      ring = describeVnodeRing(this.topology, ks.replication, localIp);
      this.#vnodeRings.set(cacheKey, ring);
    }
    return ring;
  }

  tabletMap(keyspace: string, table: string): Tablet[] {
    const ks = this.schema.keyspace(keyspace);
    const t = this.schema.table(keyspace, table);
    if (ks === undefined) throw new RestError(400, `Can't find a keyspace ${keyspace}`);
    if (t === undefined) throw new RestError(400, `Can't find a column family ${table} in keyspace ${keyspace}`);
    if (!ks.tablets) throw new RestError(400, `Keyspace ${keyspace} does not use tablets`);
    const k = `${keyspace}.${table}`;
    let map = this.#tablets.get(k);
    if (map === undefined) {
      map = buildTabletMap(
        this.topology,
        ks.replication,
        t.id,
        defaultTabletCount(this.topology, this.shards, ks.initialTablets),
      );
      this.#tablets.set(k, map);
    }
    return map;
  }
}
