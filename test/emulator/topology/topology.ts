/**
 * The cluster topology: DCs, racks, nodes with host ids and vnode tokens, and the token ring.
 * @module
 */
import { createRandom } from "../random.ts";

/** A node as the ring sees it. */
export interface TopologyNode {
  ip: string;
  dc: string;
  rack: string;
  hostId: string;
  /** Vnode tokens, sorted ascending. */
  tokens: bigint[];
}

/** A DC layout: name, node count, rack count (default: one rack per node). */
export interface DcLayout {
  name: string;
  nodes: number;
  racks?: number;
}

export interface TopologyOptions {
  dcs: DcLayout[];
  /** IP prefix up to the last octet, e.g. "127.0.50." */
  ipPrefix: string;
  seed: number;
  /** Vnode tokens per node (Scylla `num_tokens`, default 256). */
  tokensPerNode?: number;
  /**
   * Scylla's `initial_token` per node IP: the node takes exactly these tokens instead of random ones (how a cluster
   * is built to mirror another one's ring, e.g. for a 1-1 restore). Host ids stay those of the seed.
   */
  initialTokens?: ReadonlyMap<string, readonly bigint[]>;
}

/** One vnode of the ring: its token and owner. */
export interface RingEntry {
  token: bigint;
  ip: string;
}

/** The immutable cluster topology. */
export interface Topology {
  nodes: TopologyNode[];
  /** DC names in order. */
  dcs: string[];
  /** All vnodes sorted by token. */
  ring: RingEntry[];
  byIp: Map<string, TopologyNode>;
}

/** Parses `dc1:3,dc2:3` (or `dc1:6:3` for 6 nodes on 3 racks); throws naming the bad part. */
export function parseDcs(text: string): DcLayout[] {
  const layouts = text.split(",").map((part) => {
    const [name, nodes, racks, extra] = part.trim().split(":");
    const n = Number(nodes);
    const r = racks === undefined ? undefined : Number(racks);
    if (
      !name ||
      !/^[\w-]+$/.test(name) ||
      !Number.isInteger(n) ||
      n < 1 ||
      extra !== undefined ||
      (r !== undefined && (!Number.isInteger(r) || r < 1 || r > n))
    ) {
      throw new Error(`invalid --dcs part "${part}": use <dc>:<nodes>[:<racks>], e.g. dc1:3,dc2:3`);
    }
    return { name, nodes: n, ...(r === undefined ? {} : { racks: r }) };
  });
  if (new Set(layouts.map((l) => l.name)).size !== layouts.length) throw new Error(`--dcs "${text}" names a DC twice`);
  return layouts;
}

/** Last octets: sequential from 1 across DCs in order (dc1 gets .1–.3, dc2 .4–.6, ...). */
function lastOctets(dcs: DcLayout[]): number[][] {
  let next = 1;
  const out = dcs.map((d) => Array.from({ length: d.nodes }, () => next++));
  if (next > 255) throw new Error(`too many nodes (${next - 1}) for one IP prefix`);
  return out;
}

/** Builds the topology; the same options always give the same host ids and tokens. */
export function createTopology(options: TopologyOptions): Topology {
  if (!/^\d{1,3}\.\d{1,3}\.\d{1,3}\.$/.test(options.ipPrefix)) {
    throw new Error(`invalid IP prefix "${options.ipPrefix}": give the first three octets and a dot, e.g. 127.0.50.`);
  }
  const random = createRandom(options.seed);
  const perNode = options.tokensPerNode ?? 256;
  const used = new Set<bigint>();
  const octets = lastOctets(options.dcs);
  const nodes: TopologyNode[] = options.dcs.flatMap((dc, d) =>
    Array.from({ length: dc.nodes }, (_, j): TopologyNode => {
      const racks = dc.racks ?? dc.nodes;
      const tokens: bigint[] = [];
      while (tokens.length < perNode) {
        const t = random.nextI64();
        // Scylla never assigns the minimum token (it is the ring's open start).
        if (t === -(2n ** 63n) || used.has(t)) continue;
        used.add(t);
        tokens.push(t);
      }
      const ip = `${options.ipPrefix}${octets[d]?.[j]}`;
      const initial = options.initialTokens?.get(ip);
      if (initial !== undefined) tokens.splice(0, tokens.length, ...initialTokens(ip, initial));
      tokens.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
      return {
        ip,
        dc: dc.name,
        rack: `rack${(j % racks) + 1}`,
        hostId: random.uuid(),
        tokens,
      };
    }),
  );
  for (const ip of options.initialTokens?.keys() ?? []) {
    if (!nodes.some((n) => n.ip === ip)) throw new Error(`initial tokens given for ${ip}, which is not a node`);
  }
  const owners = new Map<bigint, string>();
  for (const n of nodes) {
    for (const t of n.tokens) {
      const other = owners.get(t);
      if (other !== undefined && other !== n.ip) {
        throw new Error(`token ${t} is assigned to both ${other} and ${n.ip}: initial tokens must not collide`);
      }
      owners.set(t, n.ip);
    }
  }
  const ring = nodes.flatMap((n) => n.tokens.map((token) => ({ token, ip: n.ip })));
  ring.sort((a, b) => (a.token < b.token ? -1 : a.token > b.token ? 1 : 0));
  return { nodes, dcs: options.dcs.map((d) => d.name), ring, byIp: new Map(nodes.map((n) => [n.ip, n])) };
}

/** Checks one node's `initial_token` list the way Scylla refuses bad ones (empty, duplicates, out of range). */
function initialTokens(ip: string, tokens: readonly bigint[]): bigint[] {
  if (tokens.length === 0) throw new Error(`initial tokens of ${ip}: empty`);
  const min = -(2n ** 63n);
  const max = 2n ** 63n - 1n;
  const seen = new Set<bigint>();
  for (const t of tokens) {
    if (t <= min || t > max) throw new Error(`initial tokens of ${ip}: ${t} is out of the Murmur3 token range`);
    if (seen.has(t)) throw new Error(`initial tokens of ${ip}: ${t} given twice`);
    seen.add(t);
  }
  return [...tokens];
}
