/**
 * `operations/list` and `operations/cat`: the answers SM streams. A listing is written as `{"list":[...]}` in
 * chunks of 200 items while the backend is still listing (the first key must be `list`: SM token-streams the
 * body), so memory does not grow with the directory size.
 * @module
 */
import { Readable } from "node:stream";
import type { ObjectEntry } from "../../providers/provider.ts";
import type { CallEnv, CallSpec } from "../context.ts";
import { forbidden, RcError } from "../errors.ts";
import { resolveFsPath } from "../fs-param.ts";

/** rclone's ListJSONItem. */
interface ListItem {
  Path: string;
  Name: string;
  Size: number;
  MimeType?: string;
  ModTime: string;
  IsDir: boolean;
  Hashes?: Record<string, string>;
  /** With `opt.showRetentionInfo`: "" (none), "unlocked" or "locked", and the retain-until time when set. */
  RetentionMode?: string;
  RetainUntil?: string;
  /** With `opt.showEventBasedHold`. */
  eventBasedHold?: boolean;
}

/** SM's versioned-file glob `{**.sm_*UTC}`. */
const VERSIONED = /\.sm_[^/]*UTC$/;
const FLUSH_EVERY = 200;

const MIME: Record<string, string> = {
  json: "application/json",
  gz: "application/gzip",
  txt: "text/plain; charset=utf-8",
  db: "application/octet-stream",
  crc32: "application/octet-stream",
};

function mimeOf(entry: ObjectEntry): string {
  if (entry.isDir) return "inode/directory";
  const dot = entry.name.lastIndexOf(".");
  return (dot >= 0 ? MIME[entry.name.slice(dot + 1).toLowerCase()] : undefined) ?? "application/octet-stream";
}

async function list(env: CallEnv): Promise<Response> {
  const loc = resolveFsPath(env.ctx, env.params, "fs", "remote");
  // rclone's ListJSON names items relative to `fs`, so they carry the listed `remote` directory as a prefix.
  const prefix = env.params
    .optionalString("remote")
    .split("/")
    .filter((s) => s !== "" && s !== ".")
    .join("/");
  const opt = env.params.object("opt");
  const recurse = opt.bool("recurse");
  const dirsOnly = opt.bool("dirsOnly");
  const filesOnly = opt.bool("filesOnly");
  const noMimeType = opt.bool("noMimeType");
  const showHash = opt.bool("showHash");
  const showRetention = opt.bool("showRetentionInfo");
  const showHold = opt.bool("showEventBasedHold");
  const newestOnly = env.params.bool("newestOnly");
  const versionedOnly = env.params.bool("versionedOnly");
  if (newestOnly && versionedOnly) throw new RcError(400, "newestOnly and versionedOnly are mutually exclusive");

  const keep = (entry: ObjectEntry): boolean => {
    if (entry.isDir) return !versionedOnly;
    const versioned = VERSIONED.test(entry.name);
    return newestOnly ? !versioned : versionedOnly ? versioned : true;
  };
  const toItem = (entry: ObjectEntry): ListItem => {
    const item: ListItem = {
      Path: prefix === "" ? entry.path : `${prefix}/${entry.path}`,
      Name: entry.name,
      Size: entry.isDir ? -1 : entry.size,
      // noModTime only saves work in rclone; local and object-store listings have the time anyway.
      ModTime: entry.modTime.toISOString(),
      IsDir: entry.isDir,
    };
    if (!noMimeType) item.MimeType = mimeOf(entry);
    if (showHash && entry.md5 !== undefined) item.Hashes = { md5: entry.md5 };
    if (showRetention && !entry.isDir) {
      item.RetentionMode = entry.retention?.mode ?? "";
      if (entry.retention !== undefined) item.RetainUntil = entry.retention.retainUntil.toISOString();
    }
    if (showHold && !entry.isDir) item.eventBasedHold = entry.eventBasedHold === true;
    return item;
  };

  const lockInfo = showRetention || showHold;
  const iterator = loc.backend.list(loc.path, { recurse, dirsOnly, filesOnly, lockInfo })[Symbol.asyncIterator]();
  // Pull the first entry before answering, so "directory not found" is still a proper 404 error body.
  const first = await iterator.next();
  const encoder = new TextEncoder();
  let pending: IteratorResult<ObjectEntry> | undefined = first;
  let emitted = 0;
  const stream = new ReadableStream<Uint8Array>({
    start(controller) {
      controller.enqueue(encoder.encode('{"list":['));
    },
    async pull(controller) {
      const parts: string[] = [];
      while (parts.length < FLUSH_EVERY) {
        const next: IteratorResult<ObjectEntry> = pending ?? (await iterator.next());
        pending = undefined;
        if (next.done) {
          if (parts.length > 0) controller.enqueue(encoder.encode(parts.join("")));
          controller.enqueue(encoder.encode("]}"));
          controller.close();
          return;
        }
        if (!keep(next.value)) continue;
        parts.push((emitted++ > 0 ? "," : "") + JSON.stringify(toItem(next.value)));
      }
      controller.enqueue(encoder.encode(parts.join("")));
    },
    async cancel() {
      await iterator.return?.();
    },
  });
  return new Response(stream, { headers: { "content-type": "application/json" } });
}

/** Paths SM lets `cat` read: metadata and schema files, and SSTable digests (for deduplication). */
export function isCatAllowed(key: string): boolean {
  return key.startsWith("backup/meta/") || key.startsWith("backup/schema/") || key.endsWith(".crc32");
}

async function cat(env: CallEnv): Promise<Response> {
  const loc = resolveFsPath(env.ctx, env.params, "fs", "remote");
  if (!isCatAllowed(loc.key)) {
    throw forbidden(
      `operations/cat is not allowed for ${JSON.stringify(loc.key)}: only paths under backup/meta/ or backup/schema/ and *.crc32 files can be read`,
    );
  }
  const info = await loc.backend.stat(loc.path);
  if (info === undefined || info.isDir) throw new RcError(404, `object not found: ${loc.label}`);
  const body = await loc.backend.read(loc.path, env.signal);
  return new Response(Readable.toWeb(body) as ReadableStream<Uint8Array>, {
    headers: { "content-type": "application/octet-stream", "content-length": String(info.size) },
  });
}

export const LIST_CALLS: Record<string, CallSpec> = {
  "operations/list": { handler: list },
  "operations/cat": { handler: cat },
};
