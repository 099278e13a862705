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
 * Objects are seeded with `put`; `calls` records every request. Uploads are not served.
 * @module
 */

import { gunzipSync } from "node:zlib";

/** One stored object's lock-relevant state. */
export interface FakeGcsObject {
  size: number;
  updated: Date;
  retention?: { mode: "Unlocked" | "Locked"; retainUntilTime: string };
  eventBasedHold: boolean;
}

export interface FakeGcsCall {
  method: string;
  bucket: string;
  object: string;
  query: URLSearchParams;
  status: number;
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
      case "GET":
        return Response.json(this.#json(bucket, name, o));
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
        if (o.retention !== undefined && Date.parse(o.retention.retainUntilTime) > this.now()) {
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
