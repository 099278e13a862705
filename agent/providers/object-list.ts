import type { ListOptions, ObjectEntry, ObjectRetention } from "./provider.ts";
import { NotFoundBackendError } from "./provider.ts";

/** One item of an object store listing, relative to the listed directory. */
export interface ListedItem {
  /** A delimiter listing's common prefix (a "directory"), or an object. */
  kind: "prefix" | "object";
  /** Path relative to the listed directory, without a trailing `/`. */
  rel: string;
  size: number;
  modTime: Date;
  /** MD5 as the backend's `stat` reports it (only read when `complete`). */
  md5?: string;
  /** The item carries all that the backend's `stat` would answer (size, and `md5` or none): no `stat` needed. */
  complete?: boolean;
  /** Object-lock state, for backends that list it. */
  retention?: ObjectRetention;
  eventBasedHold?: boolean;
}

/**
 * Turns a flat object-store listing into directory entries as rclone shows them: common prefixes become
 * directories, and recursive listings synthesize every parent directory once (object stores have no real
 * directories). Directory marker objects (`dir/`) count as directories. Like rclone's bucket backends, an
 * empty non-root directory is "directory not found".
 */
export async function* toEntries(
  items: AsyncIterable<ListedItem>,
  options: ListOptions,
  notFoundLabel: string | undefined,
): AsyncIterable<ObjectEntry> {
  const seenDirs = new Set<string>();
  let found = false;
  for await (const item of items) {
    if (item.rel === "") {
      found = true; // the directory's own marker object
      continue;
    }
    found = true;
    if (item.kind === "prefix") {
      if (!options.filesOnly && !seenDirs.has(item.rel)) {
        seenDirs.add(item.rel);
        yield dirEntry(item.rel, item.modTime);
      }
      continue;
    }
    const isMarker = item.rel.endsWith("/");
    const rel = isMarker ? item.rel.slice(0, -1) : item.rel;
    if (options.recurse && !options.filesOnly) {
      const parts = rel.split("/");
      const last = isMarker ? parts.length : parts.length - 1;
      for (let i = 1; i <= last; i++) {
        const dir = parts.slice(0, i).join("/");
        if (seenDirs.has(dir)) continue;
        seenDirs.add(dir);
        yield dirEntry(dir, item.modTime);
      }
    }
    if (isMarker) {
      if (!options.recurse && !options.filesOnly && !seenDirs.has(rel)) {
        seenDirs.add(rel);
        yield dirEntry(rel, item.modTime);
      }
      continue;
    }
    if (options.dirsOnly) continue;
    const entry: ObjectEntry = {
      path: rel,
      name: lastSegment(rel),
      size: item.size,
      modTime: item.modTime,
      isDir: false,
    };
    if (item.complete) {
      if (item.md5 !== undefined) entry.md5 = item.md5;
      entry.complete = true;
    }
    if (options.lockInfo) {
      if (item.retention !== undefined) entry.retention = item.retention;
      entry.eventBasedHold = item.eventBasedHold === true;
    }
    yield entry;
  }
  if (!found && notFoundLabel !== undefined) throw new NotFoundBackendError(`directory not found: ${notFoundLabel}`);
}

function dirEntry(path: string, modTime: Date): ObjectEntry {
  return { path, name: lastSegment(path), size: 0, modTime, isDir: true };
}

function lastSegment(path: string): string {
  const slash = path.lastIndexOf("/");
  return slash < 0 ? path : path.slice(slash + 1);
}
