/**
 * An in-memory server for the parts of the GCS JSON API (`/storage/v1`) that carry object locks, for tests of the
 * agent's `operations/retention-lock`, `operations/event-based-hold` and lock-aware listings through the real
 * `@google-cloud/storage` client. fake-gcs-server (the external tier's GCS) stores and returns `retention` but
 * drops `eventBasedHold`, ignores `overrideUnlockedRetention` and deletes retained objects, so it cannot check
 * these rules; this server follows GCS's documented ones:
 * - a `Locked` retention can only be extended (never shortened, unlocked or removed);
 * - an `Unlocked` retention can be extended or locked freely, but shortened or removed only with
 *   `overrideUnlockedRetention=true`;
 * - an object under an event-based hold or an unexpired retention cannot be deleted (403).
 * Objects are seeded with `put` or uploaded in one request (`uploadType=multipart`: small objects, resumable uploads
 * are not served) and downloaded with `alt=media` (with `x-goog-hash`); `calls` records every request.
 * @module
 */

import { createHash } from "node:crypto";
import { gunzipSync } from "node:zlib";
import { CRC32C } from "@google-cloud/storage";

/** One stored object's lock-relevant state. */
export interface FakeGcsObject {
  size: number;
  updated: Date;
  retention?: { mode: "Unlocked" | "Locked"; retainUntilTime: string };
  eventBasedHold: boolean;
  content?: Buffer;
}

export interface FakeGcsCall {
  method: string;
  bucket: string;
  object: string;
  query: URLSearchParams;
  status: number;
}

/** GCS's object hashes (base64): the client checks uploads and downloads against them. */
function hashesOf(content: Buffer): { crc32c: string; md5Hash: string } {
  const crc = new CRC32C();
  crc.update(content);
  return { crc32c: crc.toString(), md5Hash: createHash("md5").update(content).digest("base64") };
}

function gcsError(status: number, message: string): Response {
  return Response.json({ error: { code: status, message, errors: [{ message, reason: "forbidden" }] } }, { status });
}

/** An in-memory GCS with object locks. */
export class FakeGcsLocks {
  readonly buckets = new Map<string, Map<string, FakeGcsObject>>();
  readonly calls: FakeGcsCall[] = [];
  readonly #server: ReturnType<typeof Bun.serve>;
  /** The clock deletes are judged by. */
  now: () => number = Date.now;

