/** Resolves `keyspace.table` to the virtual table the node serves. */

import type { TableDef } from "../../schema/types.ts";
import { CqlError, ErrorCode, unconfiguredTable } from "../errors.ts";
import type { CqlNodeView } from "../node-view.ts";
import { schemaTables } from "./schema-tables.ts";
import { localTable, peersTable } from "./system-local.ts";
import type { VirtualTable } from "./table.ts";

/** Builds the lookup for one node; system.local/peers and system_schema.* come from the model, other tables are empty. */
export function createTableRegistry(node: CqlNodeView): (keyspace: string, name: string) => VirtualTable {
  const builtIn = new Map<string, VirtualTable>();
  for (const t of [localTable(node), peersTable(node), ...schemaTables(node.schema)])
    builtIn.set(`${t.keyspace}.${t.name}`, t);
  return (keyspace, name) => {
    const hit = builtIn.get(`${keyspace}.${name}`);
    if (hit) return hit;
    if (!node.schema.keyspaces().some((k) => k.name === keyspace)) {
      throw new CqlError(ErrorCode.Invalid, `Keyspace ${keyspace} does not exist`);
    }
    const def = node.schema.tables().find((t) => t.keyspace === keyspace && t.name === name);
    if (!def) throw unconfiguredTable(name);
    return userTable(def, () => node.rows?.rows(keyspace, name) ?? []);
  };
}

/** User and other tables: their columns, and whatever rows were written through CQL (usually none). */
function userTable(def: TableDef, rows: () => Array<Record<string, unknown>>): VirtualTable {
  const byPos = (kind: string) =>
    def.columns
      .filter((c) => c.kind === kind)
      .sort((a, b) => a.position - b.position)
      .map((c) => c.name);
  return {
    keyspace: def.keyspace,
    name: def.name,
    columns: def.columns.map((c) => ({ name: c.name, type: c.type })),
    partitionKey: byPos("partition_key"),
    clusteringKey: byPos("clustering"),
    rows,
  };
}
