/**
 * `sync/copydir`, `sync/movedir` (SM's backup upload) and `sync/copypaths` (restore download), with SM's
 * direction hardening: copydir/movedir need a local source, copypaths a local destination.
 * @module
 */
import { parseRate } from "../../transfer/bwlimit.ts";
import { copyPaths, type FileOutcome, syncDir } from "../../transfer/sync.ts";
import type { CallEnv, CallSpec, RcContext } from "../context.ts";
import { badParam, forbidden, messageOf } from "../errors.ts";
import { checkTraversal, resolveFsPath } from "../fs-param.ts";
import type { Params } from "../params.ts";

/**
 * Applies a call's `transfers` and `bandwidth_rate` globally, as SM's configGuard does: `transfers: -1` means the
 * YAML default, absent or 0 leaves it; `bandwidth_rate: "0M"` means unlimited, absent leaves it.
 */
export function applyTransferOptions(ctx: RcContext, params: Params): void {
  const transfers = params.int("transfers");
  if (transfers !== undefined && transfers !== 0) {
    if (transfers === -1) ctx.pool.setLimit(ctx.defaultTransfers);
    else if (transfers > 0) ctx.pool.setLimit(transfers);
    else throw badParam(`transfers must be a positive number or -1 (the agent's default), got ${transfers}`);
  }
  if (params.has("bandwidth_rate")) {
    let rate: number;
    try {
      rate = parseRate(params.string("bandwidth_rate"));
    } catch (error) {
      throw badParam(messageOf(error));
    }
    if (rate !== ctx.limiter.rate) ctx.limiter.setRate(rate);
  }
}

/** Bytes a sync call must have streamed before it ends with a full GC (see `releaseMemory`); renames and kernel copies hold no buffers and do not count. */
const GC_AFTER_BYTES = 64 * 1024 * 1024;

/**
 * Ends a large transfer with a full GC. Transfers leave their stream and request buffers (native memory) to the
 * GC, which a small JS heap rarely triggers; collecting at the end hands that memory back before the next job
 * stacks its own on top (measured: ~15-20 MiB of RSS after moving 512 MiB). Small calls skip it: the emulator
 * runs many agents in one process, where a full GC per tiny movedir would only cost time.
 */
function releaseMemory(bytes: number): void {
  if (bytes >= GC_AFTER_BYTES) Bun.gc(true);
}

/** Records each file; names are relative to the destination directory (rclone's Fs of `dstFs` + `dstRemote`). */
function recorder(env: CallEnv, moved: { bytes: number }): (outcome: FileOutcome) => void {
  const started = new Date().toISOString();
  return (outcome) => {
    const failed = outcome.outcome === "failed";
    if (outcome.outcome === "uploaded" && outcome.streamed !== false) moved.bytes += outcome.size;
    env.ctx.stats.recordFile(env.group, {
      name: outcome.path,
      size: outcome.size,
      bytes: outcome.outcome === "uploaded" ? outcome.size : 0,
      checked: outcome.outcome === "skipped",
      started_at: started,
      error: failed ? messageOf(outcome.error) : "",
    });
  };
}

function dirCall(move: boolean) {
  return async (env: CallEnv): Promise<Record<string, unknown>> => {
    const src = resolveFsPath(env.ctx, env.params, "srcFs", "srcRemote");
    const dst = resolveFsPath(env.ctx, env.params, "dstFs", "dstRemote");
    const name = move ? "sync/movedir" : "sync/copydir";
    if (!src.backend.isLocal)
      throw forbidden(
        `${name} from ${src.label} is not allowed: the source must be a local fs (data: or localstorage:)`,
      );
    const suffix = env.params.optionalString("suffix");
    if (suffix.includes("/")) throw badParam(`suffix must not contain "/", got ${JSON.stringify(suffix)}`);
    applyTransferOptions(env.ctx, env.params);
    const moved = { bytes: 0 };
    await syncDir({
      src: src.backend,
      srcDir: src.path,
      dst: dst.backend,
      dstDir: dst.path,
      move,
      suffix: suffix === "" ? undefined : suffix,
      pool: env.ctx.pool,
      limiter: env.ctx.limiter,
      signal: env.signal,
      onFile: recorder(env, moved),
    }).finally(() => releaseMemory(moved.bytes));
    return {};
  };
}

async function copypaths(env: CallEnv): Promise<Record<string, unknown>> {
  const src = resolveFsPath(env.ctx, env.params, "srcFs", "srcRemote");
  const dst = resolveFsPath(env.ctx, env.params, "dstFs", "dstRemote");
  if (!dst.backend.isLocal)
    throw forbidden(`sync/copypaths to ${dst.label} is not allowed: the destination must be a local fs`);
  const paths = env.params.strings("paths");
  for (const path of paths) checkTraversal("paths", path);
  applyTransferOptions(env.ctx, env.params);
  const moved = { bytes: 0 };
  await copyPaths({
    src: src.backend,
    srcDir: src.path,
    dst: dst.backend,
    dstDir: dst.path,
    paths,
    pool: env.ctx.pool,
    limiter: env.ctx.limiter,
    signal: env.signal,
    onFile: recorder(env, moved),
  }).finally(() => releaseMemory(moved.bytes));
  return {};
}

export const SYNC_CALLS: Record<string, CallSpec> = {
  "sync/copydir": { handler: dirCall(false) },
  "sync/movedir": { handler: dirCall(true) },
  "sync/copypaths": { handler: copypaths },
};