  constructor(hostname = "127.0.0.1") {
    this.#server = Bun.serve({
      hostname,
      port: 0,
      fetch: async (request) => {
        const url = new URL(request.url);
        const upload = /^\/upload\/storage\/v1\/b\/([^/]+)\/o$/.exec(url.pathname);
        if (upload) {
          const response = await this.#upload(request, url, decodeURIComponent(upload[1] as string));
          this.calls.push({
            method: "UPLOAD",
            bucket: upload[1] as string,
            object: "",
            query: url.searchParams,
            status: response.status,
          });
          return response;
        }
        const m = /^\/storage\/v1\/b\/([^/]+)\/o(?:\/(.+))?$/.exec(url.pathname);
        if (!m) return gcsError(404, `not served by the fake: ${request.method} ${url.pathname}`);
        const bucket = decodeURIComponent(m[1] as string);
        const object = m[2] === undefined ? "" : decodeURIComponent(m[2]);
        const response = await this.#handle(request, url, bucket, object);
        this.calls.push({ method: request.method, bucket, object, query: url.searchParams, status: response.status });
        return response;
      },
    });
  }

  /** `http://host:port`: the agent's `gcs.endpoint`. */
  get endpoint(): string {
    return `http://${this.#server.hostname}:${this.#server.port}`;
  }

  /** Creates (or replaces) an object. */
  put(bucket: string, name: string, size = 1): void {
    let objects = this.buckets.get(bucket);
    if (objects === undefined) {
      objects = new Map();
      this.buckets.set(bucket, objects);
    }
    objects.set(name, { size, updated: new Date(), eventBasedHold: false });
  }

  /** Creates an empty bucket. */
  createBucket(bucket: string): void {
    if (!this.buckets.has(bucket)) this.buckets.set(bucket, new Map());
  }

  async #upload(request: Request, url: URL, bucket: string): Promise<Response> {
    const objects = this.buckets.get(bucket);
    if (objects === undefined) return gcsError(404, "The specified bucket does not exist.");
    if (url.searchParams.get("uploadType") !== "multipart") return gcsError(400, "only multipart uploads are served");
    const boundary = /boundary="?([^";]+)"?/.exec(request.headers.get("content-type") ?? "")?.[1];
    if (boundary === undefined) return gcsError(400, "no multipart boundary");
    let body = Buffer.from(await request.arrayBuffer());
    if (request.headers.get("content-encoding") === "gzip") body = gunzipSync(body);
    const parts: Buffer[] = [];
    const delimiter = Buffer.from(`--${boundary}`);
    let at = body.indexOf(delimiter);
    while (at >= 0) {
      const next = body.indexOf(delimiter, at + delimiter.length);
      if (next < 0) break;
      const part = body.subarray(at + delimiter.length, next);
      const headerEnd = part.indexOf("\r\n\r\n");
      parts.push(part.subarray(headerEnd + 4, part.length - 2));
      at = next;
    }
    const meta = JSON.parse((parts[0] ?? Buffer.from("{}")).toString()) as { name?: string };
    const name = meta.name ?? url.searchParams.get("name") ?? "";
    const existing = objects.get(name);
    if (existing !== undefined && (existing.eventBasedHold || this.#retained(existing))) {
      return gcsError(403, `Object '${bucket}/${name}' is locked`);
    }
    const content = Buffer.from(parts[1] ?? Buffer.alloc(0));
    const o: FakeGcsObject = { size: content.length, updated: new Date(), eventBasedHold: false, content };
    objects.set(name, o);
    return Response.json(this.#json(bucket, name, o));
  }

  #retained(o: FakeGcsObject): boolean {
    return o.retention !== undefined && Date.parse(o.retention.retainUntilTime) > this.now();
  }

  object(bucket: string, name: string): FakeGcsObject | undefined {
    return this.buckets.get(bucket)?.get(name);
  }

  async close(): Promise<void> {
    await this.#server.stop(true);
  }

  #json(bucket: string, name: string, o: FakeGcsObject): Record<string, unknown> {
    return {
      kind: "storage#object",
      bucket,
      name,
      size: String(o.size),
      updated: o.updated.toISOString(),
      eventBasedHold: o.eventBasedHold,
      ...(o.content === undefined ? {} : hashesOf(o.content)),
      ...(o.retention === undefined ? {} : { retention: o.retention }),
    };
  }

  async #handle(request: Request, url: URL, bucket: string, name: string): Promise<Response> {
    const objects = this.buckets.get(bucket);
    if (objects === undefined) return gcsError(404, "The specified bucket does not exist.");
    if (name === "") {
      if (request.method !== "GET") return gcsError(405, "method not served");
      return this.#list(bucket, objects, url.searchParams);
    }
    const o = objects.get(name);
    if (o === undefined) return gcsError(404, `No such object: ${bucket}/${name}`);
    switch (request.method) {
      case "GET": {
        if (url.searchParams.get("alt") !== "media") return Response.json(this.#json(bucket, name, o));
        const content = o.content ?? Buffer.alloc(o.size);
        const crc = new CRC32C();
        crc.update(content);
        const md5 = createHash("md5").update(content).digest("base64");
        return new Response(content, {
          headers: {
            "x-goog-hash": `crc32c=${crc.toString()},md5=${md5}`,
            "x-goog-stored-content-encoding": "identity",
          },
        });
      }
      case "PATCH": {
        // The client gzips request bodies (content-encoding: gzip).
        const raw = Buffer.from(await request.arrayBuffer());
        const text = request.headers.get("content-encoding") === "gzip" ? gunzipSync(raw).toString() : raw.toString();
        const body = JSON.parse(text) as {
          retention?: { mode?: string; retainUntilTime?: string } | null;
          eventBasedHold?: boolean | null;
        };
        if ("retention" in body) {
          const refused = this.#retentionChange(o, body.retention ?? null, url.searchParams);
          if (refused !== undefined) return gcsError(403, refused);
        }
        if (body.eventBasedHold !== undefined) o.eventBasedHold = body.eventBasedHold === true;
        o.updated = new Date();
        return Response.json(this.#json(bucket, name, o));
      }
      case "DELETE": {
        if (o.eventBasedHold) return gcsError(403, `Object '${bucket}/${name}' is under active Event-Based hold.`);
        if (this.#retained(o)) {
          return gcsError(403, `Object '${bucket}/${name}' is subject to object retention.`);
        }
        objects.delete(name);
        return new Response(null, { status: 204 });
      }
      default:
        return gcsError(405, "method not served");
    }
  }

  /** Applies a retention change when GCS allows it; the refusal message otherwise. */
  #retentionChange(
    o: FakeGcsObject,
    next: { mode?: string; retainUntilTime?: string } | null,
    query: URLSearchParams,
  ): string | undefined {
    const override = query.get("overrideUnlockedRetention") === "true";
    const current = o.retention;
    if (next !== null && next.mode !== "Unlocked" && next.mode !== "Locked")
      return `invalid retention mode ${next.mode}`;
    const nextUntil = next === null ? Number.NaN : Date.parse(next.retainUntilTime ?? "");
    if (next !== null && Number.isNaN(nextUntil)) return "invalid retainUntilTime";
    if (current !== undefined) {
      const currentUntil = Date.parse(current.retainUntilTime);
      const shortens = next === null || nextUntil < currentUntil;
      if (current.mode === "Locked" && (shortens || next?.mode !== "Locked")) {
        return "Object retention is locked: it can only be extended";
      }
      if (current.mode === "Unlocked" && shortens && !override) {
        return "Shortening or removing an unlocked object retention requires overrideUnlockedRetention=true";
      }
    }
    o.retention =
      next === null
        ? undefined
        : { mode: next.mode as "Unlocked" | "Locked", retainUntilTime: new Date(nextUntil).toISOString() };
    return undefined;
  }

  #list(bucket: string, objects: Map<string, FakeGcsObject>, query: URLSearchParams): Response {
    const prefix = query.get("prefix") ?? "";
    const delimiter = query.get("delimiter") ?? "";
    const max = Number(query.get("maxResults") ?? 1000);
    const start = query.get("pageToken") ?? "";
    const names = [...objects.keys()].filter((n) => n.startsWith(prefix) && n > start).sort();
    const items: Record<string, unknown>[] = [];
    const prefixes = new Set<string>();
    let last = "";
    for (const n of names) {
      if (items.length + prefixes.size >= max) break;
      last = n;
      const rest = n.slice(prefix.length);
      const cut = delimiter === "" ? -1 : rest.indexOf(delimiter);
      if (cut >= 0) prefixes.add(prefix + rest.slice(0, cut + 1));
      else items.push(this.#json(bucket, n, objects.get(n) as FakeGcsObject));
    }
    const more = names.length > 0 && last !== "" && last !== names[names.length - 1];
    return Response.json({
      kind: "storage#objects",
      items,
      ...(prefixes.size > 0 ? { prefixes: [...prefixes] } : {}),
      ...(more ? { nextPageToken: last } : {}),
    });
  }
}
