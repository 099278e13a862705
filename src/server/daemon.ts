/**
 * The daemon: config → logger → metrics → store → Manager → HTTP/HTTPS and Prometheus listeners, and the
 * graceful shutdown that undoes it in reverse.
 * @module
 */
import { Hono } from "hono";
import { ensureValidateBackupRunner } from "../backup/validate/wiring.ts";
import { ensureBackupService } from "../backup/wiring.ts";
import { loadServerConfig, type ServerConfig } from "../config/server.ts";
import { errorMessage, isManagerError, ManagerError } from "../errors.ts";
import { ensureClusterServices } from "../healthcheck/wiring.ts";
import { describeUnfinishedImport, readUnfinishedImport } from "../importsm/marker.ts";
import type { LeaderElector } from "../manager/leadership.ts";
import { Manager } from "../manager/manager.ts";
import { registerLeaderMetrics } from "../metrics/leader.ts";
import { createMetricsRegistry } from "../metrics/registry.ts";
import { ensureRepairService } from "../repair/wiring.ts";
import { ensureRestoreService } from "../restore/wiring.ts";
import type { CqlStore } from "../store/cql/store.ts";
import { openStore } from "../store/open.ts";
import type { Store } from "../store/store.ts";
import { createLogger, type Logger } from "../util/log.ts";
import { createApp } from "./app.ts";
import type { ServerDeps } from "./deps.ts";
import { formatHostPort, parseListenAddress } from "./listen-address.ts";
import { type FetchHandler, type ListenerTls, type NodeListener, startNodeListener } from "./node-listener.ts";
import { createConsulApp } from "./routes/consul.ts";
import { loadServerTls } from "./tls.ts";
import { MANAGER_VERSION } from "./version.ts";

/** A running daemon. */
export interface Daemon {
  deps: ServerDeps;
  /** Base URLs of the listeners that are up (`http://127.0.0.1:5080`). */
  urls: { http?: string; https?: string; prometheus?: string };
  /** Stops accepting, closes the Manager, then the store. Safe to call twice. */
  close(): Promise<void>;
}

export interface StartDaemonOptions {
  /** Use this config instead of reading files (tests). */
  config?: ServerConfig;
  logger?: Logger;
  /** Builds the Manager from the other deps (tests); default `new Manager({store, logger, metrics, config})`. */
  createManager?(deps: Omit<ServerDeps, "manager">): Manager;
}

/**
 * Starts the daemon from `configFiles` (merged in order; none = SM's default path).
 * @throws ConfigError / StoreError with a hint; nothing is left running on failure.
 */
export async function startDaemon(configFiles: readonly string[], options: StartDaemonOptions = {}): Promise<Daemon> {
  const config = options.config ?? loadServerConfig(configFiles);
  const logger =
    options.logger ??
    createLogger({
      level: config.logger.level,
      encoding: config.logger.encoding === "json" ? "json" : "console",
      // SM's `syslog` mode has no counterpart here; it logs to stderr like the default.
      stream: config.logger.mode === "stdout" ? process.stdout : process.stderr,
    });
  const metrics = createMetricsRegistry(MANAGER_VERSION);
  const store = await openStore(config);
  const servers: NodeListener[] = [];
  let manager: Manager | undefined;
  const closeAll = async () => {
    // In-flight requests get a few seconds to finish before the Manager and the store go away under them.
    await Promise.allSettled(servers.map((server) => server.close(SHUTDOWN_GRACE_MS)));
    servers.length = 0;
    if (manager) await manager.close();
    await store.close();
  };
  let lease: { setAddress(address: string): void } | undefined;
  try {
    const base = { config, logger, metrics, store };
    let leader: LeaderElector | undefined;
    if (config.store === "cql") {
      // Several servers may share a CQL store: one leads (schedules and runs), the others serve the API.
      const { CqlLeaderLease } = await import("../store/cql/lease.ts");
      const cqlLease = new CqlLeaderLease({ store: store as CqlStore, leaseMs: config.leader_lease, logger });
      lease = cqlLease;
      leader = cqlLease;
    }
    manager = options.createManager
      ? options.createManager(base)
      : new Manager({ store, logger, metrics, config, ...(leader ? { leader } : {}) });
    registerLeaderMetrics(metrics, manager);
    const deps: ServerDeps = { ...base, manager };
    // Registers the healthcheck runner with the Manager before it starts scheduling.
    ensureClusterServices(deps);
    ensureBackupService(deps);
    ensureValidateBackupRunner(deps);
    ensureRepairService(deps);
    ensureRestoreService(deps);
    await manager.start();
    const app = createApp(deps);
    const urls: Daemon["urls"] = {};
    const onError = (error: unknown) => logger.error("HTTP server", { error: errorMessage(error) });
    if (config.http !== "") {
      const server = await listen("http", config.http, app.fetch, onError);
      servers.push(server);
      urls.http = `http://${formatHostPort(server.hostname, server.port)}`;
    }
    if (config.https !== "") {
      const tls = await loadServerTls(config);
      const server = await listen("https", config.https, app.fetch, onError, tls);
      servers.push(server);
      urls.https = `https://${formatHostPort(server.hostname, server.port)}`;
    }
    if (config.prometheus !== "") {
      // Same listener kind as the API (one set of timeouts and shutdown rules); it never needs GET bodies.
      const server = await listen("prometheus", config.prometheus, createMetricsApp(deps).fetch, onError);
      servers.push(server);
      urls.prometheus = `http://${formatHostPort(server.hostname, server.port)}`;
    }
    lease?.setAddress(urls.https ?? urls.http ?? "");
    logger.info("Scylla Manager server started", { version: MANAGER_VERSION, ...urls });
    await warnOfUnfinishedImport(store, logger);
    let closing: Promise<void> | undefined;
    return {
      deps,
      urls,
      close: () => {
        closing ??= closeAll();
        return closing;
      },
    };
  } catch (error) {
    await closeAll().catch(() => undefined);
    throw error;
  }
}

