/**
 * `GET /cluster/{id}/backups/schema` (SM's `GetSchema`): the rows of the CQL schema file (`DESCRIBE SCHEMA WITH
 * INTERNALS`) backed up with a snapshot, found by tag in one location (optionally only one cluster's or task's).
 * @module
 */
import { gunzipSync } from "node:zlib";
import { ManagerError, NotFoundError } from "../../errors.ts";
import { type Location, locationRemotePath } from "../layout/location.ts";
import { parseSchemaFileName, SCHEMA_DIR } from "../layout/paths.ts";
import type { BackupReadAccess } from "./access.ts";

/** One `DESCRIBE SCHEMA WITH INTERNALS` row. */
export interface DescribedSchemaRow {
  keyspace: string;
  type: string;
  name: string;
  cql_stmt: string;
}

/** Which schema files count. */
export interface SchemaFilter {
  clusterId?: string;
  taskId?: string;
}

/** The bucket-relative path of the one CQL schema file of `tag` (SM's errors on none or several). */
export async function findSchemaFile(
  access: BackupReadAccess,
  host: string,
  location: Location,
  tag: string,
  filter: SchemaFilter,
): Promise<string> {
  const base = filter.clusterId ? `${SCHEMA_DIR}/cluster/${filter.clusterId}` : `${SCHEMA_DIR}/cluster`;
  const items = await access.client.list(host, locationRemotePath(location, base), {
    filesOnly: true,
    recurse: filter.clusterId === undefined,
  });
  let found: string | undefined;
  for (const item of items) {
    const name = item.Path.slice(item.Path.lastIndexOf("/") + 1);
    const parsed = parseSchemaFileName(name);
    if (parsed === undefined || parsed.kind !== "cql" || parsed.snapshotTag !== tag) continue;
    if (filter.taskId && parsed.taskId !== filter.taskId) continue;
    if (found !== undefined) {
      throw new ManagerError(`multiple cql schema files found (${found}, ${item.Path})`, {
        hint: "pass query_cluster_id and query_task_id to choose one",
      });
    }
    found = item.Path;
  }
  if (found === undefined) throw new NotFoundError("get schema file path: no cql schema file found in backup location");
  return `${base}/${found}`;
}

/** Reads the CQL schema of snapshot `tag` from `location` through `host`. */
export async function describeBackupSchema(
  access: BackupReadAccess,
  host: string,
  location: Location,
  tag: string,
  filter: SchemaFilter = {},
): Promise<{ schema: DescribedSchemaRow[] }> {
  const path = await findSchemaFile(access, host, location, tag, filter);
  const bytes = await access.client.cat(host, locationRemotePath(location, path));
  let rows: unknown;
  try {
    rows = JSON.parse(gunzipSync(bytes).toString("utf8"));
  } catch (error) {
    throw new ManagerError(`read cql schema file ${path}: ${error instanceof Error ? error.message : String(error)}`);
  }
  const list = Array.isArray(rows) ? rows : [];
  return {
    schema: list.map((row) => {
      const r = (row ?? {}) as Record<string, unknown>;
      const s = (k: string) => (typeof r[k] === "string" ? (r[k] as string) : "");
      return { keyspace: s("keyspace"), type: s("type"), name: s("name"), cql_stmt: s("cql_stmt") };
    }),
  };
}
