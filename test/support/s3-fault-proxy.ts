/**
 * A counting, fault-injecting HTTP proxy in front of an S3-compatible server (path-style addressing), for tests
 * that must count what reached the object store (PUTs per key) or make it answer 500/503 or throttle for a while.
 * Requests are forwarded byte for byte with their Host header, so SigV4 signatures stay valid.
 * @module
 */
import { createServer, type IncomingMessage, request, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

/** One request that reached the proxy, recorded when its answer was sent. */
export interface S3Call {
  method: string;
  bucket: string;
  /** Object key ("" for bucket-level calls). */
  key: string;
  query: URLSearchParams;
  /** Server-side copy (`x-amz-copy-source`). */
  copy: boolean;
  status: number;
  /** Answered by an injected fault, never forwarded. */
  injected: boolean;
}

/** An injected fault: matching requests are answered with an S3 error instead of being forwarded. */
export interface S3Fault {
  status: number;
  /** S3 error code; default by status (500 InternalError, 503 SlowDown). */
  code?: string;
  /** Only these methods (default every method). */
  methods?: string[];
  /** Only keys matching this. */
  key?: RegExp;
  /** Fail one in `every` matching requests (default 1: all of them). */
  every?: number;
  /**
   * Fail only the first `perKey` matching requests of each key, then let that key through: a fault that lasts "a
   * while" for every object, independent of timing and interleaving.
   */
  perKey?: number;
  /** Stop after failing this many requests (default: until removed). */
  count?: number;
}

const DEFAULT_CODE: Record<number, string> = { 500: "InternalError", 503: "SlowDown" };

function split(url: string): { bucket: string; key: string; query: URLSearchParams } {
  const parsed = new URL(url, "http://proxy");
  const path = decodeURIComponent(parsed.pathname).replace(/^\/+/, "");
  const slash = path.indexOf("/");
  return slash < 0
    ? { bucket: path, key: "", query: parsed.searchParams }
    : { bucket: path.slice(0, slash), key: path.slice(slash + 1), query: parsed.searchParams };
}

/** Requests held unanswered by {@link S3FaultProxy.hold}. */
export interface S3Hold {
  /** How many requests are held now. */
  held(): number;
  /** Ends the hold: held requests get their connection closed (never forwarded); later ones pass. */
  release(): void;
}

interface HoldRule {
  methods?: string[];
  key?: RegExp;
  after: number;
  passed: number;
  waiting: Array<() => void>;
  released: boolean;
}

/** A running proxy. */
export class S3FaultProxy {
  readonly calls: S3Call[] = [];
  readonly #server: Server;
  readonly #upstream: URL;
  readonly #faults = new Map<S3Fault, { seen: number; failed: number; byKey: Map<string, number> }>();
  readonly #holds = new Set<HoldRule>();
  #delayMs = 0;

  private constructor(server: Server, upstream: URL) {
    this.#server = server;
    this.#upstream = upstream;
    server.on("request", (req, res) => this.#handle(req, res));
  }

  /** Starts a proxy on `host` (a free port) forwarding to `upstream` (e.g. `http://127.0.0.1:9000`). */
  static async start(upstream: string, host: string): Promise<S3FaultProxy> {
    const server = createServer({ keepAliveTimeout: 30_000 });
    const proxy = new S3FaultProxy(server, new URL(upstream));
    await new Promise<void>((resolve, reject) => {
      server.once("error", reject);
      server.listen(0, host, () => resolve());
    });
    return proxy;
  }

  /** `http://host:port` of the proxy. */
  get url(): string {
    const address = this.#server.address() as AddressInfo;
    return `http://${address.address}:${address.port}`;
  }

  /** Injects a fault until the returned function is called (or its `count` is used up). */
  fail(fault: S3Fault): () => void {
    this.#faults.set(fault, { seen: 0, failed: 0, byKey: new Map() });
    return () => this.#faults.delete(fault);
  }

  /**
   * Lets the first `after` matching requests through, then holds the next ones unanswered until released: a test
   * can stop a client in the middle of an upload at a known point, whatever the machine's speed.
   */
  hold(rule: { methods?: string[]; key?: RegExp; after?: number }): S3Hold {
    const state: HoldRule = { ...rule, after: rule.after ?? 0, passed: 0, waiting: [], released: false };
    this.#holds.add(state);
    return {
      held: () => state.waiting.length,
      release: () => {
        state.released = true;
        this.#holds.delete(state);
        for (const wake of state.waiting.splice(0)) wake();
      },
    };
  }

  /** Adds `ms` of latency before every request is forwarded (0 = none). */
  delay(ms: number): void {
    this.#delayMs = ms;
  }

  /**
   * Keys of `bucket` written by a client upload that succeeded: a single PUT (not a part, not a server-side copy)
   * or a completed multipart upload. Server-side copies (rclone's renames to versioned names) are not uploads.
   * `since` is an index into `calls` (e.g. `calls.length` before the step being measured).
   */
  uploads(bucket: string, since = 0): string[] {
    return this.calls
      .slice(since)
      .filter(
        (c) =>
          c.bucket === bucket &&
          c.key !== "" &&
          c.status < 300 &&
          !c.copy &&
          ((c.method === "PUT" && !c.query.has("partNumber")) || (c.method === "POST" && c.query.has("uploadId"))),
      )
      .map((c) => c.key);
  }

  /** Requests answered by an injected fault. */
  injected(): S3Call[] {
    return this.calls.filter((c) => c.injected);
  }

  async close(): Promise<void> {
    this.#faults.clear();
    for (const hold of [...this.#holds]) for (const wake of hold.waiting.splice(0)) wake();
    this.#holds.clear();
    await new Promise<void>((resolve) => {
      this.#server.close(() => resolve());
      this.#server.closeAllConnections();
    });
  }

  #match(method: string, key: string): S3Fault | undefined {
    for (const [fault, state] of this.#faults) {
      if (fault.methods && !fault.methods.includes(method)) continue;
      if (fault.key !== undefined && !fault.key.test(key)) continue;
      if (fault.perKey !== undefined) {
        const failed = state.byKey.get(`${method} ${key}`) ?? 0;
        if (failed >= fault.perKey) continue;
        state.byKey.set(`${method} ${key}`, failed + 1);
      }
      state.seen++;
      if (state.seen % (fault.every ?? 1) !== 0) continue;
      state.failed++;
      if (fault.count !== undefined && state.failed >= fault.count) this.#faults.delete(fault);
      return fault;
    }
    return undefined;
  }

  async #handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const method = req.method ?? "GET";
    const { bucket, key, query } = split(req.url ?? "/");
    const record = (status: number, injected: boolean) =>
      this.calls.push({
        method,
        bucket,
        key,
        query,
        copy: req.headers["x-amz-copy-source"] !== undefined,
        status,
        injected,
      });
    if (this.#delayMs > 0) await new Promise((resolve) => setTimeout(resolve, this.#delayMs));
    for (const hold of this.#holds) {
      if (hold.methods && !hold.methods.includes(method)) continue;
      if (hold.key !== undefined && !hold.key.test(key)) continue;
      if (hold.passed < hold.after) {
        hold.passed++;
        break;
      }
      await new Promise<void>((resolve) => hold.waiting.push(resolve));
      req.destroy();
      res.destroy();
      return;
    }
    const fault = this.#match(method, key);
    if (fault) {
      // Drain the body first: the client may still be sending it.
      req.resume();
      req.on("end", () => {
        const code = fault.code ?? DEFAULT_CODE[fault.status] ?? "InternalError";
        const body = `<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>${code}</Code><Message>injected by the test proxy</Message><Resource>/${bucket}/${key}</Resource><RequestId>fault</RequestId></Error>`;
        res.writeHead(fault.status, { "content-type": "application/xml", "content-length": Buffer.byteLength(body) });
        res.end(body);
        record(fault.status, true);
      });
      return;
    }
    const upstream = request({
      host: this.#upstream.hostname,
      port: this.#upstream.port,
      method,
      path: req.url,
      headers: req.headers,
    });
    upstream.on("response", (answer) => {
      res.writeHead(answer.statusCode ?? 502, answer.headers);
      answer.pipe(res);
      answer.on("end", () => record(answer.statusCode ?? 502, false));
    });
    upstream.on("error", (error) => {
      if (!res.headersSent) res.writeHead(502, { "content-type": "text/plain" });
      res.end(String(error));
      record(502, false);
    });
    req.pipe(upstream);
  }
}
