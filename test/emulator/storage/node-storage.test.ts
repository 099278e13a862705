import { afterEach, describe, expect, test } from "bun:test";
import { existsSync, mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createClock } from "../clock.ts";
import { EmulatedClusterState, EmulatedNode } from "../cluster-state.ts";
import type { NodeSettings } from "../node-context.ts";
import { createRandom } from "../random.ts";
import { applySchemaSpec } from "../schema/spec.ts";
import { createTopology } from "../topology/topology.ts";
import { countSSTables, nodeStorage } from "./node-storage.ts";
import { parseSSTableFileName } from "./sstable-names.ts";

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

/** A cluster state with nodes but no listeners: storage only. */
function makeCluster(uuidSstableIdentifiers: boolean, reuse?: string): { state: EmulatedClusterState; dir: string } {
  const dir = reuse ?? mkdtempSync(join(tmpdir(), "b2-storage-"));
  if (reuse === undefined) dirs.push(dir);
  const topology = createTopology({
    dcs: [
      { name: "dc1", nodes: 2 },
      { name: "dc2", nodes: 1 },
    ],
    ipPrefix: "127.0.14.",
    seed: 7,
    tokensPerNode: 4,
  });
  const state = new EmulatedClusterState(topology, createClock(0), 7, 2);
  applySchemaSpec(
    state.schema,
    {
      keyspaces: [
        {
          name: "both",
          replication: { class: "NetworkTopologyStrategy", dc1: 2, dc2: 1 },
          tables: [{ name: "t", size: "20MiB" }],
        },
        {
          name: "only1",
          replication: { class: "NetworkTopologyStrategy", dc1: 2 },
          tables: [{ name: "u", size: "100KiB" }],
        },
      ],
    },
    createRandom("7:schema"),
  );
  const settings = { uuidSstableIdentifiers, shards: 2 } as NodeSettings;
  for (const n of topology.nodes) state.nodes.push(new EmulatedNode(n.ip, join(dir, n.ip, "data"), settings, state));
  return { state, dir };
}

const sstables = (path: string): string[] => readdirSync(path).filter((f) => parseSSTableFileName(f) !== undefined);

describe("node storage", () => {
  test("integer generations when uuid_sstable_identifiers is off; RF 0 in a DC means no SSTables there", () => {
    const { state } = makeCluster(false);
    const [a, , c] = state.nodes;
    if (a === undefined || c === undefined) throw new Error("nodes");
    const sa = nodeStorage(a);
    const t = sa.tableDir("both", "t");
    expect(t?.path).toMatch(/both\/t-[0-9a-f]{32}$/);
    const names = sstables(t?.path ?? "");
    expect(new Set(names.map((n) => parseSSTableFileName(n)?.generation))).toEqual(new Set(["1", "2"]));
    expect(names).toContain("me-1-big-Data.db");
    expect(countSSTables(20 * 1024 * 1024)).toBe(2);
    const u = nodeStorage(c).tableDir("only1", "u");
    expect(existsSync(u?.path ?? "")).toBe(true);
    expect(sstables(u?.path ?? "")).toEqual([]);
  });

  test("dropping a keyspace keeps its table dirs holding only the automatic snapshot", () => {
    const { state } = makeCluster(true);
    const a = state.nodes[0];
    if (a === undefined) throw new Error("nodes");
    const dir = nodeStorage(a).tableDir("both", "t")?.path ?? "";
    const before = sstables(dir);
    state.schema.dropKeyspace("both", false);
    expect(sstables(dir)).toEqual([]);
    const [snap] = readdirSync(join(dir, "snapshots"));
    expect(snap).toMatch(/^\d+-t$/);
    expect(readdirSync(join(dir, "snapshots", snap ?? "")).sort()).toEqual(before.sort());
  });
});

test("a reused data dir keeps its SSTables and integer generations continue after them", () => {
  const { state: first, dir } = makeCluster(false);
  const a = first.nodes[0];
  if (a === undefined) throw new Error("nodes");
  const path = nodeStorage(a).tableDir("both", "t")?.path ?? "";
  const before = sstables(path).sort();
  const { state: again } = makeCluster(false, dir);
  const b = again.nodes[0];
  if (b === undefined) throw new Error("nodes");
  const storage = nodeStorage(b);
  expect(sstables(path).sort()).toEqual(before);
  const max = Math.max(
    ...readdirSync(join(dir, b.ip, "data", "only1")).flatMap((t) =>
      sstables(join(dir, b.ip, "data", "only1", t)).map((f) => Number(parseSSTableFileName(f)?.generation)),
    ),
    ...before.map((f) => Number(parseSSTableFileName(f)?.generation)),
  );
  expect(Number(storage.newGeneration())).toBe(max + 1);
});
