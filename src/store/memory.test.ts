import { expect, test } from "bun:test";
import { describeStoreContract } from "./contract.ts";
import { makeCluster, uuidN } from "./contract-fixtures.ts";
import { createMemoryStore } from "./memory.ts";

describeStoreContract("memory", async () => createMemoryStore());

test("memory stores are independent", async () => {
  const a = createMemoryStore();
  const b = createMemoryStore();
  await a.putCluster(makeCluster(uuidN(1)));
  expect(await b.listClusters()).toEqual([]);
  await Promise.all([a.close(), b.close()]);
});
