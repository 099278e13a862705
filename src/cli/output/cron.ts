/**
 * The English description of a cron spec that `sctool info` prints next to it (SM uses lnquy/cron; we use
 * cronstrue). SM's specs have an optional leading seconds field (robfig/cron), which is cronstrue's 6-field form
 * too, and the `@daily`-style descriptors, described through their expansion. `@every <duration>` has no
 * description: the caller falls back to the next activation.
 * @module
 */
import { toString as describeExpression } from "cronstrue";
import { CRON_DESCRIPTORS } from "../../scheduler/trigger.ts";

/** `At 11:00 PM, only on Saturday` for `0 23 * * SAT`; undefined when the spec has no description. */
export function describeCron(spec: string): string | undefined {
  const trimmed = spec.trim();
  if (trimmed === "" || trimmed.startsWith("@every")) return undefined;
  const expression = CRON_DESCRIPTORS[trimmed.toLowerCase()] ?? trimmed;
  // cronstrue would read a 7th field as a year; SM has none, so such a spec is not SM's and gets no description.
  if (expression.split(/\s+/).length > 6) return undefined;
  try {
    return describeExpression(expression, { throwExceptionOnParseError: true });
  } catch {
    return undefined;
  }
}
