// Child process for the lock test: opens a store, writes one cluster, says "ready", then holds it until killed.
import { makeCluster, uuidN } from "../contract-fixtures.ts";
import { openSqliteStore } from "../sqlite/store.ts";

const [file, keyHex] = process.argv.slice(2);
const store = await openSqliteStore(file ?? "", { secretKey: new Uint8Array(Buffer.from(keyHex ?? "", "hex")) });
await store.putCluster(makeCluster(uuidN(7)));
process.stdout.write("ready\n");
// The interval references the store so it is not garbage-collected (which would close it and drop the lock).
setInterval(() => {
  if (!store) process.exit(1);
}, 1_000);
