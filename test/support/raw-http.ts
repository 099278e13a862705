/**
 * A raw HTTP/1.1 client for hostile-input tests: sends exactly the bytes given (bad Host headers, absolute-form
 * targets, declared bodies that never arrive, chunked floods), then reads one answer, with a timeout.
 * @module
 */
import net from "node:net";
import tls from "node:tls";

/** One parsed answer (`status` 0 when the server closed or timed out without answering). */
export interface RawAnswer {
  status: number;
  headers: Record<string, string>;
  body: string;
  /** Why no answer came: "timeout", "closed" or the socket error. */
  failure?: string;
}

export interface RawRequestOptions {
  host: string;
  port: number;
  /** Speak TLS (certificate not verified: test servers use self-signed ones). */
  tls?: boolean;
  /** The request head and any body bytes sent at once. */
  head: string | Uint8Array;
  /** More body, sent after the head while the server may already answer (errors on a closed socket are ignored). */
  body?: AsyncIterable<Uint8Array> | Iterable<Uint8Array>;
  timeoutMs?: number;
}

/** Sends one request and resolves with the first answer (the body up to `content-length` or the close). */
export function rawRequest(options: RawRequestOptions): Promise<RawAnswer> {
  return new Promise((resolve) => {
    const socket: net.Socket = options.tls
      ? tls.connect({ host: options.host, port: options.port, rejectUnauthorized: false })
      : net.connect(options.port, options.host);
    const chunks: Buffer[] = [];
    let done = false;
    const finish = (failure?: string) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      socket.destroy();
      resolve(parseAnswer(Buffer.concat(chunks), failure));
    };
    const timer = setTimeout(() => finish("timeout"), options.timeoutMs ?? 10_000);
    socket.on(options.tls ? "secureConnect" : "connect", async () => {
      socket.write(options.head);
      if (!options.body) return;
      try {
        for await (const chunk of options.body) {
          if (done || socket.destroyed) return;
          if (!socket.write(chunk)) await new Promise((r) => socket.once("drain", r));
        }
      } catch {
        // the server closed: its answer (if any) is what counts
      }
    });
    socket.on("data", (data: Buffer) => {
      chunks.push(data);
      const all = Buffer.concat(chunks);
      const answer = parseAnswer(all);
      if (answer.status === 0) return;
      const length = Number(answer.headers["content-length"] ?? Number.NaN);
      const chunked = answer.headers["transfer-encoding"]?.includes("chunked") ?? false;
      if (answer.status === 204 || answer.status === 304) finish();
      else if (Number.isFinite(length) && Buffer.byteLength(answer.body) >= length) finish();
      else if (chunked && all.includes("\r\n0\r\n\r\n")) finish();
    });
    socket.on("error", (error) => finish(chunks.length > 0 ? undefined : error.message));
    socket.on("close", () => finish(chunks.length > 0 ? undefined : "closed"));
  });
}

function parseAnswer(data: Buffer, failure?: string): RawAnswer {
  const text = data.toString("utf8");
  const end = text.indexOf("\r\n\r\n");
  if (end < 0) return { status: 0, headers: {}, body: "", failure: failure ?? "closed" };
  const [statusLine = "", ...lines] = text.slice(0, end).split("\r\n");
  const headers: Record<string, string> = {};
  for (const line of lines) {
    const colon = line.indexOf(":");
    if (colon > 0) headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
  }
  let body = text.slice(end + 4);
  if (/^HTTP\/1\.[01] (204|304)/.test(statusLine)) body = "";
  if (headers["transfer-encoding"]?.includes("chunked")) body = dechunk(body);
  return { status: Number(statusLine.split(" ")[1] ?? 0), headers, body };
}

function dechunk(text: string): string {
  let out = "";
  let rest = text;
  for (;;) {
    const eol = rest.indexOf("\r\n");
    if (eol < 0) return out;
    const size = Number.parseInt(rest.slice(0, eol), 16);
    if (!Number.isFinite(size) || size === 0) return out;
    out += rest.slice(eol + 2, eol + 2 + size);
    rest = rest.slice(eol + 4 + size);
  }
}

/** `count` chunks of `size` bytes of `fill`, in HTTP chunked framing, ending with the last-chunk marker. */
export function* chunkedBody(prefix: string, count: number, size: number, fill = 0x61): Generator<Uint8Array> {
  const frame = (bytes: Uint8Array) =>
    Buffer.concat([Buffer.from(`${bytes.byteLength.toString(16)}\r\n`), bytes, Buffer.from("\r\n")]);
  yield frame(Buffer.from(prefix));
  const chunk = frame(Buffer.alloc(size, fill));
  for (let i = 0; i < count; i++) yield chunk;
  yield Buffer.from("0\r\n\r\n");
}
