/**
 * `npm run demo`: an emulated 2-DC, 6-node Scylla cluster on 127.0.100.x with our agents, our daemon with the
 * embedded SQLite store in a temp dir, the cluster added, `sctool status` before and after stopping a node, then
 * a pointer to keep exploring. Ctrl-C stops everything and removes the temp dirs.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import * as v from "valibot";
import { runCli } from "../src/cli/main.ts";
import { ServerConfigSchema } from "../src/config/server.ts";
import { Manager } from "../src/manager/manager.ts";
import { startDaemon } from "../src/server/daemon.ts";
import { createLogger } from "../src/util/log.ts";
import { startCluster } from "../test/emulator/index.ts";

const IP_PREFIX = "127.0.100.";
const AUTH_TOKEN = "demo-token";
const API_HOST = `${IP_PREFIX}200`;
/** sctool from the sources; `bun` itself is not on the PATH after `npm ci`, `npx bun` finds the pinned one. */
const SCTOOL = "npx bun bin/sctool.ts";

const say = (text: string) => process.stdout.write(`${text}\n`);
/** Runs an sctool command in this process, printed as the command line that runs it from a clone after `npm ci`. */
const sctool = async (apiUrl: string, ...argv: string[]) => {
  say(`\n$ ${SCTOOL} --api-url ${apiUrl} ${argv.join(" ")}`);
  await runCli(["--api-url", apiUrl, ...argv]);
};

const root = mkdtempSync(join(tmpdir(), "scylla-manager-demo-"));
const cleanups: (() => Promise<unknown> | unknown)[] = [() => rmSync(root, { recursive: true, force: true })];
let cleaning: Promise<void> | undefined;
const cleanup = () => {
  cleaning ??= (async () => {
    for (const step of cleanups.reverse()) await Promise.resolve(step()).catch(() => undefined);
  })();
  return cleaning;
};
process.on("SIGINT", () => {
  say("\nStopping the demo...");
  void cleanup().then(() => process.exit(0));
});
process.on("SIGTERM", () => void cleanup().then(() => process.exit(0)));

try {
  say("Starting an emulated ScyllaDB cluster: 2 DCs × 3 nodes on 127.0.100.1-6, each with a scylla-manager-agent...");
  const cluster = await startCluster({
    dcs: [3, 3],
    dir: join(root, "cluster"),
    ipPrefix: IP_PREFIX,
    agents: { authToken: AUTH_TOKEN },
  });
  cleanups.push(() => cluster.close());

  say("Starting the Scylla Manager daemon (embedded SQLite store)...");
  const config = v.parse(ServerConfigSchema, {
    http: `${API_HOST}:5080`,
    prometheus: `${API_HOST}:5090`,
    data_dir: join(root, "manager"),
    logger: { level: "error", encoding: "console" },
  });
  const logger = createLogger({ level: "error" });
  const daemon = await startDaemon([], {
    config,
    logger,
    createManager: (deps) => new Manager({ store: deps.store, config, metrics: deps.metrics, logger }),
  });
  cleanups.push(() => daemon.close());
  const apiUrl = `${daemon.urls.http}/api/v1`;

  const first = cluster.nodes[0];
  const victim = cluster.nodes[cluster.nodes.length - 1];
  if (!first || !victim) throw new Error("the emulated cluster has no nodes");
  await sctool(apiUrl, "cluster", "add", "--host", first.ip, "--name", "demo", "--auth-token", AUTH_TOKEN);
  await sctool(apiUrl, "status", "-c", "demo");

  say(`\nStopping node ${victim.ip} (${victim.dc})...`);
  await cluster.faults.stopNode(victim.ip);
  await Bun.sleep(500);
  await sctool(apiUrl, "status", "-c", "demo");

  say(`
The demo keeps running. Explore it from another terminal:

  Console:      ${daemon.urls.http}/console/
  API explorer: ${daemon.urls.http}/ui/
  API:          ${apiUrl}
  Metrics:      ${daemon.urls.prometheus}/metrics

  ${SCTOOL} --api-url ${apiUrl} status -c demo
  ${SCTOOL} --api-url ${apiUrl} tasks -c demo
  ${SCTOOL} --api-url ${apiUrl} cluster list
  curl -s ${apiUrl}/cluster/demo/status

Press Ctrl-C to stop everything (processes are stopped, temp dirs removed).`);
  await new Promise(() => undefined);
} catch (error) {
  process.stderr.write(`demo failed: ${error instanceof Error ? error.message : String(error)}\n`);
  await cleanup();
  process.exit(1);
}
