/**
 * `operations/check-permissions`. Its object-lock checks (`retentionMode`, `eventBasedHold`) are not implemented
 * yet, so those options answer a "not supported" error rather than pretending the check passed.
 * @module
 */

import { checkPermissions } from "../check-permissions.ts";
import type { CallEnv, CallSpec } from "../context.ts";
import { RcError } from "../errors.ts";
import { type FsPath, resolveFsPath } from "../fs-param.ts";

function notSupported(feature: string, loc: FsPath): RcError {
  const provider = loc.remote.provider;
  if (loc.backend.setRetention !== undefined) {
    return new RcError(400, `check-permissions: the ${feature} check is not implemented by this agent yet`);
  }
  return new RcError(400, `${feature} is not supported by backend ${JSON.stringify(provider)}`);
}

async function checkPermissionsCall(env: CallEnv): Promise<Record<string, unknown>> {
  const loc = resolveFsPath(env.ctx, env.params, "fs", "remote");
  if (env.params.optionalString("retentionMode") !== "") throw notSupported("retention lock", loc);
  if (env.params.bool("eventBasedHold")) throw notSupported("event-based hold", loc);
  await checkPermissions(loc.backend, loc.path, env.ctx.logger);
  return {};
}

export const PERMISSION_CALLS: Record<string, CallSpec> = {
  "operations/check-permissions": { handler: checkPermissionsCall },
};
