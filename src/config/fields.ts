/** Small valibot building blocks for config schemas. */
import * as v from "valibot";
import { parseGoDuration } from "../util/go-duration.ts";

const DURATION_HINT = "a duration such as 30s, 50ms, 5m or 1h30m";

/**
 * A duration key: YAML text in Go syntax (or the number 0) → milliseconds. `fallback` is written in the same syntax
 * as the YAML (e.g. "1s") and parsed like user input.
 */
export function durationMs(fallback: string) {
  return v.optional(
    v.pipe(
      v.union([v.string(), v.number()], `expected ${DURATION_HINT}`),
      v.rawTransform(({ dataset, addIssue, NEVER }) => {
        const input = dataset.value;
        const ms = typeof input === "number" ? (input === 0 ? 0 : undefined) : parseGoDuration(input, { days: true });
        if (ms === undefined || ms < 0) {
          addIssue({ message: `expected ${DURATION_HINT}, got ${JSON.stringify(input)}` });
          return NEVER;
        }
        return ms;
      }),
    ),
    fallback,
  );
}

/** A non-negative integer key with a default. */
export function count(fallback: number, max = Number.MAX_SAFE_INTEGER) {
  return v.optional(v.pipe(v.number(), v.integer(), v.minValue(0), v.maxValue(max)), fallback);
}

/** A listen address `host:port` (`:5090` = all interfaces), or "" for disabled. */
export function listenAddress(fallback: string) {
  return v.optional(
    v.pipe(
      v.string(),
      v.check(
        (text) => text === "" || /^(\[[0-9a-fA-F:.]+\]|[^:\s]*):\d{1,5}$/.test(text),
        (issue) => `expected host:port such as 127.0.0.1:5080 or :5080, got ${JSON.stringify(issue.input)}`,
      ),
    ),
    fallback,
  );
}

/** A string key with a default. */
export function text(fallback = "") {
  return v.optional(v.string(), fallback);
}

/** A boolean key with a default. */
export function flag(fallback: boolean) {
  return v.optional(v.boolean(), fallback);
}

/** A key SM still accepts but no longer uses: any value passes and is dropped by the section's transform. */
export function deprecated() {
  return v.optional(v.unknown());
}

/** The `logger:` section, the same in the server's and the agent's config (SM's zap logger options). */
export const LoggerSchema = v.strictObject({
  mode: v.optional(v.picklist(["stderr", "stdout", "syslog"]), "stderr"),
  level: v.optional(v.picklist(["debug", "info", "warn", "error"]), "info"),
  encoding: v.optional(v.picklist(["json", "console"]), "json"),
  development: flag(false),
  sampling: v.optional(v.strictObject({ initial: count(1), thereafter: count(100) }), {}),
});
