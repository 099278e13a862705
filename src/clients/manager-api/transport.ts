/**
 * How the REST client moves one request: Bun's `fetch`, or `node:http`/`node:https`.
 *
 * Under Bun, `fetch` is native: it carries a client certificate and skips server verification (its `tls` option)
 * and loads no JavaScript, where `node:http` costs sctool several milliseconds of every start. No `fetch` sends a
 * body with GET (SM's task target endpoints read one), Node's cannot carry a client certificate, and Bun's sends
 * even loopback requests through an `HTTP_PROXY`/`HTTPS_PROXY` from the environment, which node:http never did:
 * those requests, every request when such a variable is set, and every request under Node go through
 * `node:http`/`node:https`, loaded on first use.
 * @module
 */
import type { Agent } from "node:http";

/** What came back: status, lower-cased headers, the body as text. */
export interface Exchange {
  status: number;
  responseHeaders: Record<string, string>;
  text: string;
}

export interface ExchangeRequest {
  method: string;
  url: URL;
  /** Without content-length: each transport sizes the body itself. */
  headers: Record<string, string>;
  body: string | undefined;
  signal: AbortSignal | undefined;
}

/** PEM client certificate and key; both or neither. */
export interface ClientCertificate {
  cert: string;
  key: string;
}

export interface Transport {
  exchange(request: ExchangeRequest): Promise<Exchange>;
  /** Releases pooled connections. */
  close(): void;
}

const isBun = typeof process !== "undefined" && typeof process.versions?.bun === "string";

const PROXY_VARIABLES = ["http_proxy", "https_proxy", "all_proxy"];

/** Whether the environment names a proxy (any case), which Bun's fetch would use. */
function proxyConfigured(env: Record<string, string | undefined>): boolean {
  return Object.entries(env).some(([name, value]) => PROXY_VARIABLES.includes(name.toLowerCase()) && Boolean(value));
}

/** Whether `fetchTransport` carries this request here (see the module's description). */
export function fetchCanSend(
  method: string,
  body: string | undefined,
  env: Record<string, string | undefined> = process.env,
): boolean {
  return isBun && !(body !== undefined && (method === "GET" || method === "HEAD")) && !proxyConfigured(env);
}

/** Bun's fetch. SM's sctool does not verify the server certificate (InsecureSkipVerify); neither does this. */
export function fetchTransport(certificate: () => ClientCertificate | undefined): Transport {
  return {
    async exchange({ method, url, headers, body, signal }) {
      const response = await fetch(url, {
        method,
        headers,
        body,
        signal,
        redirect: "manual",
        ...(url.protocol === "https:" ? { tls: { rejectUnauthorized: false, ...certificate() } } : {}),
      } as RequestInit);
      const responseHeaders: Record<string, string> = {};
      response.headers.forEach((value, key) => {
        responseHeaders[key] = value;
      });
      return { status: response.status, responseHeaders, text: await response.text() };
    },
    close() {},
  };
}

/** node:http / node:https with a keep-alive agent (created on the first request, with the certificate if any). */
export function nodeHttpTransport(certificate: () => ClientCertificate | undefined): Transport {
  let agent: Agent | undefined;
  return {
    async exchange({ method, url, headers, body, signal }) {
      const https = url.protocol === "https:";
      const transport = https ? await import("node:https") : await import("node:http");
      agent ??= https
        ? new (await import("node:https")).Agent({ keepAlive: true, rejectUnauthorized: false, ...certificate() })
        : new (await import("node:http")).Agent({ keepAlive: true });
      // As Go's client: a sized body. Without it node:http sends a GET body chunked, which Bun's server rejects.
      const sized = body === undefined ? headers : { ...headers, "content-length": String(Buffer.byteLength(body)) };
      return new Promise((resolve, reject) => {
        const request = transport.request(url, { method, headers: sized, agent, signal }, (response) => {
          const chunks: Buffer[] = [];
          response.on("data", (chunk: Buffer) => chunks.push(chunk));
          response.on("error", reject);
          response.on("end", () => {
            const responseHeaders: Record<string, string> = {};
            for (const [key, value] of Object.entries(response.headers)) {
              if (value !== undefined) responseHeaders[key] = Array.isArray(value) ? value.join(", ") : value;
            }
            resolve({
              status: response.statusCode ?? 0,
              responseHeaders,
              text: Buffer.concat(chunks).toString("utf8"),
            });
          });
        });
        request.on("error", reject);
        request.end(body);
      });
    },
    close() {
      agent?.destroy();
      agent = undefined;
    },
  };
}
