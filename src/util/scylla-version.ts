/**
 * SM's version constraint check (`pkg/util/version.CheckConstraint`): only the leading `X.Y[.Z]` of a Scylla
 * version counts (suffixes like `-0.20250101.abc` or `.dev` are dropped); a version without one is an error.
 * @module
 */
import { ManagerError } from "../errors.ts";

const LEADING = /^(\d+)\.(\d+)(?:\.(\d+))?/;

/** Whether `version` is at least `min` (`X.Y[.Z]`); throws SM's "Unsupported Scylla version" otherwise. */
export function scyllaVersionAtLeast(version: string, min: string): boolean {
  const v = LEADING.exec(version);
  if (v === null) throw new ManagerError(`Unsupported Scylla version: ${version}`);
  const m = LEADING.exec(min);
  if (m === null) throw new ManagerError(`invalid version constraint ${min}`);
  for (let i = 1; i <= 3; i++) {
    const a = Number(v[i] ?? 0);
    const b = Number(m[i] ?? 0);
    if (a !== b) return a > b;
  }
  return true;
}
