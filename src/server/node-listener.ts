/**
 * Serves a WHATWG fetch handler (a Hono app's `fetch`) over `node:http` / `node:https`, which Bun implements too.
 * Why not Bun.serve: SM's sctool sends a JSON body on `GET .../tasks/{type}/target`; Bun.serve drops GET bodies and
 * a WHATWG `Request` cannot carry one, so this adapter reads such a body itself and hands it to the app through
 * Hono's env binding (`c.env.rawGetBody`, see {@link readRawGetBody}).
 * @module
 */
import http, { type IncomingMessage, type ServerResponse } from "node:http";
import https from "node:https";
import { INPUT_LIMITS, isValidHostHeader } from "../util/input-limits.ts";
import { bodyTooLarge } from "./errors.ts";
import { formatHostPort } from "./listen-address.ts";

/** Hono's env binding for requests served here. */
export interface ListenerBindings {
  /** The body of a GET/HEAD request that carried one (UTF-8 text); absent otherwise. */
  rawGetBody?: string;
}

/** What the listener calls per request: `app.fetch` of a Hono app. */
export type FetchHandler = (request: Request, env: ListenerBindings) => Response | Promise<Response>;

/** TLS settings for the HTTPS form (see `loadServerTls`). */
export type ListenerTls = https.ServerOptions;

export interface NodeListenerOptions {
  hostname: string;
  port: number;
  fetch: FetchHandler;
  /** Serve HTTPS with these settings; HTTP without. */
  tls?: ListenerTls;
  /** Largest GET/HEAD body read (bytes); more answers 413. Default 1 MiB. */
  maxGetBodyBytes?: number;
  /**
   * Largest body of any request (bytes), declared (`content-length`: 413 before a byte is read) or chunked (the
   * stream fails with a 413 HTTPException once past it, which the app answers). Default `INPUT_LIMITS.bodyBytes`.
   */
  maxBodyBytes?: number;
  /** A socket with no traffic this long is closed (ms). Default 120 s, what Bun.serve was given before. */
  idleTimeoutMs?: number;
  /** Called with errors the app did not turn into a response (the client gets a bare 500). */
  onError?(error: unknown): void;
}

/** A listening server. */
export interface NodeListener {
  hostname: string;
  /** The bound port (the real one when 0 was asked). */
  port: number;
  /**
   * Stops accepting, lets in-flight requests finish for up to `graceMs` (default 5 s), then drops the remaining
   * connections. Safe to call twice.
   */
  close(graceMs?: number): Promise<void>;
}

const DEFAULT_MAX_GET_BODY = 1024 * 1024;

/** Starts listening; rejects with the listen error (EADDRINUSE, EADDRNOTAVAIL, ...) when the bind fails. */
export async function startNodeListener(options: NodeListenerOptions): Promise<NodeListener> {
  const scheme = options.tls ? "https" : "http";
  let inFlight = 0;
  let closing = false;
  // The URL's authority handed to the app: our own address (the real port once bound), never the Host header.
  let authority = formatHostPort(options.hostname, options.port);
  const handler = (req: IncomingMessage, res: ServerResponse) => {
    inFlight++;
    res.once("close", () => {
      inFlight--;
      // Keep-alive sockets of requests that finish during shutdown must not hold close() open.
      if (closing) server.closeIdleConnections();
    });
    serveRequest(req, res, scheme, authority, options).catch((error) => {
      options.onError?.(error);
      if (!res.headersSent) sendJsonError(res, 500, "internal server error");
      else res.destroy();
    });
  };
  const server = options.tls ? https.createServer(options.tls, handler) : http.createServer(handler);
  server.timeout = options.idleTimeoutMs ?? 120_000;
  server.headersTimeout = 60_000;
  // Receiving the request only; a slow answer is not cut by this.
  server.requestTimeout = 300_000;
  // Longer than the usual client idle timeouts, so clients close idle connections before we do (no reuse races).
  server.keepAliveTimeout = 65_000;
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port, options.hostname, () => {
      server.off("error", reject);
      resolve();
    });
  });
  server.on("error", (error) => options.onError?.(error));
  const address = server.address();
  const port = typeof address === "object" && address ? address.port : options.port;
  authority = formatHostPort(options.hostname, port);
  let closed: Promise<void> | undefined;
  return {
    hostname: options.hostname,
    port,
    close(graceMs = 5000) {
      closed ??= new Promise<void>((resolve) => {
        closing = true;
        const timer = setTimeout(() => server.closeAllConnections(), graceMs);
        server.close(() => {
          clearTimeout(timer);
          resolve();
        });
        server.closeIdleConnections();
        if (inFlight === 0) server.closeAllConnections();
      });
      return closed;
    },
  };
}

