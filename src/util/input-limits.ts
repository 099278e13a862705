/**
 * Input limits and the valibot building blocks that enforce them at the boundary (REST bodies, query strings).
 *
 * Why: the server holds credentials for every node it manages; no request may make it unusable. A 512 MiB cluster
 * name once made the daemon grow to 3 GB and stay broken after a restart. So every size is bounded twice:
 * - the whole body, for every request, by the HTTP listener and the app (`INPUT_LIMITS.bodyBytes`; 413), and
 * - every field, by the schema that reads it (a 400 `malformed request: <field>: ...` naming the field and the
 *   limit), before anything is stored.
 *
 * Use these blocks in every new request schema (task properties of repair/backup/restore, new endpoints) instead of a
 * bare `v.string()` / `v.array()` / `v.record()`:
 *
 * ```ts
 * import * as v from "valibot";
 * import { boundedList, boundedNumber, boundedText, INPUT_LIMITS, jsonObject } from "../util/input-limits.ts";
 * const RepairPropertiesSchema = jsonObject("properties", {
 *   keyspace: v.optional(boundedList("properties.keyspace")),          // globs: ≤ 1,000 items of ≤ 1,024 chars
 *   host: v.optional(boundedText("properties.host", INPUT_LIMITS.host)),
 *   intensity: v.optional(boundedNumber("properties.intensity", { min: 0, max: 1000 })),
 * });
 * ```
 *
 * | block                         | accepts                                                                            |
 * | ----------------------------- | ---------------------------------------------------------------------------------- |
 * | `jsonObject(field, entries)`  | a JSON object (never an array, which valibot's `v.object` would let through)       |
 * | `boundedName(field)`          | a name: ≤ 255 chars, no control characters (NUL, ESC...), no lone surrogates      |
 * | `boundedText(field, max)`     | any string of at most `max` chars (and no lone surrogates)                         |
 * | `boundedList(field, ...)`     | a string array, bounded in items and item length                                   |
 * | `labelsRecord(field)`         | `{key: value}` labels: ≤ 64 entries, keys ≤ 128, values ≤ 512 chars                |
 * | `windowPoints(field)`         | a maintenance window: ≤ 512 points of ≤ 32 chars                                   |
 * | `retries(field)`              | an integer 0..100 (`num_retries`)                                                  |
 * | `boundedNumber(field, range)` | a finite number within `range` (integers only unless `integer: false`)             |
 * | `checkDurationMs(field, ms)`  | throws a 400 when a parsed duration exceeds `INPUT_LIMITS.durationMs` (10 years)   |
 *
 * The messages read `<field>: <what is wrong>, the limit is <n>`; the REST layer prefixes `malformed request: `.
 * @module
 */
import * as v from "valibot";
import { ValidationError } from "../errors.ts";

/** Every limit in one place (bytes, characters or items as named). */
export const INPUT_LIMITS = {
  /** Any request body (bytes). SM's bodies are small JSON documents; certificates are the largest part. */
  bodyBytes: 4 * 1024 * 1024,
  /** JSON nesting depth of a body (SM's documents need about 4; Go's decoder stops at 10,000). */
  jsonDepth: 64,
  /** Cluster and task names (characters). */
  name: 255,
  /** Labels per object, and each key's and value's length. */
  labels: 64,
  labelKey: 128,
  labelValue: 512,
  /** Points of a maintenance window, and the length of each. */
  windowPoints: 512,
  windowPoint: 32,
  /** `schedule.num_retries`. */
  retries: 100,
  /** Durations (`interval`, `retry_wait`, `@every`), in ms: 10 years. */
  durationMs: 3650 * 86_400_000,
  /** Short strings: hosts, cron specs, time zones, dates, types, user names. */
  text: 1024,
  /** A host name or address (DNS allows 253). */
  host: 255,
  /** Secrets and PEM/base64 documents (certificates, keys, CA bundles). */
  document: 64 * 1024,
  /** Items of a list property (keyspace globs, locations, DCs, rate limits...) and each item's length. */
  listItems: 1000,
  listItem: 1024,
  /** A `limit`-style query value (the largest 32-bit signed integer). */
  queryLimit: 2_147_483_647,
} as const;

/** Control characters (C0, DEL, C1): NUL, terminal escapes, CSI. */
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/;

/** A high surrogate without its low half, or a low one without its high half (JSON `"\ud800"`). */
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

/** A `maxLength` action (not a bare check), so the served openapi.json states the limit too. */
function lengthCheck(field: string, max: number) {
  return v.maxLength<string, number, v.ErrorMessage<v.MaxLengthIssue<string, number>>>(
    max,
    (issue) => `${field}: too long: ${String(issue.input.length)} characters, the limit is ${max}`,
  );
}

const wellFormed = (field: string) =>
  v.check(
    (value: string) => !LONE_SURROGATE.test(value),
    `${field}: not valid Unicode text (lone surrogate); send UTF-8 text`,
  );

/** A string of at most `max` characters, without lone surrogates. */
export function boundedText(field: string, max: number = INPUT_LIMITS.text) {
  return v.pipe(v.string(`${field}: expected a string`), lengthCheck(field, max), wellFormed(field));
}

/** A name (cluster, task): at most 255 characters, no control characters, no lone surrogates. */
export function boundedName(field: string) {
  return v.pipe(
    v.string(`${field}: expected a string`),
    lengthCheck(field, INPUT_LIMITS.name),
    wellFormed(field),
    v.check(
      (value) => !CONTROL.test(value),
      `${field}: control characters (NUL, escape sequences, line breaks) are not allowed in a name`,
    ),
  );
}

