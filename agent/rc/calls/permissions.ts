/**
 * `operations/check-permissions`: put, list, read and delete a test file; with `retentionMode` (GCS) it also sets a
 * short retention on it (and, for `unlocked` with `overrideUnlocked`, removes it again), with `eventBasedHold` it
 * sets and releases a hold. Providers without object locks answer "not supported" rather than pretending.
 * @module
 */

import { checkPermissions } from "../check-permissions.ts";
import type { CallEnv, CallSpec } from "../context.ts";
import { RcError } from "../errors.ts";
import { type FsPath, resolveFsPath } from "../fs-param.ts";

async function checkPermissionsCall(env: CallEnv): Promise<Record<string, unknown>> {
  const loc = resolveFsPath(env.ctx, env.params, "fs", "remote");
  const mode = env.params.optionalString("retentionMode").toLowerCase();
  const hold = env.params.bool("eventBasedHold");
  if (mode !== "" && mode !== "unlocked" && mode !== "locked") {
    throw new RcError(400, `retentionMode: ${JSON.stringify(mode)} is not one of "unlocked", "locked" or ""`);
  }
  if (mode !== "" && loc.backend.setRetention === undefined) throw notSupported("retention lock", loc);
  if (hold && loc.backend.setEventBasedHold === undefined) throw notSupported("event-based hold", loc);
  await checkPermissions(loc.backend, loc.path, env.ctx.logger, {
    retentionMode: mode === "" ? undefined : mode,
    overrideUnlocked: env.params.bool("overrideUnlocked"),
    eventBasedHold: hold,
  });
  return {};
}

function notSupported(feature: string, loc: FsPath): RcError {
  return new RcError(400, `${feature} is not supported by backend ${JSON.stringify(loc.remote.provider)}`);
}

export const PERMISSION_CALLS: Record<string, CallSpec> = {
  "operations/check-permissions": { handler: checkPermissionsCall },
};
