/**
 * Static assets the daemon carries inside itself (the API explorer and the console): served with a strong ETag
 * (304 on revalidation), `no-cache` so a new build is picked up at once, and gzip for clients that accept it.
 * The bytes are imported as text at build time, so `bun build --compile` embeds them in the executable.
 * @module
 */
import { createHash } from "node:crypto";
import { gzipSync } from "node:zlib";
import type { Context } from "hono";

/** One embedded file. */
export interface StaticAsset {
  /** Content-Type header value. */
  type: string;
  body: string;
}

interface Prepared {
  type: string;
  raw: Uint8Array;
  etag: string;
  gzip?: Uint8Array;
}

/** Below this many bytes gzip is not worth its header and CPU. */
const GZIP_MIN_BYTES = 1024;

/** Content types by file extension, for the asset tables. */
export const CONTENT_TYPES = {
  html: "text/html; charset=utf-8",
  js: "text/javascript; charset=utf-8",
  css: "text/css; charset=utf-8",
  svg: "image/svg+xml",
} as const;

/**
 * Returns a handler answering `assets[name]` (the last path segment, `index.html` for a trailing slash), or
 * `undefined` when the name is not in the table (the caller answers 404).
 */
export function createAssetServer(assets: Readonly<Record<string, StaticAsset>>) {
  const prepared = new Map<string, Prepared>();
  const prepare = (name: string): Prepared | undefined => {
    const cached = prepared.get(name);
    if (cached) return cached;
    const asset = assets[name];
    if (!asset) return undefined;
    const raw = new TextEncoder().encode(asset.body);
    const etag = `"${createHash("sha256").update(raw).digest("base64url").slice(0, 22)}"`;
    const entry: Prepared = { type: asset.type, raw, etag };
    if (raw.byteLength >= GZIP_MIN_BYTES) entry.gzip = new Uint8Array(gzipSync(raw, { level: 9 }));
    prepared.set(name, entry);
    return entry;
  };
  return (c: Context, name: string): Response | undefined => {
    const entry = prepare(name === "" ? "index.html" : name);
    if (!entry) return undefined;
    const headers: Record<string, string> = {
      "content-type": entry.type,
      "cache-control": "no-cache",
      etag: entry.etag,
      vary: "accept-encoding",
      "x-content-type-options": "nosniff",
    };
    if (c.req.header("if-none-match") === entry.etag) return new Response(null, { status: 304, headers });
    const gzip = entry.gzip && /\bgzip\b/.test(c.req.header("accept-encoding") ?? "");
    if (gzip) headers["content-encoding"] = "gzip";
    const body = gzip ? entry.gzip : entry.raw;
    return new Response(c.req.method === "HEAD" ? null : (body as Uint8Array<ArrayBuffer>), { status: 200, headers });
  };
}
