/**
 * SM's version check before `incremental_mode` (`pkg/service/repair/plan.go` getRepairAPISupport): a tablet
 * repair sends the task's `incremental_mode` only when every host runs Scylla >= 2025.4 (agent `node_info`);
 * otherwise Scylla's default applies. Two 3-node clusters (127.1.8.x on 2025.4.0, 127.1.9.x on 2025.1.0), the
 * outcome read from the emulator's ledger (the mode each tablet repair ran with).
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { Cluster } from "../../src/cluster/cluster.ts";
import { Repair } from "../../src/repair/repair.ts";
import { type EmulatedCluster, startCluster } from "../emulator/index.ts";
import { uncoveredRanges } from "../emulator/repair/ledger-checks.ts";

const TOKEN = "repair-incremental";
const schema = {
  keyspaces: [
    {
      name: "tks",
      replication: { class: "NetworkTopologyStrategy", replication_factor: 3 },
      tablets: true,
      tables: [{ name: "t", size: "8MiB" }],
    },
  ],
} as never;

let recent: EmulatedCluster;
let older: EmulatedCluster;
const clusters: Cluster[] = [];

beforeAll(async () => {
  const start = (ipPrefix: string, scyllaVersion: string) =>
    startCluster({
      dcs: [3],
      ipPrefix,
      scyllaVersion,
      agents: { authToken: TOKEN },
      timeScale: 0.001,
      cql: false,
      schema,
    });
  [recent, older] = await Promise.all([start("127.1.8.", "2025.4.0"), start("127.1.9.", "2025.1.0")]);
}, 60_000);
afterAll(async () => {
  for (const c of clusters) await c.close();
  await recent?.close();
  await older?.close();
});

async function repairModes(emu: EmulatedCluster): Promise<string[]> {
  const cluster = await Cluster.connect({ host: emu.nodes[0]?.ip ?? "", authToken: TOKEN });
  clusters.push(cluster);
  const before = emu.ledger.repairs().length;
  const repair = await Repair.plan(cluster, { keyspace: ["tks"], incrementalMode: "full" });
  await repair.run();
  expect(uncoveredRanges(emu.state, "tks", "t")).toEqual([]);
  const entries = emu.ledger.repairs().slice(before);
  expect(entries.length).toBeGreaterThan(0);
  return [...new Set(entries.map((e) => e.params.incremental_mode ?? ""))];
}

describe("incremental_mode and the hosts' Scylla version", () => {
  test("every host >= 2025.4: the task's mode is sent", async () => {
    expect(await repairModes(recent)).toEqual(["full"]);
  }, 60_000);

  test("hosts below 2025.4: not sent, Scylla's default applies", async () => {
    expect(await repairModes(older)).toEqual(["incremental"]);
  }, 60_000);
});