/** How long shutdown waits for in-flight requests before dropping their connections. */
const SHUTDOWN_GRACE_MS = 5000;

/**
 * Listens with node:http(s) rather than Bun.serve: sctool's dry run sends a body on a GET, which Bun.serve drops
 * (see node-listener.ts).
 */
async function listen(
  key: string,
  address: string,
  fetch: FetchHandler,
  onError: (error: unknown) => void,
  tls?: ListenerTls,
): Promise<NodeListener> {
  const { hostname, port } = parseListenAddress(key, address);
  try {
    return await startNodeListener({ hostname, port, fetch, onError, ...(tls ? { tls } : {}) });
  } catch (error) {
    throw new ManagerError(`listen on ${key} address ${address}: ${errorMessage(error)}`, {
      hint: `make sure nothing else listens on ${address}, or change ${key} in the config`,
      cause: error,
    });
  }
}

/** The Prometheus listener: `/metrics` plus SM's Consul service discovery endpoints. */
export function createMetricsApp(deps: ServerDeps): Hono {
  const app = new Hono();
  app.get("/metrics", async (c) => {
    c.header("content-type", deps.metrics.contentType);
    return c.body(await deps.metrics.metrics());
  });
  app.route("/", createConsulApp(deps));
  return app;
}

/**
 * Runs the daemon until SIGTERM or SIGINT, then shuts down gracefully. Returns the process exit code.
 * Start-up errors are printed SM-style (message and hint, no stack) and give exit code 1.
 */
export async function runDaemon(configFiles: readonly string[]): Promise<number> {
  let daemon: Daemon;
  try {
    daemon = await startDaemon(configFiles);
  } catch (error) {
    const hint = isManagerError(error) && error.hint ? `\n${error.hint}` : "";
    process.stderr.write(`Error: ${errorMessage(error)}${hint}\n`);
    return 1;
  }
  const signal = await new Promise<string>((resolve) => {
    process.once("SIGTERM", () => resolve("SIGTERM"));
    process.once("SIGINT", () => resolve("SIGINT"));
  });
  const { logger } = daemon.deps;
  logger.info("Shutting down", { signal });
  // A second signal while shutting down stops at once, as impatient operators expect.
  const force = () => process.exit(1);
  process.once("SIGTERM", force);
  process.once("SIGINT", force);
  // Whatever the state (requests that never finish, runs that ignore their abort, agents that do not answer), the
  // process ends by this deadline.
  const deadline = setTimeout(() => {
    logger.error("shutdown took too long, exiting", { deadline: `${SHUTDOWN_DEADLINE_MS}ms` });
    process.exit(1);
  }, SHUTDOWN_DEADLINE_MS);
  deadline.unref();
  let code = 0;
  try {
    await daemon.close();
    logger.info("Bye");
  } catch (error) {
    logger.error("shutdown", { error: errorMessage(error) });
    code = 1;
  }
  clearTimeout(deadline);
  // Keep-alive sockets to agents, driver sessions or stray timers must not hold the process after Bye.
  setTimeout(() => process.exit(code), 500).unref();
  return code;
}

/** Longest a SIGTERM/SIGINT shutdown takes: the listeners' grace for in-flight requests plus 5 s for the rest. */
export const SHUTDOWN_DEADLINE_MS = SHUTDOWN_GRACE_MS + 5000;

/** A half-done `import-sm` leaves tasks or history missing; say so at every start until it is finished. */
async function warnOfUnfinishedImport(store: Store, logger: Logger): Promise<void> {
  const marker = await readUnfinishedImport(store).catch(() => undefined);
  if (!marker) return;
  const { message, hint } = describeUnfinishedImport(marker);
  logger.warn(message, { hint });
}