/**
 * The GET body the listener passed in Hono's env (`c.env`), or undefined when the request had none or was not
 * served by this listener (e.g. `app.request` in tests).
 */
export function readRawGetBody(env: unknown): string | undefined {
  if (typeof env !== "object" || env === null || !("rawGetBody" in env)) return undefined;
  return typeof env.rawGetBody === "string" ? env.rawGetBody : undefined;
}

async function serveRequest(
  req: IncomingMessage,
  res: ServerResponse,
  scheme: string,
  authority: string,
  options: NodeListenerOptions,
): Promise<void> {
  const controller = new AbortController();
  res.once("close", () => {
    if (!res.writableFinished) controller.abort(new Error("client disconnected"));
  });
  const method = req.method ?? "GET";
  const target = requestTarget(req.url ?? "");
  if (target === undefined) {
    sendJsonError(res, 400, "malformed request: invalid request target");
    return;
  }
  const host = req.headers.host;
  if (host !== undefined && !isValidHostHeader(host)) {
    // Go's net/http answers a bad Host the same way; we never build anything from it.
    res.setHeader("connection", "close");
    sendJsonError(res, 400, "malformed request: malformed Host header");
    return;
  }
  const declared = Number(req.headers["content-length"] ?? 0);
  const hasBody = req.headers["transfer-encoding"] !== undefined || declared > 0;
  const maxBody = options.maxBodyBytes ?? INPUT_LIMITS.bodyBytes;
  if (declared > maxBody) {
    sendJsonError(res, 413, bodyTooLarge(maxBody).message);
    lingerAndClose(req, res);
    return;
  }
  const env: ListenerBindings = {};
  let body: ReadableStream<Uint8Array> | null = null;
  if (hasBody && (method === "GET" || method === "HEAD")) {
    const limit = Math.min(maxBody, options.maxGetBodyBytes ?? DEFAULT_MAX_GET_BODY);
    const raw = await readBounded(req, limit);
    if (raw === undefined) {
      sendJsonError(res, 413, `request body too large: a ${method} body may have at most ${limit} bytes`);
      lingerAndClose(req, res);
      return;
    }
    env.rawGetBody = raw;
  } else if (hasBody) {
    body = streamBody(req, maxBody);
  }
  let request: Request;
  try {
    // The daemon routes on the request target only: the authority is our own address, never the Host header.
    request = new Request(`${scheme}://${authority}${target}`, {
      method,
      headers: toHeaders(req.rawHeaders),
      body,
      signal: controller.signal,
      // Required by the fetch spec for a streaming request body.
      duplex: "half",
    } as RequestInit);
  } catch {
    sendJsonError(res, 400, "malformed request: invalid request");
    return;
  }
  const response = await options.fetch(request, env);
  // A body the app did not read in full (an early error) is not drained: the connection closes after the answer.
  const unread = !req.complete;
  await sendResponse(res, response, method === "HEAD");
  if (unread) lingerAndClose(req, res);
}

/** How long the rest of an unwanted body is read and dropped after the answer before the socket is cut. */
const LINGER_MS = 2000;

/**
 * After answering a request whose body we did not read (413, early errors): read and drop what the client still
 * sends for a moment, then cut the connection. Closing at once with unread data makes the kernel send a reset, and
 * the client would lose our answer with it (nginx's lingering close).
 */
function lingerAndClose(req: IncomingMessage, res: ServerResponse): void {
  const cut = setTimeout(() => req.socket?.destroy(), LINGER_MS);
  cut.unref?.();
  req.on("end", () => clearTimeout(cut));
  req.on("data", () => undefined);
  res.once("finish", () => req.resume());
  req.resume();
}

/**
 * The path and query of the request target: origin-form as sent, absolute-form (`http://h/p?q`, proxies) reduced to
 * its path and query; anything else (`*`, garbage) is undefined.
 */
