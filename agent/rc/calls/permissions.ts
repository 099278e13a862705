/**
 * `operations/check-permissions`, `operations/retention-lock` and `operations/event-based-hold`. None of our
 * backends implements object retention or holds (the Backend interface has no such operation), so those options
 * answer SM's "not supported by backend" error rather than pretending.
 * @module
 */

import { checkPermissions } from "../check-permissions.ts";
import type { CallEnv, CallSpec } from "../context.ts";
import { RcError } from "../errors.ts";
import { checkTraversal, resolveFsPath } from "../fs-param.ts";

function notSupported(feature: string, provider: string): RcError {
  return new RcError(400, `${feature} is not supported by backend ${JSON.stringify(provider)}`);
}

async function checkPermissionsCall(env: CallEnv): Promise<Record<string, unknown>> {
  const loc = resolveFsPath(env.ctx, env.params, "fs", "remote");
  if (env.params.optionalString("retentionMode") !== "") throw notSupported("retention lock", loc.remote.provider);
  if (env.params.bool("eventBasedHold")) throw notSupported("event-based hold", loc.remote.provider);
  await checkPermissions(loc.backend, loc.path, env.ctx.logger);
  return {};
}

async function retentionLock(env: CallEnv): Promise<Record<string, unknown>> {
  const loc = resolveFsPath(env.ctx, env.params, "fs", "remote");
  for (const path of env.params.strings("paths")) checkTraversal("paths", path);
  throw notSupported("retention lock", loc.remote.provider);
}

async function eventBasedHold(env: CallEnv): Promise<Record<string, unknown>> {
  const loc = resolveFsPath(env.ctx, env.params, "fs", "remote");
  for (const path of env.params.strings("paths")) checkTraversal("paths", path);
  throw notSupported("event-based hold", loc.remote.provider);
}

export const PERMISSION_CALLS: Record<string, CallSpec> = {
  "operations/check-permissions": { handler: checkPermissionsCall },
  "operations/retention-lock": { handler: retentionLock },
  "operations/event-based-hold": { handler: eventBasedHold },
};
