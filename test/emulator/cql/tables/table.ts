/** A read-only table the node serves from its model (system.*, system_schema.*). */

export interface VirtualColumn {
  name: string;
  /** CQL type text, e.g. `frozen<map<text, text>>`. */
  type: string;
}

export interface VirtualTable {
  keyspace: string;
  name: string;
  columns: VirtualColumn[];
  partitionKey: string[];
  clusteringKey: string[];
  /** Rows as column name → JS value (strings for text/uuid/inet, numbers, booleans, arrays, records). */
  rows(): Array<Record<string, unknown>>;
}

/** Shorthand for declaring columns: `cols("key text", "tokens set<text>")`. */
export function cols(...specs: string[]): VirtualColumn[] {
  return specs.map((s) => {
    const at = s.indexOf(" ");
    return { name: s.slice(0, at), type: s.slice(at + 1) };
  });
}
