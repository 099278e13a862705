/** Plain-object deep merge used to layer config files. */

/** True for `{...}` values (not arrays, not null, not class instances). */
export function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== "object" || value === null || Array.isArray(value)) return false;
  const proto = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

/**
 * Returns `base` with `over` merged on top: objects merge key by key, anything else (arrays, scalars) replaces.
 * A `null` in `over` removes the key, so the schema default applies (YAML `key:` with no value means "unset").
 * Neither input is mutated.
 */
export function deepMerge(base: Record<string, unknown>, over: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = { ...base };
  for (const [key, value] of Object.entries(over)) {
    if (value === null || value === undefined) {
      delete out[key];
      continue;
    }
    const prev = out[key];
    out[key] = isPlainObject(prev) && isPlainObject(value) ? deepMerge(prev, value) : value;
  }
  return out;
}

/** Whether `path` exists in `value` (every segment present, values may be anything). */
export function hasPath(value: unknown, path: readonly string[]): boolean {
  let node: unknown = value;
  for (const key of path) {
    if (!isPlainObject(node) || !(key in node)) return false;
    node = node[key];
  }
  return true;
}
