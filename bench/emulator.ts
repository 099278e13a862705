/**
 * `bun bench/emulator.ts`: boot time of a 6-node 2-DC cluster with the default schema (goal < 3 s), RSS at idle
 * (goal < 250 MB), REST requests/s, and a 12-node cluster with 200 tables of 256 KiB per replica (boot includes
 * writing every node's data dir, describe_ring latency).
 * Uses 127.0.13.x.
 * @module
 */
import { startCluster } from "../test/emulator/index.ts";
import type { SchemaSpec } from "../test/emulator/schema/types.ts";

const mib = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(0)} MiB`;

async function restRate(urls: string[], seconds: number, concurrency: number): Promise<number> {
  const until = performance.now() + seconds * 1000;
  let done = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async (_, w) => {
      let i = w;
      while (performance.now() < until) {
        const res = await fetch(urls[i++ % urls.length] ?? "");
        await res.arrayBuffer();
        if (res.status !== 200) throw new Error(`HTTP ${res.status} from ${res.url}`);
        done++;
      }
    }),
  );
  return done / seconds;
}

const t0 = performance.now();
const six = await startCluster({ dcs: "dc1:3,dc2:3", ipPrefix: "127.0.13." });
const boot6 = performance.now() - t0;
Bun.gc(true);
await Bun.sleep(500);
const rss6 = process.memoryUsage().rss;
const urls = six.nodes.flatMap((n) => [
  `http://${n.ip}:10000/storage_service/scylla_release_version`,
  `http://${n.ip}:10000/gossiper/endpoint/live/`,
  `http://${n.ip}:10000/storage_service/host_id`,
]);
const rate = await restRate(urls, 3, 32);
const ringStart = performance.now();
await (await fetch(`http://${six.nodes[0]?.ip}:10000/storage_service/describe_ring/ks1`)).json();
const ringMs = performance.now() - ringStart;
await six.close();

const spec: SchemaSpec = {
  keyspaces: Array.from({ length: 20 }, (_, k) => ({
    name: `bench_ks${k}`,
    replication: { class: "NetworkTopologyStrategy", replication_factor: 3 },
    tables: Array.from({ length: 10 }, (_, t) => ({ name: `t${t}`, size: "256KiB" })),
  })),
};
const t1 = performance.now();
const twelve = await startCluster({ dcs: "dc1:6,dc2:6", ipPrefix: "127.0.13.", schema: spec, seed: 2 });
const boot12 = performance.now() - t1;
const first = twelve.nodes[0]?.ip;
const r0 = performance.now();
for (let k = 0; k < 20; k++)
  await (await fetch(`http://${first}:10000/storage_service/describe_ring/bench_ks${k}`)).json();
const ring12 = (performance.now() - r0) / 20;
const names = (await (await fetch(`http://${first}:10000/column_family/name`)).json()) as string[];
const rate12 = await restRate(
  twelve.nodes.map((n) => `http://${n.ip}:10000/column_family/name`),
  2,
  32,
);
Bun.gc(true);
const rss12 = process.memoryUsage().rss;
await twelve.close();

console.log(
  `6 nodes / 2 DCs, default schema: boot ${boot6.toFixed(0)} ms (goal < 3000), idle RSS ${mib(rss6)} (goal < 250 MiB)`,
);
console.log(
  `REST: ${rate.toFixed(0)} requests/s (32 concurrent clients, info endpoints); describe_ring ks1 (1536 ranges, cold) ${ringMs.toFixed(0)} ms`,
);
console.log(
  `12 nodes / 200 tables: boot ${boot12.toFixed(0)} ms, ${names.length} column families, describe_ring ${ring12.toFixed(1)} ms avg (3072 ranges), column_family/name ${rate12.toFixed(0)} req/s, RSS ${mib(rss12)}`,
);
