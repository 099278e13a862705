/** Helpers shared by store implementations: ordering rules and JSON copies. */
import { compareTimeUuid } from "../util/uuid.ts";

/** A deep copy through JSON, so every implementation hands back exactly what a persistent one would. */
export function cloneJson<T>(value: T): T {
  if (value === undefined) return value;
  return JSON.parse(JSON.stringify(value)) as T;
}

/** Newest-first order of time-UUID ids (SM's `id timeuuid DESC` clustering). */
export function compareNewestFirst(a: string, b: string): number {
  return compareTimeUuid(b, a);
}

/** Plain code-unit string order (what SQLite's BINARY collation and CQL text clustering give). */
export function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Applies a list limit: a positive integer keeps at most that many rows; 0 or less keeps all. */
export function applyLimit<T>(rows: T[], limit: number): T[] {
  return limit > 0 ? rows.slice(0, limit) : rows;
}
