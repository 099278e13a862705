/**
 * Alternator pings (SM's `pkg/ping/dynamoping`). SM picks, on purpose:
 * - authorization enforced → `GET /` must answer 200 (a query could not authenticate anyway);
 * - not enforced → an unsigned DynamoDB `Scan` of `.scylla.alternator.system_schema.tables` with `Limit 1`;
 *   `User not found` / `The security token included in the request is invalid.` → UNAUTHORIZED.
 * @module
 */
import http from "node:http";
import https from "node:https";
import { PingTimeoutError, PingUnauthorizedError } from "./errors.ts";

export interface AlternatorPingOptions {
  /** Base URL, e.g. `http://10.0.0.1:8000` (from node_info). */
  url: string;
  enforceAuthorization: boolean;
  /** ms. */
  timeoutMs: number;
  signal?: AbortSignal;
}

const UNAUTHORIZED = /(User not found|The security token included in the request is invalid\.)/;

/** Pings Alternator; resolves with the RTT in ms. */
export async function pingAlternator(options: AlternatorPingOptions): Promise<number> {
  const started = performance.now();
  const request: { method: string; path: string; headers: Record<string, string>; body: string | undefined } =
    options.enforceAuthorization
      ? { method: "GET", path: "/", headers: {}, body: undefined }
      : {
          method: "POST",
          path: "/",
          headers: {
            "content-type": "application/x-amz-json-1.0",
            "x-amz-target": "DynamoDB_20120810.Scan",
          },
          body: JSON.stringify({ TableName: ".scylla.alternator.system_schema.tables", Limit: 1 }),
        };
  const { status, body } = await send(options, request);
  const rtt = performance.now() - started;
  if (rtt >= options.timeoutMs) throw new PingTimeoutError("timeout");
  if (status === 200) return rtt;
  if (UNAUTHORIZED.test(body)) throw new PingUnauthorizedError(extractMessage(body));
  throw new Error(`alternator [HTTP ${status}] ${extractMessage(body)}`.trim());
}

function extractMessage(body: string): string {
  try {
    const parsed = JSON.parse(body) as Record<string, unknown>;
    const message = parsed.message ?? parsed.Message;
    return typeof message === "string" ? message : body.slice(0, 200);
  } catch {
    return body.slice(0, 200);
  }
}

function send(
  options: AlternatorPingOptions,
  request: { method: string; path: string; headers: Record<string, string>; body: string | undefined },
): Promise<{ status: number; body: string }> {
  const url = new URL(request.path, options.url);
  const lib = url.protocol === "https:" ? https : http;
  return new Promise((resolve, reject) => {
    const req = lib.request(
      url,
      {
        method: request.method,
        headers: { ...request.headers, connection: "close" },
        rejectUnauthorized: false,
        agent: false,
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (chunk: Buffer) => chunks.push(chunk));
        res.on("end", () => {
          clearTimeout(timer);
          resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString("utf8") });
        });
        res.on("error", reject);
      },
    );
    const timer = setTimeout(() => {
      req.destroy();
      reject(new PingTimeoutError("timeout"));
    }, options.timeoutMs);
    req.on("error", (error: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      reject(error.code === "ECONNREFUSED" ? new Error(`dial tcp ${url.host}: connect: connection refused`) : error);
    });
    options.signal?.addEventListener("abort", () => req.destroy(), { once: true });
    req.end(request.body);
  });
}
