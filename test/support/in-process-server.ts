/**
 * Our server in-process for e2e tests: a memory store, default config, a started Manager with the cluster services
 * wired, and the Hono app (call it with `app.request`, or serve its `fetch`).
 * @module
 */
import { Registry } from "prom-client";
import * as v from "valibot";
import { ensureBackupService } from "../../src/backup/wiring.ts";
import { ServerConfigSchema } from "../../src/config/server.ts";
import { ensureClusterServices } from "../../src/healthcheck/wiring.ts";
import { Manager } from "../../src/manager/manager.ts";
import { ensureRepairService } from "../../src/repair/wiring.ts";
import { createApp } from "../../src/server/app.ts";
import { createMemoryStore } from "../../src/store/memory.ts";
import type { Store } from "../../src/store/store.ts";
import { createSilentLogger } from "../../src/util/log.ts";
import { createServedDocValidator } from "./served-doc.ts";

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
  ensureRepairService(deps);
  ensureBackupService(deps);
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

let checkAnswer: ReturnType<typeof createServedDocValidator> | undefined;

/**
 * Sends `/api/v1<path>` to `app` with an optional JSON body. Every answer is also checked against the served
 * openapi.json (its status documented, its body valid for it): a mismatch throws, so the document cannot drift from
 * what the e2e tests see.
 */
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
  const json = text === "" ? undefined : JSON.parse(text);
  checkAnswer ??= createServedDocValidator();
  const problem = checkAnswer(method, path, response.status, json);
  if (problem !== "" && !problem.endsWith("not in the served document")) {
    throw new Error(`the answer does not match the served openapi.json: ${problem}`);
  }
  return { status: response.status, headers: response.headers, text, json };
}
