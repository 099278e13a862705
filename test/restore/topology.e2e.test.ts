import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Cluster } from "../../src/cluster/cluster.ts";
import { Restore } from "../../src/restore/restore.ts";
import { type EmulatedAgents, startAgents } from "../emulator/agents.ts";
import { type EmulatedCluster, startCluster } from "../emulator/index.ts";
import type { Ledger } from "../emulator/ledger.ts";
import type { SchemaSpec } from "../emulator/schema/types.ts";
import { snapshotFiles } from "../emulator/storage/snapshot-digests.ts";
import { testSchemaSpec } from "../emulator/storage/testing.ts";
import { writeTestBackup } from "./bucket.ts";
import { restoredOnceProblems, SOURCE_CLUSTER, SOURCE_TASK, TAG, TOKEN } from "./harness.ts";

// Restore into a different topology: a 6-node cluster (dc1:3, dc2:3 on 127.4.1.x) is backed up, then restored
// into 3 nodes in two other DCs (east:2, west:1 on 127.4.2.x, 3 shards each, other table ids), without and with
// `dc_mapping`. The source ledger's snapshots and the target ledger's loads are the judge.
const TABLES = ["ks1.small_table", "ks1.users", "ks3.blobs"];
const FAST = { jobPollSeconds: 1, loadRetryMs: 200, viewPollMs: 200 };
let root: string;
let source: Ledger;
let sourceDc: Map<string, string>;
let target: EmulatedCluster;
let agents: EmulatedAgents;

/** testSchemaSpec with replication fitted to the target's DCs (RF can't exceed a DC's nodes). */
function targetSchema(): SchemaSpec {
  const spec = testSchemaSpec();
  return {
    keyspaces: spec.keyspaces.map((k) => ({
      ...k,
      replication: { class: "NetworkTopologyStrategy", east: 2, west: 1 },
    })),
  };
}

beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), "restore-topology-"));
  mkdirSync(join(root, "bucket"));
  const src = await startCluster({ dcs: [3, 3], ipPrefix: "127.4.1.", schema: testSchemaSpec() });
  try {
    await writeTestBackup(src, {
      root,
      bucket: "bucket",
      clusterId: SOURCE_CLUSTER,
      taskId: SOURCE_TASK,
      tag: TAG,
      keyspaces: ["ks1", "ks3"],
    });
    source = src.ledger;
    sourceDc = new Map(src.nodes.map((n) => [n.ip, n.dc]));
  } finally {
    await src.close();
  }
  target = await startCluster({
    dcs: [
      { name: "east", nodes: 2 },
      { name: "west", nodes: 1 },
    ],
    ipPrefix: "127.4.2.",
    seed: 7,
    shards: 3,
    schema: targetSchema(),
  });
  agents = await startAgents(target, { authToken: TOKEN, config: { localstorage: { path: root } } });
}, 120_000);

afterAll(async () => {
  await agents?.close();
  await target?.close();
  if (root) rmSync(root, { recursive: true, force: true });
});

/** The target's table dirs (`<table>-<id>`), which differ from the source's. */
function targetDirs(): Map<string, string> {
  return new Map(
    TABLES.map((name) => {
      const [ks, t] = name.split(".") as [string, string];
      const def = target.schema.table(ks, t);
      return [name, `${t}-${def?.id.replaceAll("-", "")}`];
    }),
  );
}

async function restore(options: { dcMapping?: Record<string, string> }) {
  const cluster = await Cluster.connect({ host: target.nodes[0]?.ip as string, authToken: TOKEN });
  try {
    const since = target.ledger.loads();
    const plan = await Restore.plan(cluster, {
      location: ["localstorage:bucket"],
      snapshotTag: TAG,
      keyspace: ["ks1", "ks3"],
      batchSize: 1,
      repair: null,
      timings: FAST,
      ...options,
    });
    const result = await plan.run();
    return { since, plan, result };
  } finally {
    await cluster.close();
  }
}

const hostDc = (ip: string) => target.nodes.find((n) => n.ip === ip)?.dc;

describe("restore into a different topology", () => {
  test("6 nodes in 2 DCs restored into 3 nodes: every SSTable of every source node loaded once", async () => {
    const { since, plan, result } = await restore({});
    expect(result.progress.restored).toBe(plan.size);
    const problems = restoredOnceProblems({ source, target: target.ledger, tables: TABLES, since, dirs: targetDirs() });
    expect(problems).toEqual([]);
    // Every target node took part, and files of all six source nodes arrived.
    const loads = target.ledger.loads().filter((l) => !since.includes(l) && l.outcome === "successful");
    expect(new Set(loads.map((l) => l.host)).size).toBe(3);
  }, 180_000);

  test("dc_mapping dc1=east, dc2=west: each source DC is restored only by the nodes of its mapped DC", async () => {
    const mapping: Record<string, string> = { dc1: "east", dc2: "west" };
    const { since } = await restore({ dcMapping: mapping });
    const problems = restoredOnceProblems({
      source,
      target: target.ledger,
      tables: TABLES,
      since,
      dirs: targetDirs(),
      loadedOn: (from, to) => mapping[sourceDc.get(from) ?? ""] === hostDc(to),
    });
    expect(problems).toEqual([]);
  }, 180_000);

  test("dc_mapping dc2=east only: dc1's data is left out, dc2's is restored once by east's nodes", async () => {
    const { since, plan } = await restore({ dcMapping: { dc2: "east" } });
    const problems = restoredOnceProblems({
      source,
      target: target.ledger,
      tables: TABLES,
      since,
      dirs: targetDirs(),
      sourceHosts: (h) => sourceDc.get(h) === "dc2",
      loadedOn: (_, to) => hostDc(to) === "east",
    });
    expect(problems).toEqual([]);
    // The plan counts only the mapped DC's manifests.
    const dc2Bytes = TABLES.flatMap((name) => {
      const [ks, t] = name.split(".") as [string, string];
      return snapshotFiles(source, TAG, ks, t).filter((f) => sourceDc.get(f.host) === "dc2");
    }).reduce((sum, f) => sum + f.size, 0);
    expect(plan.size).toBe(dc2Bytes);
  }, 180_000);
});
