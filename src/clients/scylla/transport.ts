/**
 * The HTTPS hop to an agent: one request on a keep-alive connection, with SM's TLS rules
 * (InsecureSkipVerify) and, beyond SM, certificate verification against a CA or a pinned SHA-256 fingerprint.
 *
 * Built on `node:https` so the library runs unchanged on Node >= 20 and Bun.
 * @module
 */
import { X509Certificate } from "node:crypto";
import https from "node:https";
import type { TLSSocket } from "node:tls";

/** How agents' certificates are checked. SM never verifies them; we do when given a CA or a fingerprint. */
export interface AgentTlsOptions {
  /** PEM CA bundle; the agent's certificate chain must verify against it (hostname included). */
  caCert?: string;
  /**
   * SHA-256 fingerprint(s) of the agents' certificates, hex with or without colons (any case); several are separated
   * by commas or whitespace (agents that generate their own certificate each have one). Any match is accepted.
   */
  certFingerprint?: string;
}

export interface HttpsRequest {
  method: string;
  /** Full URL, `https://host:port/path?query`. */
  url: string;
  headers: Record<string, string>;
  body?: string | Uint8Array;
  signal: AbortSignal;
}

export interface HttpsResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
}

/** A network-level failure (no HTTP answer): refused, reset, TLS. */
export class TransportError extends Error {
  override readonly name: string = "TransportError";
}

/** The agent's certificate failed verification (CA or pinned fingerprint). */
export class AgentCertificateError extends TransportError {
  override readonly name: string = "AgentCertificateError";
}

const CERT_ERROR_CODES = new Set([
  "UNABLE_TO_VERIFY_LEAF_SIGNATURE",
  "DEPTH_ZERO_SELF_SIGNED_CERT",
  "SELF_SIGNED_CERT_IN_CHAIN",
  "ERR_TLS_CERT_ALTNAME_INVALID",
  "CERT_HAS_EXPIRED",
  "UNABLE_TO_GET_ISSUER_CERT_LOCALLY",
  "CERT_SIGNATURE_FAILURE",
]);

/** Normalises a fingerprint to upper-case colon-separated hex, as Node reports `fingerprint256`. */
function normalizeFingerprint(value: string): string {
  const hex = value.replace(/[^0-9a-fA-F]/g, "").toUpperCase();
  return hex.match(/.{2}/g)?.join(":") ?? "";
}

/** Splits a list of fingerprints (commas or whitespace between entries) into normalised ones. */
function parseFingerprints(value: string): string[] {
  return value
    .split(/[\s,;]+/)
    .map(normalizeFingerprint)
    .filter((fingerprint) => fingerprint !== "");
}

/** The SHA-256 fingerprint of a PEM certificate, in `normalizeFingerprint` form. */
export function fingerprintOfPem(pem: string): string {
  return new X509Certificate(pem).fingerprint256;
}

/** Sends HTTPS requests to agents over one keep-alive pool; create one per cluster (its TLS policy). */
export class AgentTransport {
  readonly #agent: https.Agent;
  readonly #tls: AgentTlsOptions;
  readonly #pins: Set<string> | undefined;
  readonly #verified = new WeakSet<object>();

  constructor(tls: AgentTlsOptions = {}) {
    this.#tls = tls;
    const pins = parseFingerprints(tls.certFingerprint ?? "");
    this.#pins = pins.length > 0 ? new Set(pins) : undefined;
    // A resumed TLS session carries no peer certificate (Node), so pinning needs full handshakes.
    this.#agent = new https.Agent({ keepAlive: true, maxSockets: 100, maxCachedSessions: this.#pins ? 0 : 100 });
  }

  /** Sends one request; rejects with TransportError when no HTTP answer arrives, or with the signal's reason. */
  send(request: HttpsRequest): Promise<HttpsResponse> {
    const { signal } = request;
    if (signal.aborted) return Promise.reject(signal.reason);
    const url = new URL(request.url);
    return new Promise<HttpsResponse>((resolve, reject) => {
      let settled = false;
      const finish = (fn: () => void) => {
        if (settled) return;
        settled = true;
        signal.removeEventListener("abort", onAbort);
        fn();
      };
      const req = https.request(
        {
          host: url.hostname.replace(/^\[|\]$/g, ""),
          port: url.port || 443,
          path: `${url.pathname}${url.search}`,
          method: request.method,
          headers: request.headers,
          agent: this.#agent,
          // SM: InsecureSkipVerify. With a CA the chain (and hostname) must verify.
          rejectUnauthorized: this.#tls.caCert !== undefined && this.#tls.caCert !== "",
          ca: this.#tls.caCert || undefined,
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on("data", (chunk: Buffer) => chunks.push(chunk));
          res.on("error", (err) => finish(() => reject(new TransportError(err.message))));
          res.on("end", () =>
            finish(() => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) })),
          );
        },
      );
      const onAbort = () => {
        req.destroy();
        finish(() => reject(signal.reason));
      };
      signal.addEventListener("abort", onAbort, { once: true });
      req.on("error", (err: NodeJS.ErrnoException) => finish(() => reject(toTransportError(err, url))));
      const send = () => req.end(request.body);
      const pins = this.#pins;
      if (!pins) {
        send();
        return;
      }
      // The request (and its bearer token) is written only after the peer's certificate matched the pin.
      req.on("socket", (socket: TLSSocket) => {
        if (this.#verified.has(socket)) return send();
        const check = () => {
          const fingerprint = socket.getPeerCertificate()?.fingerprint256 ?? "";
          if (pins.has(fingerprint)) {
            this.#verified.add(socket);
            send();
          } else {
            req.destroy(
              new AgentCertificateError(
                `agent certificate fingerprint ${fingerprint || "(none)"} does not match the pinned ${[...pins].join(", ")}`,
              ),
            );
          }
        };
        if (!socket.connecting && socket.getPeerCertificate?.()?.fingerprint256) check();
        else socket.once("secureConnect", check);
      });
    });
  }

  /** Closes idle keep-alive connections. */
  close(): void {
    this.#agent.destroy();
  }
}

function toTransportError(err: NodeJS.ErrnoException, url: URL): Error {
  if (err instanceof TransportError) return err;
  const address = `${url.hostname}:${url.port || 443}`;
  if (err.code === "ECONNREFUSED") return new TransportError(`dial tcp ${address}: connect: connection refused`);
  if (err.code === "ECONNRESET") return new TransportError(`read tcp ${address}: connection reset by peer`);
  if (err.code === "EHOSTUNREACH") return new TransportError(`dial tcp ${address}: connect: no route to host`);
  if ((err.code && CERT_ERROR_CODES.has(err.code)) || /certificate/i.test(err.message)) {
    return new AgentCertificateError(`${address}: agent certificate not trusted: ${err.message}`);
  }
  return new TransportError(`${address}: ${err.message}`);
}
