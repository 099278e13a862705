/**
 * Replica placement for vnode keyspaces as Scylla computes it: walk the ring clockwise from a range's end token.
 * NetworkTopologyStrategy is rack-aware (first distinct racks per DC, then the skipped nodes in ring order).
 * @module
 */
import type { KeyspaceDef } from "../schema/types.ts";
import type { Topology } from "./topology.ts";

/** Replicas of the range ending at ring position `index`, in the order Scylla picks them. */
export function placeReplicas(
  topology: Topology,
  replication: KeyspaceDef["replication"],
  index: number,
  localIp: string,
): string[] {
  const cls = replication.class;
  if (cls.endsWith("LocalStrategy")) return [localIp];
  if (cls.endsWith("EverywhereStrategy")) return walkDistinct(topology, index, topology.nodes.length);
  if (cls.endsWith("SimpleStrategy")) return walkDistinct(topology, index, Number(replication.replication_factor ?? 0));
  return placeNts(topology, replication, index);
}

function walkDistinct(topology: Topology, index: number, rf: number): string[] {
  const out: string[] = [];
  const want = Math.min(rf, topology.nodes.length);
  for (let i = 0; i < topology.ring.length && out.length < want; i++) {
    const ip = topology.ring[(index + i) % topology.ring.length]?.ip ?? "";
    if (!out.includes(ip)) out.push(ip);
  }
  return out;
}

interface DcState {
  want: number;
  racks: number;
  replicas: Set<string>;
  seenRacks: Set<string>;
  skipped: string[];
}

function placeNts(topology: Topology, replication: KeyspaceDef["replication"], index: number): string[] {
  const dcs = new Map<string, DcState>();
  for (const dc of topology.dcs) {
    const rf = Number(replication[dc] ?? 0);
    if (rf <= 0) continue;
    const dcNodes = topology.nodes.filter((n) => n.dc === dc);
    dcs.set(dc, {
      want: Math.min(rf, dcNodes.length),
      racks: new Set(dcNodes.map((n) => n.rack)).size,
      replicas: new Set(),
      seenRacks: new Set(),
      skipped: [],
    });
  }
  const out: string[] = [];
  const done = (s: DcState): boolean => s.replicas.size >= s.want;
  const add = (s: DcState, ip: string): void => {
    if (s.replicas.has(ip)) return;
    s.replicas.add(ip);
    out.push(ip);
  };
  for (let i = 0; i < topology.ring.length && ![...dcs.values()].every(done); i++) {
    const ip = topology.ring[(index + i) % topology.ring.length]?.ip ?? "";
    const node = topology.byIp.get(ip);
    const s = node === undefined ? undefined : dcs.get(node.dc);
    if (node === undefined || s === undefined || done(s) || s.replicas.has(ip)) continue;
    if (s.seenRacks.size === s.racks) {
      add(s, ip);
    } else if (s.seenRacks.has(node.rack)) {
      if (!s.skipped.includes(ip)) s.skipped.push(ip);
    } else {
      add(s, ip);
      s.seenRacks.add(node.rack);
      if (s.seenRacks.size === s.racks) {
        for (const skippedIp of s.skipped) {
          if (done(s)) break;
          add(s, skippedIp);
        }
      }
    }
  }
  return out;
}
