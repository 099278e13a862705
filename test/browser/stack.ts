/**
 * The stack the browser tests and bench/console.ts look at: an emulated 2-DC × 3-node cluster with our agents and
 * our daemon (SQLite store, the internal `mock` task type on) on loopback 127.8.x.y, the cluster added through the
 * REST API. `bun test/browser/stack.ts` starts it alone and prints the console's address (for looking by hand).
 * @module
 */
import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import * as v from "valibot";
import { ServerConfigSchema } from "../../src/config/server.ts";
import { Manager } from "../../src/manager/manager.ts";
import { type Daemon, startDaemon } from "../../src/server/daemon.ts";
import { createSilentLogger } from "../../src/util/log.ts";
import { type EmulatedCluster, startCluster } from "../emulator/index.ts";

export interface ConsoleStack {
  cluster: EmulatedCluster;
  daemon: Daemon;
  /** `http://127.8.x.200:5080` */
  base: string;
  apiUrl: string;
  clusterId: string;
  close(): Promise<void>;
}

export interface StackOptions {
  /** Third octet of 127.8.N.x, so concurrent users of the stack do not collide. */
  net: number;
  /** Server auth_token (empty = no auth). */
  authToken?: string;
}

/** Starts the stack; `close()` stops it and removes its temp dir. */
export async function startConsoleStack({ net, authToken = "" }: StackOptions): Promise<ConsoleStack> {
  const root = mkdtempSync(join(tmpdir(), "sm-console-"));
  const ipPrefix = `127.8.${net}.`;
  const agentToken = "console-agent-token";
  const cleanups: (() => Promise<unknown>)[] = [async () => rmSync(root, { recursive: true, force: true })];
  const close = async () => {
    for (const step of cleanups.reverse()) await step().catch(() => undefined);
  };
  try {
    // Backups go to `localstorage:backups`, a directory every agent shares (as a network mount would be).
    mkdirSync(join(root, "store", "backups"), { recursive: true });
    const cluster = await startCluster({
      dcs: [3, 3],
      dir: join(root, "cluster"),
      ipPrefix,
      agents: { authToken: agentToken, config: { localstorage: { path: join(root, "store") } } },
    });
    cleanups.push(() => cluster.close());
    const config = v.parse(ServerConfigSchema, {
      http: `${ipPrefix}200:5080`,
      prometheus: `${ipPrefix}200:5090`,
      data_dir: join(root, "manager"),
      auth_token: authToken,
      logger: { level: "error" },
    });
    const logger = createSilentLogger();
    const daemon = await startDaemon([], {
      config,
      logger,
      createManager: (deps) =>
        new Manager({ store: deps.store, config, metrics: deps.metrics, logger, enableTestRunners: true }),
    });
    cleanups.push(() => daemon.close());
    const base = daemon.urls.http ?? "";
    const apiUrl = `${base}/api/v1`;
    const headers: Record<string, string> = { "content-type": "application/json" };
    if (authToken) headers.authorization = `Bearer ${authToken}`;
    const first = cluster.nodes[0];
    if (!first) throw new Error("the emulated cluster has no nodes");
    const added = await fetch(`${apiUrl}/clusters`, {
      method: "POST",
      headers,
      body: JSON.stringify({ name: "demo", host: first.ip, auth_token: agentToken }),
    });
    if (added.status !== 201) throw new Error(`cluster add: HTTP ${added.status} ${await added.text()}`);
    const clusterId = (added.headers.get("location") ?? "").split("/").pop() ?? "";
    return { cluster, daemon, base, apiUrl, clusterId, close };
  } catch (error) {
    await close();
    throw error;
  }
}

if (import.meta.main) {
  const stack = await startConsoleStack({ net: Number(process.env.CONSOLE_NET ?? 1) });
  console.log(`console: ${stack.base}/console/\nAPI: ${stack.apiUrl}\ncluster: ${stack.clusterId}`);
  process.on("SIGINT", () => void stack.close().then(() => process.exit(0)));
  process.on("SIGTERM", () => void stack.close().then(() => process.exit(0)));
}
