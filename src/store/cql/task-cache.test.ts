import { expect, test } from "bun:test";
import { createTaskCache } from "./task-cache.ts";

/** A fake partition per cluster: its static version and its rows, and a log of full reads. */
function fakeSource() {
  const clusters = new Map<string, { version: string | null; docs: string[] }>();
  const reads: string[] = [];
  return {
    clusters,
    reads,
    source: {
      readVersion: async (id: string) => clusters.get(id)?.version ?? null,
      readVersions: async () => [...clusters].map(([clusterId, c]) => ({ clusterId, version: c.version })),
      readTasks: async (id: string) => {
        reads.push(id);
        const c = clusters.get(id);
        return { version: c?.version ?? null, docs: [...(c?.docs ?? [])] };
      },
    },
  };
}

test("a cluster's rows are read again only when its version changed", async () => {
  const fake = fakeSource();
  fake.clusters.set("c1", { version: "v1", docs: ["a"] });
  const cache = createTaskCache(fake.source);
  expect(await cache.ofCluster("c1")).toEqual(["a"]);
  expect(await cache.ofCluster("c1")).toEqual(["a"]);
  expect(fake.reads).toEqual(["c1"]);
  // Another server writes a task: new version, new rows.
  fake.clusters.set("c1", { version: "v2", docs: ["a", "b"] });
  expect(await cache.ofCluster("c1")).toEqual(["a", "b"]);
  expect(fake.reads).toEqual(["c1", "c1"]);
});

test("rows without a version (written before the column existed) are never trusted from memory", async () => {
  const fake = fakeSource();
  fake.clusters.set("c1", { version: null, docs: ["legacy"] });
  const cache = createTaskCache(fake.source);
  await cache.ofCluster("c1");
  fake.clusters.set("c1", { version: null, docs: ["legacy", "also legacy"] });
  expect(await cache.ofCluster("c1")).toEqual(["legacy", "also legacy"]);
  expect(fake.reads).toEqual(["c1", "c1"]);
});

test("an entry older than the maximum age is read again even with the same version", async () => {
  const fake = fakeSource();
  fake.clusters.set("c1", { version: "v1", docs: ["a"] });
  let now = 1_000;
  const cache = createTaskCache(fake.source, { maxAgeMs: 10_000, now: () => now });
  await cache.ofCluster("c1");
  now += 9_999;
  await cache.ofCluster("c1");
  expect(fake.reads).toEqual(["c1"]);
  // A write stamped earlier than the current version (clock skew) left the version as it was.
  fake.clusters.set("c1", { version: "v1", docs: ["a", "skewed"] });
  now += 1;
  expect(await cache.ofCluster("c1")).toEqual(["a", "skewed"]);
});

test("all() reads only the clusters whose version changed and forgets clusters that are gone", async () => {
  const fake = fakeSource();
  fake.clusters.set("c1", { version: "v1", docs: ["a"] });
  fake.clusters.set("c2", { version: "v1", docs: ["b"] });
  const cache = createTaskCache(fake.source);
  expect(await cache.all()).toEqual(["a", "b"]);
  fake.clusters.set("c2", { version: "v2", docs: ["b", "c"] });
  expect(await cache.all()).toEqual(["a", "b", "c"]);
  expect(fake.reads).toEqual(["c1", "c2", "c2"]);
  fake.clusters.delete("c1");
  expect(await cache.all()).toEqual(["b", "c"]);
  // Gone and back with the same version: read again, not answered from the forgotten entry.
  fake.clusters.set("c1", { version: "v1", docs: ["z"] });
  expect(await cache.ofCluster("c1")).toEqual(["z"]);
});

test("shared records are decoded once per version, frozen, sorted, and replaced when the version changes", async () => {
  const fake = fakeSource();
  fake.clusters.set("c1", { version: "v1", docs: ['{"id":"b"}', '{"id":"a","labels":{"x":"1"}}'] });
  const cache = createTaskCache<{ id: string; labels?: Record<string, string> }>(fake.source, {
    order: (x, y) => x.id.localeCompare(y.id),
  });
  const first = await cache.sharedOfCluster("c1");
  expect(first.map((t) => t.id)).toEqual(["a", "b"]);
  expect(Object.isFrozen(first[0]) && Object.isFrozen(first[0]?.labels)).toBe(true);
  expect(() => {
    (first[0]?.labels as Record<string, string>).x = "changed";
  }).toThrow();
  expect(await cache.sharedOfCluster("c1")).toBe(first);
  // Plain listings still get their own copies.
  const copies = (await cache.ofCluster("c1")).map((doc) => JSON.parse(doc));
  expect(copies).toHaveLength(2);
  fake.clusters.set("c1", { version: "v2", docs: ['{"id":"c"}'] });
  const second = await cache.sharedOfCluster("c1");
  expect(second).not.toBe(first);
  expect(second.map((t) => t.id)).toEqual(["c"]);
  expect((await cache.sharedAll()).map((t) => t.id)).toEqual(["c"]);
  expect(fake.reads).toEqual(["c1", "c1"]);
});
