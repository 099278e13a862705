/**
 * The Scylla Manager REST API client sctool uses (ours or SM's server), over Bun's fetch or node:http(s) (see
 * transport.ts for which carries what).
 * @module
 */
import * as v from "valibot";
import { ConfigError, ManagerError, type ManagerErrorOptions } from "../../errors.ts";
import { readTextFile } from "../../util/read-file.ts";
import {
  type ClientCertificate,
  type Exchange,
  fetchCanSend,
  fetchTransport,
  nodeHttpTransport,
  type Transport,
} from "./transport.ts";

/** A query value; arrays are sent comma-joined (swagger `collectionFormat: csv`), undefined is skipped. */
export type QueryValue = string | number | boolean | readonly string[] | undefined;

export interface ManagerApiClientOptions {
  /** Base URL including the API prefix, e.g. `http://127.0.0.1:5080/api/v1`. */
  apiUrl: string;
  /** PEM client certificate and key files (both or neither), for servers with `tls_ca_file`. */
  certFile?: string;
  keyFile?: string;
  /** Sent as `Authorization: Bearer <token>` (our server's optional `auth_token`). */
  token?: string;
  /** Called with request and response summaries (SCTOOL_DUMP_HTTP). */
  dump?: (text: string) => void;
}

export interface RequestOptions {
  query?: Record<string, QueryValue>;
  /** JSON body (also allowed on GET: SM's task target endpoint reads one). */
  body?: unknown;
  signal?: AbortSignal;
}

/** A full answer: status, lower-cased headers and the parsed JSON body (undefined when empty). */
export interface ApiResponse<T = unknown> {
  status: number;
  headers: Record<string, string>;
  data: T;
}

/** An error answered by the server: SM's `{message, details, trace_id}` body with its HTTP status. */
export class ManagerApiError extends ManagerError {
  override readonly name: string = "ManagerApiError";
  override readonly code: string = "EAPI";
  override readonly status: number;
  /** The server's trace id ("" when the server sent none), to grep in its logs. */
  readonly traceId: string;

  constructor(message: string, status: number, traceId: string, options: ManagerErrorOptions = {}) {
    super(message, options);
    this.status = status;
    this.traceId = traceId;
  }
}

/** A client of one server. */
export class ManagerApiClient {
  readonly baseUrl: URL;
  readonly #options: ManagerApiClientOptions;
  #fetch: Transport | undefined;
  #nodeHttp: Transport | undefined;
  #certificate: ClientCertificate | undefined;

  constructor(options: ManagerApiClientOptions) {
    let base: URL;
    try {
      base = new URL(options.apiUrl);
    } catch {
      throw new ConfigError(`invalid API URL ${JSON.stringify(options.apiUrl)}`, {
        hint: "use --api-url http://host:port/api/v1 (or SCYLLA_MANAGER_API_URL)",
      });
    }
    if (base.protocol !== "http:" && base.protocol !== "https:") {
      throw new ConfigError(`invalid API URL ${options.apiUrl}: scheme must be http or https`);
    }
    this.baseUrl = base;
    this.#options = options;
  }

  /** Sends a request and returns the parsed body. @throws ManagerApiError for non-2xx answers. */
  async request<T = unknown>(method: string, path: string, options: RequestOptions = {}): Promise<T> {
    return (await this.send<T>(method, path, options)).data;
  }

