/**
 * Views and secondary-index views of the cluster (`system_schema.views` over CQL), so the plan repairs a view
 * after its base table (SM's `ViewSort`, `pkg/service/repair/service.go`): without a CQL session (no
 * credentials where the cluster needs them, no reachable node) the plan is made without them, as SM does.
 * @module
 */
import type { CqlSession } from "../clients/cql/session.ts";
import { ManagerError } from "../errors.ts";
import type { Logger } from "../util/log.ts";

/** Opens a CQL session to the cluster; undefined when none can be had (e.g. no credentials). */
export type CqlSessionSource = () => Promise<CqlSession | undefined>;

/** `ks.view` → base table name. */
export type ViewMap = ReadonlyMap<string, string>;

/** Reads the views, or undefined without a session (logged). A failing query is an error, as in SM. */
export async function readViews(source: CqlSessionSource | undefined, logger?: Logger): Promise<ViewMap | undefined> {
  if (source === undefined) return undefined;
  let session: CqlSession | undefined;
  try {
    session = await source();
  } catch (error) {
    logger?.info("No cluster credentials, couldn't ensure repairing base table before its views", {
      error: (error as Error).message,
    });
    return undefined;
  }
  if (session === undefined) {
    logger?.info("No cluster credentials, couldn't ensure repairing base table before its views");
    return undefined;
  }
  try {
    const rows = await session.execute("SELECT keyspace_name, view_name, base_table_name FROM system_schema.views");
    const views = new Map<string, string>();
    for (const row of rows.rows) {
      views.set(`${row.keyspace_name}.${row.view_name}`, String(row.base_table_name ?? ""));
    }
    return views;
  } catch (error) {
    throw new ManagerError(`create repair plan: get cluster views: ${(error as Error).message}`, { cause: error });
  } finally {
    await session.shutdown().catch(() => undefined);
  }
}
