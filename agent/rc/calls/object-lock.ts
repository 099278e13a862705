/**
 * `operations/retention-lock` and `operations/event-based-hold` (SM's agent, GCS only): object retention or an
 * event-based hold on up to 10,000 objects of one directory per call. Both are meant as async jobs; `job/progress`
 * reports each object done as one "uploaded" byte and each failed one as one "failed" byte, so a caller can show
 * progress in objects. Every object is tried; the job fails when any failed, naming how many and the first error.
 * Providers without object locks answer 400 before a job is started.
 * @module
 */
import type { Backend, ObjectRetention } from "../../providers/provider.ts";
import type { CallEnv, CallSpec } from "../context.ts";
import { badParam, RcError, statusOf } from "../errors.ts";
import { checkTraversal, type FsPath, resolveFsPath } from "../fs-param.ts";

/** SM's limit of paths per call. */
export const MAX_LOCK_PATHS = 10_000;
/** Objects patched at once per call (one small metadata request each). */
const CONCURRENCY = 16;

function notSupported(feature: string, provider: string): RcError {
  return new RcError(400, `${feature} is not supported by provider ${JSON.stringify(provider)}: only gcs has it`);
}

function lockPaths(env: CallEnv): { loc: FsPath; paths: string[] } {
  const loc = resolveFsPath(env.ctx, env.params, "fs", "remote");
  const paths = env.params.strings("paths");
  if (paths.length > MAX_LOCK_PATHS) {
    throw badParam(`too many paths: ${paths.length}, at most ${MAX_LOCK_PATHS} per call`);
  }
  for (const path of paths) {
    checkTraversal("paths", path);
    if (path.split("/").every((s) => s === "" || s === "."))
      throw badParam(`paths: ${JSON.stringify(path)} is not a file`);
  }
  return { loc, paths };
}

/** `retentionMode` + `retainUntil`: a retention, or null to remove it ("" mode). */
function retentionParam(env: CallEnv): ObjectRetention | null {
  const mode = env.params.optionalString("retentionMode").toLowerCase();
  if (mode === "") return null;
  if (mode !== "unlocked" && mode !== "locked") {
    throw badParam(`retentionMode: ${JSON.stringify(mode)} is not one of "unlocked", "locked" or ""`);
  }
  const raw = env.params.string("retainUntil");
  const retainUntil = new Date(raw);
  if (!/^\d{4}-\d{2}-\d{2}T/.test(raw) || Number.isNaN(retainUntil.getTime())) {
    throw badParam(`retainUntil: ${JSON.stringify(raw)} is not an RFC 3339 date-time`);
  }
  return { mode, retainUntil };
}

/** Applies `apply` to every path, counting objects in the call's stats group. */
async function forEachObject(
  env: CallEnv,
  loc: FsPath,
  paths: readonly string[],
  apply: (backend: Backend, path: string) => Promise<void>,
): Promise<void> {
  const stats = env.ctx.stats.group(env.group);
  let failed = 0;
  let firstError: unknown;
  let next = 0;
  const worker = async () => {
    while (next < paths.length && !env.signal.aborted) {
      const rel = paths[next++] as string;
      const path = [loc.path, rel].filter((p) => p !== "").join("/");
      try {
        await apply(loc.backend, path);
        stats.uploadedBytes += 1;
      } catch (error) {
        failed++;
        firstError ??= error;
        stats.failedBytes += 1;
        stats.errors++;
        stats.lastError = (error as Error).message;
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(CONCURRENCY, paths.length) }, worker));
  env.signal.throwIfAborted();
  if (firstError !== undefined) {
    throw new RcError(
      paths.length === 1 ? statusOf(firstError) : 500,
      `${failed} of ${paths.length} objects failed, first: ${(firstError as Error).message}`,
      { cause: firstError },
    );
  }
}

async function retentionLock(env: CallEnv): Promise<Record<string, unknown>> {
  const { loc, paths } = lockPaths(env);
  const retention = retentionParam(env);
  const overrideUnlocked = env.params.bool("overrideUnlocked");
  const set = loc.backend.setRetention;
  if (set === undefined) throw notSupported("retention lock", loc.remote.provider);
  await forEachObject(env, loc, paths, (backend, path) => set.call(backend, path, retention, { overrideUnlocked }));
  return {};
}

async function eventBasedHold(env: CallEnv): Promise<Record<string, unknown>> {
  const { loc, paths } = lockPaths(env);
  const hold = env.params.bool("eventBasedHold");
  const set = loc.backend.setEventBasedHold;
  if (set === undefined) throw notSupported("event-based hold", loc.remote.provider);
  await forEachObject(env, loc, paths, (backend, path) => set.call(backend, path, hold));
  return {};
}

/** Bad input and unsupported providers are answered at once, not as a failed job. */
async function precheck(env: CallEnv, feature: string, method: "setRetention" | "setEventBasedHold"): Promise<void> {
  const { loc } = lockPaths(env);
  if (method === "setRetention") retentionParam(env);
  if (loc.backend[method] === undefined) throw notSupported(feature, loc.remote.provider);
}

export const OBJECT_LOCK_CALLS: Record<string, CallSpec> = {
  "operations/retention-lock": {
    handler: retentionLock,
    precheck: (env) => precheck(env, "retention lock", "setRetention"),
  },
  "operations/event-based-hold": {
    handler: eventBasedHold,
    precheck: (env) => precheck(env, "event-based hold", "setEventBasedHold"),
  },
};
