/**
 * Single-object `operations/*` calls: about, fileinfo, put, copyfile, movefile, deletefile, deletepaths, purge.
 * @module
 */
import { Readable } from "node:stream";
import type { Backend } from "../../providers/provider.ts";
import { transferFile } from "../../transfer/copy.ts";
import { forEachInPool, TransferPool } from "../../transfer/pool.ts";
import { moveWithin } from "../../transfer/sync.ts";
import type { CallEnv, CallSpec } from "../context.ts";
import { badParam, forbidden, RcError } from "../errors.ts";
import { checkTraversal, type FsPath, parentDir, resolveFsPath } from "../fs-param.ts";

async function about(env: CallEnv): Promise<Record<string, unknown>> {
  // SM's agent answers `about` for `localstorage:` itself (no bucket); a named bucket must exist.
  const loc = resolveFsPath(env.ctx, env.params, "fs", "remote", { bucketless: true });
  if (loc.backend.about === undefined) {
    throw new RcError(500, `operations/about: not supported by backend ${JSON.stringify(loc.remote.provider)}`);
  }
  if (loc.path !== "" && loc.remote.provider === "localstorage" && !(await loc.backend.stat(loc.path))?.isDir) {
    throw new RcError(404, "about call failed: directory not found");
  }
  const info = await loc.backend.about();
  return { free: info.free, total: info.total, used: info.used };
}

async function statFile(loc: FsPath) {
  const info = await loc.backend.stat(loc.path);
  if (info === undefined || info.isDir) throw new RcError(404, `object not found: ${loc.label}`);
  return info;
}

async function fileinfo(env: CallEnv): Promise<Record<string, unknown>> {
  const loc = resolveFsPath(env.ctx, env.params, "fs", "remote");
  const info = await statFile(loc);
  return { modTime: info.modTime.toISOString(), size: info.size };
}

/**
 * `operations/put`: the body is the file. An existing object of the same size is left alone (SM re-uploads
 * manifests on resume); the new object becomes visible only when complete (the backends write atomically).
 */
async function put(env: CallEnv): Promise<Record<string, unknown>> {
  const loc = resolveFsPath(env.ctx, env.params, "fs", "remote");
  const lengthHeader = env.request.headers.get("content-length");
  const size = lengthHeader === null ? Number.NaN : Number(lengthHeader);
  if (!Number.isInteger(size) || size < 0) throw badParam("operations/put: the Content-Length header is required");
  const existing = await loc.backend.stat(loc.path);
  if (existing !== undefined && !existing.isDir && existing.size === size) {
    await env.request.body?.cancel();
    env.ctx.stats.recordFile(env.group, fileRecord(remoteName(env, "remote"), size, true));
    return {};
  }
  const body =
    env.request.body === null
      ? Readable.from([])
      : Readable.fromWeb(env.request.body as import("node:stream/web").ReadableStream);
  await loc.backend.write(loc.path, body, { size, signal: env.signal });
  env.ctx.stats.recordFile(env.group, fileRecord(remoteName(env, "remote"), size, false));
  return {};
}

/** A transferred file's name as rclone reports it: relative to the call's fs, i.e. the `remote` parameter. */
function remoteName(env: CallEnv, key: string): string {
  return env.params
    .optionalString(key)
    .split("/")
    .filter((s) => s !== "" && s !== ".")
    .join("/");
}

function fileRecord(name: string, size: number, checked: boolean, error = "") {
  const now = new Date().toISOString();
  return { name, size, bytes: checked ? 0 : size, checked, started_at: now, error };
}

/** Copies one file between any two locations (server-side within one backend). */
async function copyOne(env: CallEnv, src: FsPath, dst: FsPath): Promise<number> {
  const info = await statFile(src);
  if (src.backend === dst.backend) {
    await src.backend.copy(src.path, dst.path);
    return info.size;
  }
  const { size } = await transferFile(src.backend, src.path, dst.backend, dst.path, {
    limiter: env.ctx.limiter,
    signal: env.signal,
  });
  return size;
}

function srcDst(env: CallEnv): { src: FsPath; dst: FsPath } {
  return {
    src: resolveFsPath(env.ctx, env.params, "srcFs", "srcRemote"),
    dst: resolveFsPath(env.ctx, env.params, "dstFs", "dstRemote"),
  };
}

