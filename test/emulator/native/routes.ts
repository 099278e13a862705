/**
 * Native backup and restore routes of a node's Scylla REST API, mounted through `mounts.ts`. A node serves
 * `storage_service/backup` from Scylla 2025.2 and `storage_service/restore` from 2026.1; older nodes do not register
 * them, so they answer the router's 404 like any unknown route. The tasks are watched through repair's task manager
 * routes (task_status, wait_task, abort_task, list_module_tasks/snapshot|sstables_loader).
 * @module
 */
import type { NodeContext } from "../node-context.ts";
import type { RestRouter } from "../rest/router.ts";
import { startNativeBackup } from "./backup.ts";
import { NATIVE_SINCE, versionAtLeast } from "./endpoint.ts";
import { startNativeRestore } from "./restore.ts";
import { abortNativeTasks } from "./tasks.ts";

/** Registers the native routes the node's version serves; `close` aborts its running native tasks. */
export function registerNativeRoutes(router: RestRouter, node: NodeContext): { close: () => Promise<void> } {
  const version = node.settings.version;
  if (versionAtLeast(version, NATIVE_SINCE.backup))
    router.add("POST", "/storage_service/backup", (req) => startNativeBackup(node, req));
  if (versionAtLeast(version, NATIVE_SINCE.restore))
    router.add("POST", "/storage_service/restore", (req) => startNativeRestore(node, req));
  return { close: () => abortNativeTasks(node) };
}
