/**
 * Table lookups of the native API, failing with the messages Scylla's REST API uses for unknown names.
 * @module
 */
import { RestError } from "../rest/rest-error.ts";
import type { NodeStorage, TableDir } from "../storage/node-storage.ts";

/** The dir of a live table, or Scylla's 400 for an unknown keyspace or table. */
export function requireTableDir(storage: NodeStorage, keyspace: string, table: string): TableDir {
  if (storage.node.cluster.schema.keyspace(keyspace) === undefined)
    throw new RestError(400, `Can't find a keyspace ${keyspace}`);
  const dir = storage.tableDir(keyspace, table);
  if (dir === undefined) throw new RestError(400, `Can't find a column family ${table} in keyspace ${keyspace}`);
  return dir;
}
