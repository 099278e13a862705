/**
 * SM's own server for the interop tier: its config (state in a fresh keyspace of the Cassandra node run.sh started)
 * and its start, which waits out SM's schema migrations.
 * @module
 */
import { randomBytes } from "node:crypto";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { type Daemon, smBin, startDaemon, waitFor } from "./support.ts";

/** SM's server on `ip` (API on :5080), its config written into `dir`; resolves once it answers `/version`. */
export async function startSmServer(ip: string, dir: string): Promise<{ apiUrl: string; daemon: Daemon }> {
  const config = join(dir, "scylla-manager.yaml");
  // A fresh keyspace per run, so runs never see each other's state.
  const keyspace = `sm_interop_${randomBytes(4).toString("hex")}`;
  writeFileSync(
    config,
    [
      `http: ${ip}:5080`,
      `prometheus: ${ip}:5090`,
      `debug: ""`,
      "logger:",
      "  mode: stderr",
      "  level: info",
      "database:",
      "  hosts:",
      ...(process.env.SM_INTEROP_CASSANDRA ?? "").split(",").map((h) => `    - ${h}`),
      `  keyspace: ${keyspace}`,
      "  timeout: 10s",
      "",
    ].join("\n"),
  );
  const daemon = startDaemon([smBin("scylla-manager"), "-c", config]);
  const apiUrl = `http://${ip}:5080/api/v1`;
  // SM runs its schema migrations on first start (tens of seconds on Cassandra).
  await waitFor("SM's server", async () => (await fetch(`${apiUrl}/version`)).ok, 240_000).catch((error: unknown) => {
    throw new Error(`${(error as Error).message}\n${daemon.log().slice(-5000)}`);
  });
  return { apiUrl, daemon };
}
