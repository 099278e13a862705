/**
 * Query parameter helpers that fail the way Scylla does.
 * @module
 */
import { RestError } from "./rest-error.ts";
import type { RestRequest } from "./router.ts";

/** A mandatory query parameter; missing → 400 as Scylla words it. */
export function requireParam(req: RestRequest, name: string): string {
  const value = req.query.get(name);
  if (value === null || value === "") throw new RestError(400, `Missing mandatory parameter '${name}'`);
  return value;
}

/** A boolean query parameter (`true`/`false`, case-insensitive); anything else → 400. */
export function boolParam(req: RestRequest, name: string, fallback: boolean): boolean {
  const value = req.query.get(name);
  if (value === null || value === "") return fallback;
  const lower = value.toLowerCase();
  if (lower === "true" || lower === "1") return true;
  if (lower === "false" || lower === "0") return false;
  throw new RestError(400, `Invalid value '${value}' for boolean parameter '${name}'`);
}

/** Splits `ks:table` (on the first colon, as Scylla does). */
export function splitTableName(name: string): [string, string] {
  const i = name.indexOf(":");
  if (i <= 0) throw new RestError(400, `Column family name should be in keyspace:column_family format, got '${name}'`);
  return [name.slice(0, i), name.slice(i + 1)];
}
