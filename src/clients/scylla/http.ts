/**
 * The request core shared by the Scylla REST client and the agent client: bearer token, host pool with failover,
 * retries with SM's backoff, per-call timeouts, JSON bodies parsed whatever the Content-Type says.
 * @module
 */
import * as v from "valibot";
import { ScyllaApiError } from "../../errors.ts";
import { type BackoffPolicy, computeBackoffMs, DEFAULT_BACKOFF, INTERACTIVE_BACKOFF, sleep } from "./backoff.ts";
import { createResponseError, isHostFailure, isRetryableStatus, ScyllaTimeoutError } from "./errors.ts";
import { HostPool } from "./host-pool.ts";
import { type AgentTlsOptions, AgentTransport, TransportError } from "./transport.ts";

/** Options of a client to one cluster's agents. */
export interface AgentHttpOptions {
  /** Known hosts (IPs or names) of the cluster; requests without a forced host go to one of them. */
  hosts: readonly string[];
  /** Agent HTTPS port, the same on every host. Default 10001. */
  port?: number;
  /** Agent auth token, sent as `Authorization: Bearer <token>` when non-empty. */
  authToken?: string;
  /** Agent certificate verification (beyond SM). Default: none, as SM. */
  tls?: AgentTlsOptions;
  /** Default per-attempt timeout, ms. Default 30 000 (`agent_client.timeout`). */
  timeoutMs?: number;
  /** Cap of the doubled timeout on retries, ms. Default 3 600 000 (`agent_client.max_timeout`). */
  maxTimeoutMs?: number;
  /** Backoff of forced-host calls. Default 1 s → 30 s, ×2, jitter 0.2, 9 retries. */
  backoff?: BackoffPolicy;
  /** Backoff of forced-host interactive calls (REST API / sctool). Default one retry after 1 s. */
  interactiveBackoff?: BackoffPolicy;
  /** Random source in [0, 1) for jitter. Default Math.random. */
  random?: () => number;
  /** Share an existing connection pool (it must carry the same TLS policy). */
  transport?: AgentTransport;
}

/** Per-call switches (SM carries them in the context). */
export interface CallOptions {
  /** Send to this host only (with backoff retries); otherwise the pool picks and fails over. */
  host?: string;
  signal?: AbortSignal;
  /** Started by a user through the REST API or sctool: use the short interactive backoff. */
  interactive?: boolean;
  /** Per-attempt timeout, ms; 0 = none. Default the client's timeout. */
  timeoutMs?: number;
  /** One attempt only (pings). */
  noRetry?: boolean;
  query?: Record<string, string | number | boolean | undefined>;
  /** JSON body. */
  body?: unknown;
  /** Raw body (sent as application/octet-stream unless contentType is given). */
  rawBody?: Uint8Array;
  contentType?: string;
  /** Veto a retry of an otherwise retryable error (SM's per-call handlers). */
  shouldRetry?: (error: ScyllaApiError) => boolean;
}

/** A successful answer. */
export interface CallResult {
  host: string;
  status: number;
  body: Buffer;
  headers: Record<string, string | string[] | undefined>;
  rttMs: number;
}

/** Request core to a cluster's agents; see ScyllaClient and AgentClient for the typed calls. */
export class AgentHttpClient {
  readonly pool: HostPool;
  readonly port: number;
  readonly #token: string;
  readonly #transport: AgentTransport;
  readonly #ownsTransport: boolean;
  readonly #timeoutMs: number;
  readonly #maxTimeoutMs: number;
  readonly #backoff: BackoffPolicy;
  readonly #interactiveBackoff: BackoffPolicy;
  readonly #random: () => number;

  constructor(options: AgentHttpOptions) {
    this.pool = new HostPool(options.hosts);
    this.port = options.port || 10001;
    this.#token = options.authToken ?? "";
    this.#ownsTransport = options.transport === undefined;
    this.#transport = options.transport ?? new AgentTransport(options.tls);
    this.#timeoutMs = options.timeoutMs ?? 30_000;
    this.#maxTimeoutMs = options.maxTimeoutMs ?? 3_600_000;
    this.#backoff = options.backoff ?? DEFAULT_BACKOFF;
    this.#interactiveBackoff = options.interactiveBackoff ?? INTERACTIVE_BACKOFF;
    this.#random = options.random ?? Math.random;
  }

  /** Sends a request with SM's retry rules; throws ScyllaApiError (status from the body) or the signal's reason. */
  async request(method: string, path: string, options: CallOptions = {}): Promise<CallResult> {
    return options.host === undefined
      ? this.#requestPooled(method, path, options)
      : this.#requestForced(method, path, options.host, options);
  }

  /** Sends a request and parses the body as JSON (Scylla says text/plain), then validates it. */
  async requestJson<TSchema extends v.GenericSchema>(
    method: string,
    path: string,
    schema: TSchema,
    options: CallOptions = {},
  ): Promise<v.InferOutput<TSchema>> {
    const result = await this.request(method, path, options);
    return parseJsonResult(result, schema, `${method} ${path}`);
  }

  /** Closes idle connections (only when the client created its own pool). */
  close(): void {
    if (this.#ownsTransport) this.#transport.close();
  }

  async #requestPooled(method: string, path: string, options: CallOptions): Promise<CallResult> {
    const hosts = this.pool.order();
    if (hosts.length === 0) throw new ScyllaApiError("no hosts to send the request to", 0, "");
    const attempts = options.noRetry ? 1 : hosts.length;
    let last: ScyllaApiError | undefined;
    for (const host of hosts.slice(0, attempts)) {
      try {
        return await this.#attempt(method, path, host, options.timeoutMs ?? this.#timeoutMs, options, true);
      } catch (error) {
        if (!(error instanceof ScyllaApiError)) throw error;
        last = error;
        if (!isRetryableStatus(error.httpStatus, false) || options.shouldRetry?.(error) === false) throw error;
      }
    }
    const tried = Math.min(attempts, hosts.length);
    throw tried > 1 && last
      ? new ScyllaApiError(`giving up after ${tried} attempts: ${last.message}`, last.httpStatus, last.host, {
          cause: last,
        })
      : (last as ScyllaApiError);
  }

