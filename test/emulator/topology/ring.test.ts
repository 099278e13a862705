import { describe, expect, test } from "bun:test";
import { createRandom } from "../random.ts";
import type { KeyspaceDef } from "../schema/types.ts";
import { describeTabletRing, describeVnodeRing } from "./ring.ts";
import { buildTabletMap, MAX_TOKEN, MIN_TOKEN } from "./tablets.ts";
import { createTopology, type DcLayout, parseDcs, type Topology } from "./topology.ts";

const NTS = "org.apache.cassandra.locator.NetworkTopologyStrategy" as const;
const SIMPLE = "org.apache.cassandra.locator.SimpleStrategy" as const;

/** Distinct owners in ring order starting at position `index` (the reference walk). */
function ownersFrom(topology: Topology, index: number): string[] {
  const seen: string[] = [];
  for (let i = 0; i < topology.ring.length; i++) {
    const ip = topology.ring[(index + i) % topology.ring.length]?.ip ?? "";
    if (!seen.includes(ip)) seen.push(ip);
  }
  return seen;
}

/** Independent NTS: per DC, first one node per distinct rack (ring order) up to RF, then the rest in ring order. */
function expectedNts(topology: Topology, rfs: Record<string, number>, index: number): string[] {
  const order = ownersFrom(topology, index);
  const out: string[] = [];
  for (const [dc, rf] of Object.entries(rfs)) {
    const inDc = order.filter((ip) => topology.byIp.get(ip)?.dc === dc);
    const want = Math.min(rf, inDc.length);
    const racks = new Set<string>();
    const picked: string[] = [];
    for (const ip of inDc) {
      const rack = topology.byIp.get(ip)?.rack ?? "";
      if (picked.length < want && !racks.has(rack)) {
        racks.add(rack);
        picked.push(ip);
      }
    }
    for (const ip of inDc) if (picked.length < want && !picked.includes(ip)) picked.push(ip);
    out.push(...picked);
  }
  return out.sort();
}

function randomLayout(seed: number): DcLayout[] {
  const r = createRandom(seed * 7919);
  return Array.from({ length: 1 + r.int(3) }, (_, i) => {
    const nodes = 1 + r.int(6);
    return { name: `dc${i + 1}`, nodes, racks: 1 + r.int(nodes) };
  });
}

describe("vnode ring", () => {
  for (let seed = 1; seed <= 12; seed++) {
    test(`seed ${seed}: NTS and SimpleStrategy placement equal the reference; ranges cover the ring once`, () => {
      const dcs = randomLayout(seed);
      const topology = createTopology({ dcs, ipPrefix: "127.0.10.", seed, tokensPerNode: 8 + (seed % 5) * 8 });
      const rfs = Object.fromEntries(dcs.map((d, i) => [d.name, 1 + ((seed + i) % 4)]));
      const replication = {
        class: NTS,
        ...Object.fromEntries(Object.entries(rfs).map(([k, val]) => [k, String(val)])),
      } as KeyspaceDef["replication"];
      const ranges = describeVnodeRing(topology, replication, "127.0.10.1");
      expect(ranges.length).toBe(topology.nodes.reduce((n, node) => n + node.tokens.length, 0));
      ranges.forEach((range, i) => {
        expect([...range.endpoints].sort()).toEqual(expectedNts(topology, rfs, i));
        expect(range.endpoint_details.map((d) => d.host)).toEqual(range.endpoints);
      });
      // Each range once, chained: every end is the next range's start, and exactly one range wraps.
      const keys = new Set(ranges.map((r) => `${r.start_token}:${r.end_token}`));
      expect(keys.size).toBe(ranges.length);
      const byStart = new Map(ranges.map((r) => [r.start_token, r]));
      let cursor = ranges[0];
      for (let i = 0; i < ranges.length; i++) cursor = byStart.get(cursor?.end_token ?? "");
      expect(cursor).toBe(ranges[0]);
      expect(ranges.filter((r) => BigInt(r.start_token) >= BigInt(r.end_token)).length).toBe(1);

      const rf = 1 + (seed % 3);
      const simple = describeVnodeRing(topology, { class: SIMPLE, replication_factor: String(rf) }, "127.0.10.1");
      simple.forEach((range, i) => {
        expect(range.endpoints).toEqual(ownersFrom(topology, i).slice(0, rf));
      });
    });
  }

  test("LocalStrategy names the answering node; EverywhereStrategy every node", () => {
    const topology = createTopology({ dcs: parseDcs("dc1:2,dc2:2"), ipPrefix: "127.0.10.", seed: 3, tokensPerNode: 4 });
    for (const r of describeVnodeRing(
      topology,
      { class: "org.apache.cassandra.locator.LocalStrategy" },
      "127.0.10.3",
    )) {
      expect(r.endpoints).toEqual(["127.0.10.3"]);
    }
    for (const r of describeVnodeRing(
      topology,
      { class: "org.apache.cassandra.locator.EverywhereStrategy" },
      "127.0.10.3",
    )) {
      expect([...r.endpoints].sort()).toEqual(topology.nodes.map((n) => n.ip).sort());
    }
  });

  test("same seed gives the same tokens and host ids; another seed does not", () => {
    const a = createTopology({ dcs: parseDcs("dc1:3"), ipPrefix: "127.0.10.", seed: 5 });
    const b = createTopology({ dcs: parseDcs("dc1:3"), ipPrefix: "127.0.10.", seed: 5 });
    const c = createTopology({ dcs: parseDcs("dc1:3"), ipPrefix: "127.0.10.", seed: 6 });
    expect(a.nodes[0]?.tokens.length).toBe(256);
    expect(a.nodes.map((n) => n.hostId)).toEqual(b.nodes.map((n) => n.hostId));
    expect(a.ring.map((e) => e.token)).toEqual(b.ring.map((e) => e.token));
    expect(c.ring[0]?.token).not.toBe(a.ring[0]?.token);
  });

  test("bad --dcs parts are named", () => {
    expect(() => parseDcs("dc1:x")).toThrow(/invalid --dcs part "dc1:x"/);
    expect(() => parseDcs("dc1:2,dc1:2")).toThrow(/names a DC twice/);
  });
});

describe("tablets", () => {
  for (const count of [1, 2, 16, 64]) {
    test(`${count} tablets cover the token space once, RF per DC on distinct racks`, () => {
      const topology = createTopology({
        dcs: parseDcs("dc1:4:2,dc2:3"),
        ipPrefix: "127.0.10.",
        seed: count,
        tokensPerNode: 4,
      });
      const tablets = buildTabletMap(topology, { class: NTS, dc1: "2", dc2: "3" }, "id", count);
      const ranges = describeTabletRing(topology, tablets);
      expect(ranges.length).toBe(count);
      expect(ranges[0]?.start_token).toBe(MIN_TOKEN.toString());
      expect(ranges.at(-1)?.end_token).toBe(MAX_TOKEN.toString());
      for (let i = 1; i < ranges.length; i++) expect(ranges[i]?.start_token).toBe(ranges[i - 1]?.end_token);
      for (const r of ranges) {
        const dc1 = r.endpoint_details.filter((d) => d.datacenter === "dc1");
        const dc2 = r.endpoint_details.filter((d) => d.datacenter === "dc2");
        expect(dc1.length).toBe(2);
        expect(new Set(dc1.map((d) => d.rack)).size).toBe(2);
        expect(dc2.length).toBe(3);
        expect(new Set(r.endpoints).size).toBe(5);
      }
    });
  }
});
