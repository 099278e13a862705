/**
 * Go's `omitempty` for the agent's JSON answers: SM's swagger models tag every field `omitempty`, so a zero value
 * ("", false, 0, null, an empty map or list) is left out rather than sent. Shallow: nested objects are kept as
 * they are unless empty.
 * @module
 */
export function omitEmpty(value: object): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, v] of Object.entries(value)) {
    if (v === "" || v === false || v === 0 || v === null || v === undefined) continue;
    if (Array.isArray(v) && v.length === 0) continue;
    if (typeof v === "object" && !Array.isArray(v) && Object.keys(v).length === 0) continue;
    out[key] = v;
  }
  return out;
}
