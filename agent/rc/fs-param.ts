/**
 * Resolves `fs`/`remote` (and `srcFs`/`dstFs`...) params to a backend and a backend path, with the checks every
 * call shares: path traversal is refused (403) in every path parameter, an unknown provider is 400, and object
 * stores need a bucket (400).
 * @module
 */
import { isManagerError } from "../../src/errors.ts";
import { joinPath } from "../providers/path.ts";
import type { Backend } from "../providers/provider.ts";
import { backendPath, parseRemote, type Remote, resolveBackend } from "../providers/registry.ts";
import type { RcContext } from "./context.ts";
import { badParam, forbidden, RcError } from "./errors.ts";
import type { Params } from "./params.ts";

/** A resolved location. */
export interface FsPath {
  backend: Backend;
  remote: Remote;
  /** Path as the backend takes it (`<bucket>/<key>` for object stores). */
  path: string;
  /** Path below the bucket (the whole path for `data`): what SM's `cat` prefix rule looks at. */
  key: string;
  /** `<provider>:<path>` for messages. */
  label: string;
}

/**
 * Refuses `..` segments, absolute paths and NUL bytes in a path parameter. This runs before anything touches a
 * backend, so every parameter gets the same 403 whatever the provider (the jail checks again underneath).
 */
export function checkTraversal(key: string, value: string): void {
  const problem = value.includes("\0")
    ? "NUL bytes are not allowed"
    : value.startsWith("/") || /^[A-Za-z]:[\\/]/.test(value)
      ? "absolute paths are not allowed"
      : value.split(/[/\\]/).includes("..")
        ? '".." is not allowed'
        : undefined;
  if (problem !== undefined) throw forbidden(`path traversal refused in "${key}" ${JSON.stringify(value)}: ${problem}`);
}

/** Resolves `params[fsKey]` + `params[remoteKey]`. */
export function resolveFsPath(
  ctx: RcContext,
  params: Params,
  fsKey: string,
  remoteKey: string,
  options: { bucketless?: boolean } = {},
): FsPath {
  const fs = params.string(fsKey);
  const sub = params.optionalString(remoteKey);
  return resolveLocation(ctx, fsKey, fs, remoteKey, sub, options);
}

/** Resolves an fs string and a path below it. */
export function resolveLocation(
  ctx: RcContext,
  fsKey: string,
  fs: string,
  remoteKey: string,
  sub: string,
  options: { bucketless?: boolean } = {},
): FsPath {
  const colon = fs.indexOf(":");
  if (colon >= 0) checkTraversal(fsKey, fs.slice(colon + 1));
  checkTraversal(remoteKey, sub);
  let remote: Remote;
  let backend: Backend;
  let path: string;
  try {
    remote = parseRemote(fs);
    backend = resolveBackend(ctx.backends, remote);
    path = backendPath(remote, sub);
  } catch (error) {
    if (error instanceof RcError) throw error;
    if (isManagerError(error) && error.status === 400) throw badParam(`${fsKey}: ${error.message}`);
    throw error;
  }
  if (remote.bucket === "" && remote.provider !== "data" && options.bucketless !== true) {
    throw badParam(
      `${fsKey}: ${JSON.stringify(fs)} has no bucket: use ${remote.provider}:<bucket>[/path], e.g. ${remote.provider}:my-bucket`,
    );
  }
  const key = remote.provider === "data" ? path : joinPath(remote.path, trimSlashes(sub));
  return { backend, remote, path, key, label: `${remote.provider}:${path}` };
}

function trimSlashes(text: string): string {
  return text
    .split("/")
    .filter((s) => s !== "" && s !== ".")
    .join("/");
}

/** Parent directory of a backend path ("" for top-level entries). */
export function parentDir(path: string): string {
  const slash = path.lastIndexOf("/");
  return slash < 0 ? "" : path.slice(0, slash);
}
