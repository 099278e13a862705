/**
 * Random rings and plans for the property tests and the planning bench: N nodes in D DCs with vnode tokens,
 * SimpleStrategy or NTS replica placement, tables with Zipf-like sizes.
 * @module
 */
import type { TokenRange } from "../../clients/scylla/schemas.ts";
import { buildPlan, orderPlan, type Plan, type TableInput } from "../plan.ts";
import { parseRing } from "../ring.ts";

/** Mulberry32: a small seeded PRNG. */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export interface RandomTopology {
  dcs: number[];
  tokensPerNode: number;
  /** RF per DC (NTS) or a single RF (Simple). */
  rf: number[];
  strategy: "simple" | "nts";
}

/** describe_ring of a random vnode ring. */
export function randomRing(topo: RandomTopology, random: () => number): TokenRange[] {
  const nodes: Array<{ ip: string; dc: string }> = [];
  topo.dcs.forEach((n, d) => {
    for (let i = 0; i < n; i++) nodes.push({ ip: `10.0.${d}.${i + 1}`, dc: `dc${d + 1}` });
  });
  const tokens: Array<{ t: bigint; node: number }> = [];
  for (let n = 0; n < nodes.length; n++) {
    for (let k = 0; k < topo.tokensPerNode; k++) {
      const t = BigInt(Math.floor((random() * 2 - 1) * 9.2e18));
      tokens.push({ t, node: n });
    }
  }
  tokens.sort((a, b) => (a.t < b.t ? -1 : a.t > b.t ? 1 : 0));
  const out: TokenRange[] = [];
  for (let i = 0; i < tokens.length; i++) {
    const start = tokens[(i - 1 + tokens.length) % tokens.length]?.t ?? 0n;
    const end = tokens[i]?.t ?? 0n;
    const replicas: number[] = [];
    const perDc = new Map<string, number>();
    for (let j = 0; j < tokens.length && replicas.length < nodes.length; j++) {
      const node = (tokens[(i + j) % tokens.length] as { node: number }).node;
      if (replicas.includes(node)) continue;
      const dc = nodes[node]?.dc ?? "";
      const d = Number(dc.slice(2)) - 1;
      const limit = topo.strategy === "simple" ? (topo.rf[0] ?? 1) : (topo.rf[d] ?? 0);
      const count = topo.strategy === "simple" ? replicas.length : (perDc.get(dc) ?? 0);
      if (count >= limit) continue;
      replicas.push(node);
      perDc.set(dc, (perDc.get(dc) ?? 0) + 1);
    }
    out.push({
      start_token: start.toString(),
      end_token: end.toString(),
      endpoints: replicas.map((r) => nodes[r]?.ip ?? ""),
      rpc_endpoints: [],
      endpoint_details: replicas.map((r) => ({ host: nodes[r]?.ip ?? "", datacenter: nodes[r]?.dc ?? "", rack: "r1" })),
    });
  }
  return out;
}

/** A random ordered plan: `tables` tables in `keyspaces` keyspaces (plus a system_auth table when asked). */
export function randomPlan(
  random: () => number,
  options: {
    topo: RandomTopology;
    keyspaces: number;
    tables: number;
    maxSize: number;
    threshold: number;
    systemAuth?: boolean;
  },
): Plan {
  const ring = parseRing("ks", randomRing(options.topo, random));
  const hosts = [...ring.hostDc.keys()];
  const inputs: TableInput[] = [];
  const total = options.tables + (options.systemAuth ? 1 : 0);
  for (let i = 0; i < total; i++) {
    const system = options.systemAuth && i === 0;
    const rank = 1 + Math.floor(random() * options.tables);
    const size = Math.floor(options.maxSize / rank ** 1.1);
    const sizes = new Map(hosts.map((h) => [h, Math.floor(size * (0.9 + 0.2 * random()))]));
    inputs.push({
      keyspace: system ? "system_auth" : `ks${i % options.keyspaces}`,
      table: system ? "roles" : `t${i}`,
      ring,
      tablet: false,
      sizes,
    });
  }
  const dcs = [...new Set(ring.hostDc.values())].sort();
  return orderPlan(
    buildPlan({
      tables: inputs,
      dcs,
      ignoredHosts: new Set(),
      host: "",
      smallTableThreshold: options.threshold,
      clusterSize: hosts.length,
      shards: new Map(hosts.map((h) => [h, 2])),
      memory: new Map(hosts.map((h) => [h, 8 * 1024 ** 3])),
    }),
  );
}
