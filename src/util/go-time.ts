/**
 * Timestamps as Go's `time.Time` marshals them to JSON (RFC 3339 with nanoseconds, trailing zeros of the fraction
 * dropped): `2026-12-03T11:45:00Z`, `2026-12-03T11:41:36.84Z`, where JavaScript's toISOString would write `.000Z`
 * and `.840Z`. SM's REST API sends that form; clients that compare strings see the same text from us.
 * @module
 */

/** Rewrites an ISO-8601 UTC timestamp (or a Date / epoch ms) in Go's form; other strings pass unchanged. */
export function goTime(value: string | number | Date): string {
  const iso = typeof value === "string" ? value : new Date(value).toISOString();
  return iso.replace(/\.(\d*?)0+Z$/, (_, kept: string) => (kept === "" ? "Z" : `.${kept}Z`));
}

/** `goTime` for a nullable value. */
export function goTimeOrNull(value: string | null | undefined): string | null {
  return value === null || value === undefined ? null : goTime(value);
}