function requestTarget(url: string): string | undefined {
  if (url.startsWith("/")) return url;
  if (!/^https?:\/\//i.test(url)) return undefined;
  try {
    const parsed = new URL(url);
    return `${parsed.pathname}${parsed.search}`;
  } catch {
    return undefined;
  }
}

function toHeaders(rawHeaders: readonly string[]): Headers {
  const headers = new Headers();
  for (let i = 0; i + 1 < rawHeaders.length; i += 2) headers.append(rawHeaders[i] ?? "", rawHeaders[i + 1] ?? "");
  return headers;
}

/** The whole body as text, or undefined past `limit` bytes (the rest is left unread). */
async function readBounded(req: IncomingMessage, limit: number): Promise<string | undefined> {
  if (Number(req.headers["content-length"] ?? 0) > limit) return undefined;
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    const buffer = Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk);
    size += buffer.length;
    if (size > limit) return undefined;
    chunks.push(buffer);
  }
  return Buffer.concat(chunks).toString("utf8");
}

function streamBody(req: IncomingMessage, limit: number): ReadableStream<Uint8Array> {
  const chunks = req[Symbol.asyncIterator]();
  let size = 0;
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      const next = await chunks.next();
      if (next.done) {
        controller.close();
        return;
      }
      const chunk = Buffer.isBuffer(next.value) ? new Uint8Array(next.value) : Buffer.from(next.value);
      size += chunk.byteLength;
      if (size > limit) {
        // Stop reading: the answer says why, and the connection closes after it (see serveRequest).
        controller.error(bodyTooLarge(limit));
        return;
      }
      controller.enqueue(chunk);
    },
    async cancel() {
      // The app did not want the rest: drain it so the connection stays usable.
      await chunks.return?.();
      req.resume();
    },
  });
}

async function sendResponse(res: ServerResponse, response: Response, isHead: boolean): Promise<void> {
  const headers: Record<string, string | string[]> = {};
  response.headers.forEach((value, key) => {
    if (key !== "set-cookie") headers[key] = value;
  });
  // Headers joins repeated values with ", ", which breaks cookies; they go out one header line each.
  const cookies = response.headers.getSetCookie();
  if (cookies.length > 0) headers["set-cookie"] = cookies;
  if (!response.body || isHead) {
    await response.body?.cancel();
    res.writeHead(response.status, headers);
    res.end();
    return;
  }
  const reader = response.body.getReader();
  try {
    const first = await reader.read();
    const next = first.done ? Promise.resolve(first) : reader.read();
    const second = await settledNow(next);
    if (second?.done) {
      // The whole body was at hand (JSON answers): one write with a content-length, no chunked framing.
      const body = first.value ?? new Uint8Array(0);
      if (headers["content-length"] === undefined) headers["content-length"] = String(body.byteLength);
      res.writeHead(response.status, headers);
      res.end(body);
      return;
    }
    // A live stream: headers and the first chunk go out now, the rest as it comes.
    res.writeHead(response.status, headers);
    if (first.value && !res.write(first.value)) await waitForDrain(res);
    let chunk = await next;
    while (!chunk.done) {
      if (res.destroyed) {
        await reader.cancel();
        return;
      }
      if (!res.write(chunk.value)) await waitForDrain(res);
      chunk = await reader.read();
    }
    res.end();
  } catch (error) {
    if (!res.headersSent) throw error;
    // Headers are out: the only way to tell the client the body is incomplete is to cut the connection.
    res.destroy(error instanceof Error ? error : new Error(String(error)));
  }
}

/** The value of `promise` if it settles within the current turn of the event loop, else undefined. */
async function settledNow<T>(promise: Promise<T>): Promise<T | undefined> {
  const later = new Promise<undefined>((resolve) => setImmediate(resolve, undefined));
  return Promise.race([promise, later]);
}

function waitForDrain(res: ServerResponse): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      res.off("drain", done);
      res.off("close", done);
      resolve();
    };
    res.on("drain", done);
    res.on("close", done);
  });
}

/** A JSON error in SM's shape for answers made before the app is reached. */
function sendJsonError(res: ServerResponse, status: number, message: string): void {
  const body = JSON.stringify({ message, details: "", trace_id: "" });
  res.writeHead(status, { "content-type": "application/json", "content-length": Buffer.byteLength(body) });
  res.end(body);
}
