import { describe, expect, test } from "bun:test";
import { type Batch, BatchDispatcher } from "./dispatcher.ts";
import { aggregateWorkload, type RemoteDirWorkload, type RemoteSSTable } from "./workload.ts";

function sst(id: string, size: number, extra: Partial<RemoteSSTable> = {}): RemoteSSTable {
  return {
    id,
    idType: "uuid",
    toc: `me-${id}-big-TOC.txt`,
    files: [`me-${id}-big-Data.db`, `me-${id}-big-TOC.txt`],
    size,
    versioned: false,
    ...extra,
  };
}

function dir(table: string, dc: string, sizes: number[], extra: Partial<RemoteDirWorkload> = {}): RemoteDirWorkload {
  const sstables = sizes.map((s, i) => sst(`${table}${dc}${i}`, s));
  return {
    keyspace: "ks",
    table,
    location: "s3:b",
    dc,
    nodeId: `n-${dc}`,
    remoteSstableDir: `s3:b/backup/sst/${dc}/${table}`,
    size: sizes.reduce((a, b) => a + b, 0),
    sstables,
    ...extra,
  };
}

const access = (hosts: string[], dcs: string[]) => new Map(hosts.map((h) => [h, dcs]));

describe("BatchDispatcher", () => {
  test("batch_size N takes N x shards SSTables, biggest table and SSTables first, leftovers joined", async () => {
    const workload = aggregateWorkload([dir("small", "dc1", [1, 1]), dir("big", "dc1", [5, 9, 7, 3, 2])]);
    const d = new BatchDispatcher(workload, {
      batchSize: 1,
      hostShards: new Map([["h1", 2]]),
      hostDcAccess: access(["h1"], ["dc1"]),
    });
    const first = (await d.dispatch("h1")) as Batch;
    expect(first.table).toBe("big");
    expect(first.sstables.map((s) => s.size)).toEqual([9, 7]);
    d.reportSuccess(first);
    // 3 left with 2 shards: 2 taken, then fewer than a shard count would remain, so all 3 go.
    const second = (await d.dispatch("h1")) as Batch;
    expect(second.sstables.map((s) => s.size)).toEqual([5, 3, 2]);
    d.reportSuccess(second);
    const third = (await d.dispatch("h1")) as Batch;
    expect(third.table).toBe("small");
    d.reportSuccess(third);
    expect(await d.dispatch("h1")).toBeUndefined();
    d.validateAllDispatched();
  });

  test("batch_size 0 fills up to 5% of the host's expected workload, in shard-count steps", async () => {
    const sizes = Array.from({ length: 100 }, () => 10);
    const workload = aggregateWorkload([dir("t", "dc1", sizes)]);
    // total 1000 bytes over 4 shards (2 hosts x 2): expected node workload 500, limit 25 → 2 groups of 2 (40 > 25).
    const d = new BatchDispatcher(workload, {
      batchSize: 0,
      hostShards: new Map([
        ["h1", 2],
        ["h2", 2],
      ]),
      hostDcAccess: access(["h1", "h2"], ["dc1"]),
    });
    const b = (await d.dispatch("h1")) as Batch;
    expect(b.sstables.length).toBe(4);
    expect(b.size).toBe(40);
  });

  test("a batch holds one kind of SSTable (integer vs UUID IDs, versioned or not)", async () => {
    const w = dir("t", "dc1", []);
    w.sstables = [sst("1", 10, { idType: "int" }), sst("a", 9), sst("2", 8, { idType: "int" }), sst("b", 7)];
    w.size = 34;
    const d = new BatchDispatcher(aggregateWorkload([w]), {
      batchSize: 1,
      hostShards: new Map([["h1", 1]]),
      hostDcAccess: access(["h1"], ["dc1"]),
    });
    const kinds: string[][] = [];
    for (let b = await d.dispatch("h1"); b; b = await d.dispatch("h1")) {
      kinds.push(b.sstables.map((s) => s.idType));
      d.reportSuccess(b);
    }
    for (const k of kinds) expect(new Set(k).size).toBe(1);
  });

  test("a failed batch goes to another host; the failing host is barred from that DC only", async () => {
    const workload = aggregateWorkload([dir("t", "dc1", [4, 3]), dir("u", "dc2", [2])]);
    const d = new BatchDispatcher(workload, {
      batchSize: 1,
      hostShards: new Map([
        ["h1", 1],
        ["h2", 1],
      ]),
      hostDcAccess: access(["h1", "h2"], ["dc1", "dc2"]),
    });
    const b1 = (await d.dispatch("h1")) as Batch;
    expect(b1.dc).toBe("dc1");
    // h2 takes the rest of dc1 (the last SSTable joins since fewer than a shard count would remain... 1 shard: no).
    const b2 = (await d.dispatch("h2")) as Batch;
    d.reportFailure("h1", b1);
    // h1 may not take dc1 any more; it gets dc2.
    const b3 = (await d.dispatch("h1")) as Batch;
    expect(b3.dc).toBe("dc2");
    d.reportSuccess(b3);
    d.reportSuccess(b2);
    const retried = (await d.dispatch("h2")) as Batch;
    expect(retried.sstables.map((s) => s.id)).toEqual(b1.sstables.map((s) => s.id));
    expect(d.isDone("h1")).toBe(true);
    d.reportSuccess(retried);
    expect(await d.dispatch("h2")).toBeUndefined();
    d.validateAllDispatched();
  });

  test("an idle host waits for in-flight batches and takes one over when it fails", async () => {
    const d = new BatchDispatcher(aggregateWorkload([dir("t", "dc1", [4])]), {
      batchSize: 1,
      hostShards: new Map([
        ["h1", 1],
        ["h2", 1],
      ]),
      hostDcAccess: access(["h1", "h2"], ["dc1"]),
    });
    const b = (await d.dispatch("h1")) as Batch;
    const waiting = d.dispatch("h2");
    d.reportFailure("h1", b);
    const taken = (await waiting) as Batch;
    expect(taken.sstables[0]?.id).toBe(b.sstables[0]?.id);
    d.reportFailure("h2", taken);
    expect(await d.dispatch("h2")).toBeUndefined();
    expect(() => d.validateAllDispatched()).toThrow(
      "failed to restore 1 sstables from location s3:b dc dc1 table ks.t (4 bytes)",
    );
  });

  test("hosts only get dirs of DCs they may restore", async () => {
    const d = new BatchDispatcher(aggregateWorkload([dir("t", "dc1", [4]), dir("t", "dc2", [5])]), {
      batchSize: 1,
      hostShards: new Map([
        ["a", 1],
        ["b", 1],
      ]),
      hostDcAccess: new Map([
        ["a", ["dc1"]],
        ["b", ["dc2"]],
      ]),
    });
    expect((await d.dispatch("a"))?.dc).toBe("dc1");
    expect((await d.dispatch("b"))?.dc).toBe("dc2");
  });

  test("native batches: only on hosts allowed for the location, sized to what is left of the host's workload", async () => {
    const sizes = Array.from({ length: 40 }, () => 10);
    const workload = aggregateWorkload([dir("t", "dc1", sizes)]);
    // 400 bytes over 4 shards: expected node workload 200; h1 native takes up to 200, h2 (rclone) 5% = 10 per step.
    const d = new BatchDispatcher(workload, {
      batchSize: 1,
      hostShards: new Map([
        ["h1", 2],
        ["h2", 2],
      ]),
      hostDcAccess: access(["h1", "h2"], ["dc1"]),
      nativeFor: (host, location) => host === "h1" && location === "s3:b",
    });
    const n1 = (await d.dispatch("h1")) as Batch;
    expect(n1.native).toBe(true);
    expect(n1.size).toBe(220); // shard-count steps (20 bytes) until past the 200 limit
    const r1 = (await d.dispatch("h2")) as Batch;
    expect(r1.native).toBe(false);
    expect(r1.sstables.length).toBe(2); // batch_size 1 x 2 shards
    // h1 already took its share: the next native batch is bounded by 5% (10 bytes) → one shard-count step.
    const n2 = (await d.dispatch("h1")) as Batch;
    expect(n2.native).toBe(true);
    expect(n2.sstables.length).toBe(2);
    // A failed native batch gives its bytes back to the host's share.
    d.reportFailure("h1", n2);
    expect(d.isDone("h1")).toBe(true);
  });

  test("integer-ID or versioned SSTables never go native, and a batch never mixes kinds", async () => {
    const mixed = dir("t", "dc1", [8, 7, 6, 5]);
    mixed.sstables = [sst("a", 8, { idType: "int" }), sst("b", 7), sst("c", 6, { versioned: true }), sst("d", 5)];
    const d = new BatchDispatcher(aggregateWorkload([mixed]), {
      batchSize: 0,
      hostShards: new Map([["h1", 1]]),
      hostDcAccess: access(["h1"], ["dc1"]),
      nativeFor: () => true,
    });
    const seen: Array<[string[], boolean]> = [];
    for (let b = await d.dispatch("h1"); b; b = await d.dispatch("h1")) {
      seen.push([b.sstables.map((s) => s.id), b.native]);
      d.reportSuccess(b);
    }
    expect(seen).toEqual([
      [["a"], false],
      [["b", "d"], true],
      [["c"], false],
    ]);
    d.validateAllDispatched();
  });
});
