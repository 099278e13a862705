/**
 * A LocationReader over a local directory, for tests and tools: `provider:bucket/dir` resolves to
 * `<root>/<bucket>/dir` whatever the provider (as the agent's `localstorage` backend does). Listing paths are
 * relative to the listed dir, files only when asked, like the agent's `operations/list`.
 * @module
 */
import { readdir, readFile, stat, unlink } from "node:fs/promises";
import { join } from "node:path";
import type { ListedObject, ListOptions, LocationReader } from "./list.ts";

/** Reads buckets that are subdirectories of `root`. */
export function localDirReader(root: string): LocationReader {
  const resolve = (path: string): string => {
    const colon = path.indexOf(":");
    return join(root, path.slice(colon + 1));
  };
  return {
    async list(_host: string, path: string, options: ListOptions = {}): Promise<ListedObject[]> {
      const base = resolve(path);
      const out: ListedObject[] = [];
      const walk = async (dir: string, rel: string): Promise<void> => {
        let entries: import("node:fs").Dirent[];
        try {
          entries = await readdir(dir, { withFileTypes: true });
        } catch (error) {
          if ((error as { code?: string }).code === "ENOENT") return;
          throw error;
        }
        for (const entry of entries.sort((a, b) => (a.name < b.name ? -1 : 1))) {
          const childRel = rel === "" ? entry.name : `${rel}/${entry.name}`;
          const full = join(dir, entry.name);
          if (entry.isDirectory()) {
            if (!options.filesOnly) out.push({ Path: childRel, Size: -1, IsDir: true });
            if (options.recurse) await walk(full, childRel);
            continue;
          }
          if (options.dirsOnly) continue;
          const versioned = /\.sm_[0-9]{14}UTC$/.test(entry.name);
          if (options.newestOnly && versioned) continue;
          if (options.versionedOnly && !versioned) continue;
          const info = await stat(full);
          out.push({ Path: childRel, Size: info.size, IsDir: false, ModTime: info.mtime.toISOString() });
        }
      };
      await walk(base, "");
      return out;
    },
    async cat(_host: string, path: string): Promise<Uint8Array> {
      return readFile(resolve(path));
    },
  };
}

/** A localDirReader that can also delete (the read side's BucketClient shape), for tests of delete and validate. */
export function localBucketClient(root: string): LocationReader & {
  deletePaths(host: string, dir: string, paths: readonly string[]): Promise<number>;
  deleteFile(host: string, path: string): Promise<boolean>;
} {
  const reader = localDirReader(root);
  const resolve = (path: string): string => join(root, path.slice(path.indexOf(":") + 1));
  const remove = async (file: string): Promise<boolean> => {
    try {
      await unlink(file);
      return true;
    } catch (error) {
      if ((error as { code?: string }).code === "ENOENT") return false;
      throw error;
    }
  };
  return {
    ...reader,
    async deletePaths(_host, dir, paths) {
      let n = 0;
      for (const p of paths) if (await remove(join(resolve(dir), p))) n++;
      return n;
    },
    async deleteFile(_host, path) {
      return remove(resolve(path));
    },
  };
}
