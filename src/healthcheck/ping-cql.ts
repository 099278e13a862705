/**
 * CQL pings (SM's `pkg/ping/cqlping`):
 * - without credentials, the raw 9-byte OPTIONS frame `04 00 00 00 05 00 00 00 00`, expecting opcode 0x06
 *   (SUPPORTED), retried with backoff (1 ms, ×2, ≤ timeout/3) until the deadline; so a refused port ends as TIMEOUT;
 * - with credentials, a real login on protocol v3 and `SELECT now() FROM system.local WHERE key='local'`.
 * @module
 */
import net from "node:net";
import tls from "node:tls";
import {
  type CqlClientCert,
  type CqlCredentials,
  describeDriverError,
  openCqlSession,
} from "../clients/cql/session.ts";
import { PingTimeoutError, PingUnauthorizedError } from "./errors.ts";

const OPTIONS_FRAME = Buffer.from([0x04, 0x00, 0x00, 0x00, 0x05, 0x00, 0x00, 0x00, 0x00]);
const OPCODE_SUPPORTED = 0x06;

export interface CqlPingOptions {
  address: string;
  port: number;
  tls: boolean;
  clientCert?: CqlClientCert;
  /** ms; SM's `healthcheck.max_timeout`, default 1 000. */
  timeoutMs: number;
  credentials?: CqlCredentials;
  /** DC of the node (the driver needs a local DC). */
  dc?: string;
  signal?: AbortSignal;
}

/** Pings CQL the way SM does; resolves with the RTT in ms or throws PingTimeoutError / PingUnauthorizedError / Error. */
export function pingCql(options: CqlPingOptions): Promise<number> {
  return options.credentials ? pingCqlQuery(options) : pingCqlNative(options);
}

/** The raw OPTIONS frame ping, retried until the deadline. */
export async function pingCqlNative(options: CqlPingOptions): Promise<number> {
  const started = performance.now();
  const deadline = started + options.timeoutMs;
  let wait = 1;
  let last: unknown;
  while (performance.now() < deadline) {
    options.signal?.throwIfAborted();
    try {
      await sendOptionsFrame(options, deadline - performance.now());
      return performance.now() - started;
    } catch (error) {
      last = error;
    }
    const remaining = deadline - performance.now();
    if (remaining <= 0) break;
    await new Promise((resolve) => setTimeout(resolve, Math.min(wait, remaining)));
    wait = Math.min(wait * 2, options.timeoutMs / 3);
  }
  throw new PingTimeoutError(`timeout${last instanceof Error ? `: ${last.message}` : ""}`, { cause: last });
}

function sendOptionsFrame(options: CqlPingOptions, budgetMs: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const socket = options.tls
      ? tls.connect({
          host: options.address,
          port: options.port,
          rejectUnauthorized: false,
          cert: options.clientCert?.cert,
          key: options.clientCert?.key,
        })
      : net.connect({ host: options.address, port: options.port });
    const timer = setTimeout(() => done(new Error("i/o timeout")), Math.max(1, budgetMs));
    let received = Buffer.alloc(0);
    const done = (error?: Error) => {
      clearTimeout(timer);
      socket.destroy();
      if (error) reject(error);
      else resolve();
    };
    socket.once(options.tls ? "secureConnect" : "connect", () => socket.write(OPTIONS_FRAME));
    socket.on("data", (chunk: Buffer) => {
      received = Buffer.concat([received, chunk]);
      if (received.length < 5) return;
      if (received[4] === OPCODE_SUPPORTED) done();
      else done(new Error(`unexpected CQL response opcode 0x${(received[4] ?? 0).toString(16).padStart(2, "0")}`));
    });
    socket.on("error", (error: NodeJS.ErrnoException) => {
      const address = `${options.address}:${options.port}`;
      done(error.code === "ECONNREFUSED" ? new Error(`dial tcp ${address}: connect: connection refused`) : error);
    });
    socket.on("end", () => done(new Error("EOF")));
  });
}

const UNAUTHORIZED = /(authentication failed|username and\/or password are incorrect)/i;

/** Login (protocol v3) + `SELECT now()`, all within the timeout. */
async function pingCqlQuery(options: CqlPingOptions): Promise<number> {
  const started = performance.now();
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new PingTimeoutError("timeout")), options.timeoutMs);
  });
  const attempt = (async () => {
    const session = await openCqlSession({
      contactPoints: [`${options.address}:${options.port}`],
      localDataCenter: options.dc ?? "datacenter1",
      credentials: options.credentials,
      tls: options.tls,
      clientCert: options.clientCert,
      singleHost: true,
      timeoutMs: options.timeoutMs,
      protocolVersion: 3,
    });
    try {
      await session.execute("SELECT now() FROM system.local WHERE key='local'");
    } finally {
      session.shutdown().catch(() => undefined);
    }
  })();
  try {
    await Promise.race([attempt, timeout]);
    return performance.now() - started;
  } catch (error) {
    attempt.catch(() => undefined);
    if (error instanceof PingTimeoutError) throw error;
    const message = describeDriverError(error);
    if (performance.now() - started >= options.timeoutMs) throw new PingTimeoutError(message, { cause: error });
    if (UNAUTHORIZED.test(message)) throw new PingUnauthorizedError(message, { cause: error });
    throw new Error(message, { cause: error });
  } finally {
    clearTimeout(timer);
  }
}
