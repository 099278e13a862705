/**
 * Optional modules of other engineers, imported lazily so the emulator works before they exist:
 * B2's `storage/routes.ts` (`registerStorageRoutes(router, node)`: snapshots, sstables load_and_stream) and
 * `repair/routes.ts` (`registerRepairRoutes(router, node)`: repair_async/status, task_manager, tablets/repair),
 * C's `cql/server.ts` (`startCqlServer(node, options)`) and `alternator/server.ts` (`startAlternatorServer(node)`),
 * D1's `agents.ts` (`startAgents(cluster, options)`).
 * @module
 */
import { existsSync } from "node:fs";
import { join } from "node:path";
import type { Closable } from "./faults/port-slot.ts";
import type { NodeContext } from "./node-context.ts";
import type { RestRouter } from "./rest/router.ts";

/**
 * Registers routes of a module into a node's router. It may return hooks: `ready` is awaited before the node's
 * ports serve (e.g. writing the data dir), `close` runs when the cluster closes (stop timers, end jobs).
 */
// biome-ignore lint/suspicious/noConfusingVoidType: registrars that return nothing are declared `void`.
export type RouteRegistrar = (router: RestRouter, node: NodeContext) => void | NodeModuleHooks;

/** Optional lifecycle hooks a route registrar returns. */
export interface NodeModuleHooks {
  ready?: Promise<void>;
  close?: () => void | Promise<void>;
}

/** What the launcher found. */
export interface OptionalModules {
  routeRegistrars: RouteRegistrar[];
  startCql?: (node: NodeContext) => Promise<Closable>;
  startAlternator?: (node: NodeContext) => Promise<Closable>;
  missing: string[];
}

async function load(file: string): Promise<Record<string, unknown> | undefined> {
  const path = join(import.meta.dir, file);
  if (!existsSync(path)) return undefined;
  return (await import(path)) as Record<string, unknown>;
}

/** Imports whatever optional modules exist; a module that exists but fails to load is an error. */
export async function loadOptionalModules(): Promise<OptionalModules> {
  const out: OptionalModules = { routeRegistrars: [], missing: [] };
  for (const [file, name] of [
    ["storage/routes.ts", "registerStorageRoutes"],
    ["repair/routes.ts", "registerRepairRoutes"],
    ["native/routes.ts", "registerNativeRoutes"],
  ] as const) {
    const mod = await load(file);
    const fn = mod?.[name];
    if (typeof fn === "function") out.routeRegistrars.push(fn as RouteRegistrar);
    else out.missing.push(`${file} (${name})`);
  }
  const cql = await load("cql/server.ts");
  if (typeof cql?.startCqlServer === "function") {
    const start = cql.startCqlServer as (node: NodeContext) => Promise<Closable>;
    out.startCql = (node) => start(node);
  } else out.missing.push("cql/server.ts (startCqlServer)");
  const alternator = await load("alternator/server.ts");
  if (typeof alternator?.startAlternatorServer === "function") {
    out.startAlternator = alternator.startAlternatorServer as (node: NodeContext) => Promise<Closable>;
  } else out.missing.push("alternator/server.ts (startAlternatorServer)");
  return out;
}