  async #requestForced(method: string, path: string, host: string, options: CallOptions): Promise<CallResult> {
    const policy = options.interactive ? this.#interactiveBackoff : this.#backoff;
    const retries = options.noRetry ? 0 : policy.maxRetries;
    let timeoutMs = options.timeoutMs ?? this.#timeoutMs;
    for (let retry = 0; ; retry++) {
      try {
        return await this.#attempt(method, path, host, timeoutMs, options, false);
      } catch (error) {
        if (!(error instanceof ScyllaApiError)) throw error;
        const retryable = isRetryableStatus(error.httpStatus, true) && options.shouldRetry?.(error) !== false;
        if (!retryable || retry >= retries) {
          if (retry === 0) throw error;
          throw new ScyllaApiError(`giving up after ${retry + 1} attempts: ${error.message}`, error.httpStatus, host, {
            cause: error,
          });
        }
        await sleep(computeBackoffMs(policy, retry, this.#random), options.signal);
        // SM doubles the timeout of a timed-out, non-interactive forced-host call on each retry.
        if (error instanceof ScyllaTimeoutError && !options.interactive && timeoutMs > 0) {
          timeoutMs = Math.min(timeoutMs * 2, this.#maxTimeoutMs);
        }
      }
    }
  }

  async #attempt(
    method: string,
    path: string,
    host: string,
    timeoutMs: number,
    options: CallOptions,
    pooled: boolean,
  ): Promise<CallResult> {
    // As SM, only hosts the pool picked are marked: a forced-host failure (say one host's repair answering 500)
    // says nothing about whether other calls should avoid that host.
    const pool = pooled ? this.pool : undefined;
    const url = this.#buildUrl(host, path, options.query);
    const headers: Record<string, string> = { accept: "application/json" };
    if (this.#token !== "") headers.authorization = `Bearer ${this.#token}`;
    let body: string | Uint8Array | undefined;
    if (options.rawBody !== undefined) {
      body = options.rawBody;
      headers["content-type"] = options.contentType ?? "application/octet-stream";
    } else if (options.body !== undefined) {
      body = JSON.stringify(options.body);
      headers["content-type"] = "application/json";
    }
    if (body !== undefined) headers["content-length"] = String(Buffer.byteLength(body));
    const timeout = timeoutMs > 0 ? AbortSignal.timeout(timeoutMs) : undefined;
    const signals = [options.signal, timeout].filter((s): s is AbortSignal => s !== undefined);
    const signal = signals.length === 0 ? new AbortController().signal : AbortSignal.any(signals);
    const started = performance.now();
    try {
      const response = await this.#transport.send({ method, url, headers, body, signal });
      const rttMs = performance.now() - started;
      if (response.status >= 200 && response.status < 300) {
        pool?.markSuccess(host, rttMs);
        return { host, status: response.status, body: response.body, headers: response.headers, rttMs };
      }
      const error = createResponseError(host, response.status, response.body);
      if (isHostFailure(error.httpStatus)) pool?.markFailed(host);
      throw error;
    } catch (error) {
      if (error instanceof ScyllaApiError) throw error;
      if (options.signal?.aborted) throw options.signal.reason;
      pool?.markFailed(host);
      if (timeout?.aborted) {
        throw new ScyllaTimeoutError(`${method} ${path}: timeout after ${timeoutMs}ms`, 0, host);
      }
      const message = error instanceof TransportError || error instanceof Error ? error.message : String(error);
      throw new ScyllaApiError(message, 0, host, { cause: error });
    }
  }

  #buildUrl(host: string, path: string, query: CallOptions["query"]): string {
    const hostPart = host.includes(":") && !host.startsWith("[") ? `[${host}]` : host;
    const search = new URLSearchParams();
    for (const [key, value] of Object.entries(query ?? {})) {
      if (value !== undefined) search.set(key, String(value));
    }
    const suffix = search.size > 0 ? `?${search.toString()}` : "";
    return `https://${hostPart}:${this.port}${path}${suffix}`;
  }
}

/** Parses a JSON body and validates it; a mismatch names the call and the first issue. */
function parseJsonResult<TSchema extends v.GenericSchema>(
  result: CallResult,
  schema: TSchema,
  call: string,
): v.InferOutput<TSchema> {
  const text = result.body.toString("utf8");
  let parsed: unknown;
  try {
    parsed = text.trim() === "" ? null : JSON.parse(text);
  } catch {
    throw new ScyllaApiError(`${call}: response is not JSON: ${text.slice(0, 200)}`, 0, result.host);
  }
  return validateResponse(parsed, schema, call, result.host);
}

function validateResponse<TSchema extends v.GenericSchema>(
  value: unknown,
  schema: TSchema,
  call: string,
  host: string,
): v.InferOutput<TSchema> {
  const parsed = v.safeParse(schema, value);
  if (parsed.success) return parsed.output;
  const issue = parsed.issues[0];
  const where = issue?.path?.map((item) => String(item.key)).join(".") ?? "";
  throw new ScyllaApiError(
    `${call}: unexpected response${where ? ` at ${where}` : ""}: ${issue?.message ?? "invalid"}`,
    0,
    host,
  );
}
