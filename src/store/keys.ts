/** Helpers shared by store implementations: ordering rules and JSON copies. */

/** A deep copy through JSON, so every implementation hands back exactly what a persistent one would. */
export function cloneJson<T>(value: T): T {
  if (value === undefined) return value;
  return JSON.parse(JSON.stringify(value)) as T;
}

/** Sorts records newest first by the time-UUID `idOf` gives (SM's `id timeuuid DESC` clustering). */
export function sortNewestFirst<T>(records: T[], idOf: (record: T) => string): T[] {
  return records
    .map((record) => ({ record, sortKey: timeSortKey(idOf(record)) }))
    .sort((a, b) => compareText(b.sortKey, a.sortKey))
    .map((entry) => entry.record);
}

/** Plain code-unit string order (what SQLite's BINARY collation and CQL text clustering give). */
export function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Applies a list limit: a positive integer keeps at most that many rows; 0 or less keeps all. */
export function applyLimit<T>(rows: T[], limit: number): T[] {
  return limit > 0 ? rows.slice(0, limit) : rows;
}

/**
 * Sortable text for a time-UUID: the 60-bit timestamp as 15 hex digits (time_hi without the version nibble,
 * time_mid, time_low), then the id, so text order = `compareTimeUuid` order.
 */
export function timeSortKey(id: string): string {
  const hex = id.replace(/-/g, "").toLowerCase();
  if (!/^[0-9a-f]{32}$/.test(hex)) return `~:${id}`; // not a UUID: after every UUID, in text order
  return `${hex.slice(13, 16)}${hex.slice(8, 12)}${hex.slice(0, 8)}:${id}`;
}

/** The id a `timeSortKey` was made from. */
export function idFromSortKey(sortKey: string): string {
  return sortKey.slice(sortKey.indexOf(":") + 1);
}