  /** Sends a request and returns status, headers and body. @throws ManagerApiError for non-2xx answers. */
  async send<T = unknown>(method: string, path: string, options: RequestOptions = {}): Promise<ApiResponse<T>> {
    const url = this.#url(path, options.query);
    const body = options.body === undefined ? undefined : JSON.stringify(options.body);
    const headers: Record<string, string> = { accept: "application/json" };
    if (body !== undefined) headers["content-type"] = "application/json";
    if (this.#options.token) headers.authorization = `Bearer ${this.#options.token}`;
    this.#options.dump?.(`> ${method} ${url}${body === undefined ? "" : `\n> ${body}`}`);
    const { status, responseHeaders, text } = await this.#exchange(method, url, headers, body, options.signal);
    this.#options.dump?.(`< ${status}${text === "" ? "" : `\n< ${text}`}`);
    if (status < 200 || status > 299) throw toApiError(status, text);
    let data: unknown;
    if (text.trim() !== "") {
      try {
        data = JSON.parse(text);
      } catch {
        throw new ManagerError(`${method} ${url.pathname}: invalid JSON in the server's answer`, {
          details: text.slice(0, 500),
          hint: "make sure --api-url points at a Scylla Manager server",
        });
      }
    }
    return { status, headers: responseHeaders, data: data as T };
  }

  /** Releases pooled connections. */
  close(): void {
    this.#fetch?.close();
    this.#nodeHttp?.close();
    this.#fetch = undefined;
    this.#nodeHttp = undefined;
  }

  #url(path: string, query: Record<string, QueryValue> | undefined): URL {
    const url = new URL(this.baseUrl.href);
    url.pathname = `${url.pathname.replace(/\/$/, "")}/${path.replace(/^\//, "")}`;
    for (const [key, value] of Object.entries(query ?? {})) {
      if (value === undefined) continue;
      url.searchParams.set(key, Array.isArray(value) ? value.join(",") : String(value));
    }
    return url;
  }

  /** The `--api-cert-file`/`--api-key-file` pair, read once, on the first HTTPS request. */
  #clientCertificate(): ClientCertificate | undefined {
    const { certFile, keyFile } = this.#options;
    if (!certFile || !keyFile) return undefined;
    this.#certificate ??= { cert: readPem(certFile, "--api-cert-file"), key: readPem(keyFile, "--api-key-file") };
    return this.#certificate;
  }

  async #exchange(
    method: string,
    url: URL,
    headers: Record<string, string>,
    body: string | undefined,
    signal: AbortSignal | undefined,
  ): Promise<Exchange> {
    const certificate = () => this.#clientCertificate();
    let transport: Transport;
    if (fetchCanSend(method, body)) {
      this.#fetch ??= fetchTransport(certificate);
      transport = this.#fetch;
    } else {
      this.#nodeHttp ??= nodeHttpTransport(certificate);
      transport = this.#nodeHttp;
    }
    try {
      return await transport.exchange({ method, url, headers, body, signal });
    } catch (error) {
      if (error instanceof ManagerError) throw error;
      throw toNetworkError(method, url, error as Error);
    }
  }
}

/**
 * `value` checked against `schema`; an answer of another shape is a ManagerError naming `call` (the server is likely
 * not a Scylla Manager).
 */
export function parseAnswer<TSchema extends v.GenericSchema>(
  schema: TSchema,
  value: unknown,
  call: string,
): v.InferOutput<TSchema> {
  const parsed = v.safeParse(schema, value);
  if (!parsed.success) {
    throw new ManagerError(`${call}: unexpected answer from the server`, {
      hint: "make sure --api-url points at a Scylla Manager server",
    });
  }
  return parsed.output;
}

function readPem(file: string, flag: string): string {
  return readTextFile(file, (reason, error) => {
    throw new ConfigError(`${flag}: read ${file}: ${reason}`, {
      hint: `make sure ${file} exists and is readable`,
      cause: error,
    });
  });
}

function toApiError(status: number, text: string): ManagerApiError {
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    body = undefined;
  }
  if (typeof body === "object" && body !== null && typeof (body as { message?: unknown }).message === "string") {
    const { message, details, trace_id } = body as { message: string; details?: unknown; trace_id?: unknown };
    return new ManagerApiError(message, status, typeof trace_id === "string" ? trace_id : "", {
      ...(typeof details === "string" && details !== "" ? { details } : {}),
    });
  }
  const snippet = text.trim().slice(0, 200);
  return new ManagerApiError(`unexpected HTTP ${status} from the server${snippet ? `: ${snippet}` : ""}`, status, "", {
    hint: "make sure --api-url points at a Scylla Manager server",
  });
}

function toNetworkError(method: string, url: URL, error: Error): ManagerError {
  const code = (error as NodeJS.ErrnoException).code;
  if (error.name === "AbortError") return new ManagerError(`${method} ${url.href}: aborted`, { cause: error });
  const reason = code === "ECONNREFUSED" ? "connection refused" : error.message;
  return new ManagerError(`${method} ${url.href}: ${reason}`, {
    hint: "make sure the Scylla Manager server is running and --api-url (SCYLLA_MANAGER_API_URL) points at it",
    cause: error,
  });
}