async function copyfile(env: CallEnv): Promise<Record<string, unknown>> {
  const { src, dst } = srcDst(env);
  const size = await copyOne(env, src, dst);
  env.ctx.stats.recordFile(env.group, fileRecord(remoteName(env, "dstRemote"), size, false));
  return {};
}

function sameFs(a: FsPath, b: FsPath): boolean {
  return a.backend === b.backend && a.remote.bucket === b.remote.bucket;
}

/**
 * `operations/movefile`, SM's hardening: only within one directory of one remote (the manifest `.tmp` rename), or
 * from a local source (Scylla's manifest.json into the backup); anything else could delete remote data.
 */
async function movefile(env: CallEnv): Promise<Record<string, unknown>> {
  const { src, dst } = srcDst(env);
  const sameDir = sameFs(src, dst) && parentDir(src.path) === parentDir(dst.path);
  if (!sameDir && !src.backend.isLocal) {
    throw forbidden(
      `operations/movefile from ${src.label} to ${dst.label} is not allowed: moves must stay in one directory of one remote or start from a local fs`,
    );
  }
  const info = await statFile(src);
  if (src.backend === dst.backend) {
    await moveWithin(src.backend, src.path, dst.path);
    env.ctx.stats.recordRename(env.group);
    return {};
  }
  // Local to local on one filesystem: a rename (see LocalBackend.moveFrom); otherwise copy, then delete.
  const renamed = await dst.backend.moveFrom?.(src.backend, src.path, dst.path);
  if (renamed === undefined) {
    await copyOne(env, src, dst);
    await src.backend.delete(src.path);
  }
  env.ctx.stats.recordFile(env.group, fileRecord(remoteName(env, "dstRemote"), info.size, false));
  env.ctx.stats.recordDeletes(env.group, 1);
  return {};
}

async function deletefile(env: CallEnv): Promise<Record<string, unknown>> {
  const loc = resolveFsPath(env.ctx, env.params, "fs", "remote");
  await statFile(loc);
  await loc.backend.delete(loc.path);
  env.ctx.stats.recordDeletes(env.group, 1);
  return {};
}

/** How many deletes of one `deletepaths` call run at once. */
const DELETE_PARALLELISM = 16;

/** `operations/deletepaths`: deletes files below `remote`; missing files are fine; answers how many existed. */
async function deletepaths(env: CallEnv): Promise<Record<string, unknown>> {
  const loc = resolveFsPath(env.ctx, env.params, "fs", "remote");
  const paths = env.params.strings("paths");
  if (paths.length === 0) throw badParam('operations/deletepaths: "paths" must list at least one file');
  for (const path of paths) checkTraversal("paths", path);
  const targets = paths.map((path) => (loc.path === "" ? path : `${loc.path}/${path}`));
  let deletes = 0;
  await forEachInPool(new TransferPool(DELETE_PARALLELISM), targets, async (target) => {
    if (await deleteIfExists(loc.backend, target)) deletes++;
  });
  env.ctx.stats.recordDeletes(env.group, deletes);
  return { deletes };
}

async function deleteIfExists(backend: Backend, path: string): Promise<boolean> {
  const info = await backend.stat(path);
  if (info === undefined || info.isDir) return false;
  await backend.delete(path);
  return true;
}

async function purge(env: CallEnv): Promise<Record<string, unknown>> {
  const loc = resolveFsPath(env.ctx, env.params, "fs", "remote");
  if (loc.path === "" || (loc.remote.provider !== "data" && !loc.path.includes("/"))) {
    // A purge of a whole bucket or of the data dir is never what SM means (it has no such caller).
    throw forbidden(`operations/purge of ${loc.label} is not allowed: name a directory inside the bucket`);
  }
  await loc.backend.purge(loc.path);
  env.ctx.stats.recordDirDelete();
  return {};
}

export const OPERATION_CALLS: Record<string, CallSpec> = {
  "operations/about": { handler: about },
  "operations/fileinfo": { handler: fileinfo },
  "operations/put": { handler: put, rawBody: true },
  "operations/copyfile": { handler: copyfile },
  "operations/movefile": { handler: movefile },
  "operations/deletefile": { handler: deletefile },
  "operations/deletepaths": { handler: deletepaths },
  "operations/purge": { handler: purge },
};
