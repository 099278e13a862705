// Child process for the read-only tests (run as an unprivileged user when the tests run as root, since root ignores
// file modes): tries to open the store and prints the outcome as one JSON line.
import { isManagerError } from "../../errors.ts";
import { openSqliteStore } from "../sqlite/store.ts";

const [file, keyHex] = process.argv.slice(2);
try {
  const store = await openSqliteStore(file ?? "", { secretKey: new Uint8Array(Buffer.from(keyHex ?? "", "hex")) });
  await store.close();
  console.log(JSON.stringify({ ok: true }));
} catch (error) {
  const out = isManagerError(error) ? { message: error.message, hint: error.hint } : { message: String(error) };
  console.log(JSON.stringify({ ok: false, ...out }));
}
