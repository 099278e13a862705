import { afterAll, beforeAll } from "bun:test";
import { describeStoreContract } from "../../src/store/contract.ts";
import { type CqlStore, openCqlStore } from "../../src/store/cql/store.ts";
import { cqlOptions, cqlSkipReason, uniqueKeyspace, wipeCqlStore } from "../support/cql-store.ts";

// The store contract suite on real Cassandra (the external tier's node), one keyspace wiped between tests.
const keyspace = uniqueKeyspace("contract");
let admin: CqlStore | undefined;

if (cqlSkipReason) {
  console.warn(`[external] skipping the CQL store contract: ${cqlSkipReason}`);
} else {
  beforeAll(async () => {
    admin = await openCqlStore(cqlOptions(keyspace));
  }, 120_000);
  afterAll(async () => {
    await admin?.client.execute(`DROP KEYSPACE IF EXISTS ${admin.keyspace}`);
    await admin?.close();
  }, 60_000);

  describeStoreContract(
    "cql (Cassandra)",
    async () => {
      if (admin) await wipeCqlStore(admin);
      return openCqlStore(cqlOptions(keyspace));
    },
    async () => openCqlStore(cqlOptions(keyspace)),
  );
}
