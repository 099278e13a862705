import { expect, test } from "bun:test";
import { makeCluster } from "../manager/testing.ts";
import { createMemoryStore } from "../store/memory.ts";
import { resolveClusterParam } from "./cluster-param.ts";

test("resolves by UUID (any case) or name; 404 when missing; duplicate names refused", async () => {
  const store = createMemoryStore();
  const a = makeCluster("aaaaaaaa-aaaa-4aaa-8aaa-aaaaaaaaaaaa", "prod");
  await store.putCluster(a);
  expect((await resolveClusterParam(store, a.id.toUpperCase())).id).toBe(a.id);
  expect((await resolveClusterParam(store, "prod")).id).toBe(a.id);
  expect((await resolveClusterParam(store, "my%20prod").catch((e) => e)).status).toBe(404);
  const missing = await resolveClusterParam(store, "100%").catch((e) => e);
  expect(missing.status).toBe(404);
  expect(missing.message).toBe('get resource: get cluster "100%": not found');
  await store.putCluster(makeCluster("bbbbbbbb-bbbb-4bbb-8bbb-bbbbbbbbbbbb", "prod"));
  const dup = await resolveClusterParam(store, "prod").catch((e) => e);
  expect(dup.status).toBe(500);
  expect(dup.message).toContain("is used by 2 clusters");
});
