/**
 * Our server in-process for e2e tests: a memory store, default config, a started Manager with the cluster services
 * wired, and the Hono app (call it with `app.request`, or serve its `fetch`).
 * @module
 */
import { Registry } from "prom-client";
import * as v from "valibot";
import { ServerConfigSchema } from "../../src/config/server.ts";
import { ensureClusterServices } from "../../src/healthcheck/wiring.ts";
import { Manager } from "../../src/manager/manager.ts";
import { createApp } from "../../src/server/app.ts";
import { createMemoryStore } from "../../src/store/memory.ts";
import type { Store } from "../../src/store/store.ts";
import { createSilentLogger } from "../../src/util/log.ts";

export interface InProcessServer {
  store: Store;
  metrics: Registry;
  manager: Manager;
  app: ReturnType<typeof createApp>;
}

/** Builds and starts the server's parts; close with `manager.close()`. */
export async function startInProcessServer(): Promise<InProcessServer> {
  const store = createMemoryStore();
  const config = v.parse(ServerConfigSchema, {});
  const metrics = new Registry();
  const manager = new Manager({ store, config, metrics });
  const deps = { store, config, logger: createSilentLogger(), metrics, manager };
  ensureClusterServices(deps);
  await manager.start();
  return { store, metrics, manager, app: createApp(deps) };
}

/** An answer of `callApi`: status, headers, raw text and the parsed JSON body (undefined when empty). */
export interface ApiAnswer {
  status: number;
  headers: Headers;
  text: string;
  /** `any`, as JSON.parse gives: tests read arbitrary answers. */
  json: any;
}

/** Sends `/api/v1<path>` to `app` with an optional JSON body. */
export async function callApi(
  app: ReturnType<typeof createApp>,
  method: string,
  path: string,
  body?: unknown,
): Promise<ApiAnswer> {
  const response = await app.request(`/api/v1${path}`, {
    method,
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  return { status: response.status, headers: response.headers, text, json: text === "" ? undefined : JSON.parse(text) };
}
