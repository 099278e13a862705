import { lstat, realpath } from "node:fs/promises";
import { dirname, join, sep } from "node:path";
import { cleanRelativePath } from "./path.ts";
import { NotFoundBackendError, PermissionBackendError } from "./provider.ts";

/**
 * A directory that paths must not escape: `..`, absolute paths, NUL bytes and symlinks that lead outside
 * are all refused. The symlink check resolves the real path of the deepest existing ancestor of the target,
 * so a path whose tail does not exist yet (a file about to be written) is checked too.
 *
 * Checks and the following filesystem call are not atomic (a symlink swapped in between would win); the
 * jail defends against hostile remote paths, not against a hostile local user who can already write there.
 */
export class Jail {
  readonly root: string;
  #realRoot: string | undefined;

  constructor(root: string) {
    this.root = root;
  }

  /** Absolute on-disk path for a backend-relative path, after every jail check. */
  async resolve(path: string): Promise<string> {
    const clean = cleanRelativePath(path);
    const realRoot = await this.realRoot();
    const full = clean === "" ? realRoot : join(realRoot, ...clean.split("/"));
    const existing = await realpathOfDeepestExisting(full);
    if (existing !== realRoot && !existing.startsWith(realRoot + sep)) {
      throw new PermissionBackendError(`path ${JSON.stringify(path)} escapes ${this.root} through a symlink`);
    }
    return full;
  }

  /** Real path of the root; NotFoundBackendError when the root does not exist. */
  async realRoot(): Promise<string> {
    if (this.#realRoot !== undefined) return this.#realRoot;
    try {
      this.#realRoot = await realpath(this.root);
    } catch (err) {
      if (errorCode(err) === "ENOENT") throw new NotFoundBackendError(`directory not found: ${this.root}`);
      throw err;
    }
    return this.#realRoot;
  }
}

async function realpathOfDeepestExisting(full: string): Promise<string> {
  let current = full;
  for (;;) {
    try {
      return await realpath(current);
    } catch (err) {
      const code = errorCode(err);
      if (code !== "ENOENT" && code !== "ENOTDIR") throw err;
      if (code === "ENOENT" && (await existsAsLink(current))) {
        // A dangling symlink: where it leads cannot be checked, so it is refused.
        throw new PermissionBackendError(`path leads through a dangling symlink: ${current}`);
      }
      const parent = dirname(current);
      if (parent === current) throw err;
      current = parent;
    }
  }
}

async function existsAsLink(path: string): Promise<boolean> {
  try {
    return (await lstat(path)).isSymbolicLink();
  } catch {
    return false;
  }
}

/** The `code` of a Node system error, or undefined. */
export function errorCode(err: unknown): string | undefined {
  if (typeof err === "object" && err !== null && "code" in err && typeof err.code === "string") return err.code;
  return undefined;
}