/** A list of strings, at most `maxItems` items of at most `maxLength` characters each. */
export function boundedList(
  field: string,
  maxItems: number = INPUT_LIMITS.listItems,
  maxLength: number = INPUT_LIMITS.listItem,
) {
  return v.pipe(
    v.array(boundedText(`${field}[]`, maxLength), `${field}: expected an array of strings`),
    v.check(
      (items) => items.length <= maxItems,
      (issue) => `${field}: too many items: ${String((issue.input as unknown[]).length)}, the limit is ${maxItems}`,
    ),
  );
}

/** Labels: `{key: value}` with at most 64 entries, keys up to 128 and values up to 512 characters. */
export function labelsRecord(field: string) {
  return v.pipe(
    v.custom<Record<string, unknown>>(
      (input) => input !== null && typeof input === "object" && !Array.isArray(input),
      `${field}: expected a JSON object of string values`,
    ),
    v.check(
      (input) => Object.keys(input).length <= INPUT_LIMITS.labels,
      (issue) =>
        `${field}: too many labels: ${Object.keys(issue.input as object).length}, the limit is ${INPUT_LIMITS.labels}`,
    ),
    v.record(
      v.pipe(
        v.string(),
        v.minLength(1, `${field}: a label key must not be empty`),
        lengthCheck(`${field} key`, INPUT_LIMITS.labelKey),
        wellFormed(`${field} key`),
        v.check((key) => !CONTROL.test(key), `${field}: control characters are not allowed in a label key`),
      ),
      boundedText(`${field} value`, INPUT_LIMITS.labelValue),
      `${field}: expected a JSON object of string values`,
    ),
  );
}

/** A maintenance window: at most 512 points of at most 32 characters (the syntax is checked by the scheduler). */
export function windowPoints(field: string) {
  return boundedList(field, INPUT_LIMITS.windowPoints, INPUT_LIMITS.windowPoint);
}

/** A finite number within `[min, max]`; integers only unless `integer` is false. */
export function boundedNumber(field: string, range: { min: number; max: number; integer?: boolean }) {
  const integer = range.integer ?? true;
  return v.pipe(
    v.number(`${field}: expected a number`),
    v.check((n) => Number.isFinite(n), `${field}: expected a finite number`),
    v.check((n) => !integer || Number.isInteger(n), `${field}: expected an integer`),
    v.check(
      (n) => n >= range.min && n <= range.max,
      (issue) => `${field}: ${String(issue.input)} is out of range, the limit is ${range.min}..${range.max}`,
    ),
  );
}

/** `num_retries`: an integer 0..100. */
export function retries(field: string) {
  return boundedNumber(field, { min: 0, max: INPUT_LIMITS.retries });
}

/** A JSON object with these entries (unknown keys ignored, as Go's decoder does); an array or a scalar is refused. */
export function jsonObject<TEntries extends v.ObjectEntries>(field: string, entries: TEntries) {
  return v.pipe(
    v.custom<Record<string, unknown>>(
      (input) => input !== null && typeof input === "object" && !Array.isArray(input),
      (issue) => `${field}: expected a JSON object, got ${describeJsonType(issue.input)}`,
    ),
    v.object(entries),
  );
}

/** Throws a 400 naming `field` when a parsed duration (ms) is beyond `max` (default 10 years). */
export function checkDurationMs(field: string, ms: number, max: number = INPUT_LIMITS.durationMs): number {
  if (!Number.isFinite(ms) || ms > max) {
    throw new ValidationError(`malformed request: ${field}: duration out of range, the limit is ${max / 86_400_000}d`);
  }
  return ms;
}

/** `array`, `string`, `number`, `boolean`, `null` or `object`, as Go's decoder names JSON values. */
export function describeJsonType(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "array";
  return typeof value;
}

/** The deepest nesting of arrays/objects in JSON `text` (strings skipped) passes `limit`; stops as soon as it does. */
export function jsonDepthExceeds(text: string, limit: number = INPUT_LIMITS.jsonDepth): boolean {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text.charCodeAt(i);
    if (inString) {
      if (ch === 0x5c) i++;
      else if (ch === 0x22) inString = false;
    } else if (ch === 0x22) inString = true;
    else if (ch === 0x5b || ch === 0x7b) {
      if (++depth > limit) return true;
    } else if (ch === 0x5d || ch === 0x7d) depth--;
  }
  return false;
}

/** Host header characters Go's net/http accepts (httpguts.ValidHostHeader) minus `@`; at most 255 + a port. */
const VALID_HOST = /^[A-Za-z0-9\-._~!$&'()*+,;=:%[\]]{1,262}$/;

/**
 * True when a Host header is safe to look at: no `/`, `?`, `#`, `@`, spaces or control characters. Servers answer
 * 400 otherwise and never route on it (Go's net/http answers `400 Bad Request: malformed Host header`).
 */
export function isValidHostHeader(host: string): boolean {
  return VALID_HOST.test(host);
}

/** HTTP methods a metric label may carry; anything else is counted as `OTHER`. */
const KNOWN_METHODS = new Set(["GET", "HEAD", "POST", "PUT", "DELETE", "PATCH", "OPTIONS"]);

/** The `method` label of a request metric: one of the standard methods or `OTHER` (bounded cardinality). */
export function methodLabel(method: string): string {
  return KNOWN_METHODS.has(method) ? method : "OTHER";
}
