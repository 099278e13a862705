import { afterEach, describe, expect, test } from "bun:test";
import http from "node:http";
import { type FetchHandler, type NodeListener, readRawGetBody, startNodeListener } from "./node-listener.ts";

const listeners: NodeListener[] = [];
afterEach(async () => {
  await Promise.all(listeners.splice(0).map((listener) => listener.close(100)));
});

async function serve(ip: string, fetch: FetchHandler, maxGetBodyBytes?: number): Promise<NodeListener> {
  const listener = await startNodeListener({
    hostname: ip,
    port: 0,
    fetch,
    ...(maxGetBodyBytes ? { maxGetBodyBytes } : {}),
  });
  listeners.push(listener);
  return listener;
}

interface RawAnswer {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: string;
}

/** A raw node:http request; `body` is sent with an explicit content-length unless `chunked`. */
function send(
  listener: NodeListener,
  method: string,
  path: string,
  body?: string | Buffer,
  chunked = false,
): Promise<RawAnswer> {
  return new Promise((resolve, reject) => {
    const headers: Record<string, string | number> = {};
    if (body !== undefined && !chunked) headers["content-length"] = Buffer.byteLength(body);
    if (chunked) headers["transfer-encoding"] = "chunked";
    const req = http.request({ host: listener.hostname, port: listener.port, method, path, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (chunk: Buffer) => chunks.push(chunk));
      res.on("end", () =>
        resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString() }),
      );
    });
    req.on("error", reject);
    req.end(body);
  });
}

/** Echoes what the app saw: method, path, query, GET body from the env, streamed body. */
const echo: FetchHandler = async (request, env) =>
  Response.json({
    method: request.method,
    url: request.url,
    header: request.headers.get("x-test"),
    rawGetBody: readRawGetBody(env) ?? null,
    body: request.body ? await request.text() : null,
  });

describe("startNodeListener", () => {
  test("a GET body reaches the app through the env, with content-length or chunked; none when absent", async () => {
    const listener = await serve("127.0.52.1", echo);
    const answer = await send(listener, "GET", "/a?b=1", '{"x":1}');
    // A body the app had complete goes out in one piece with its length, not chunked.
    expect(answer.headers["content-length"]).toBe(String(Buffer.byteLength(answer.body)));
    expect(answer.headers["transfer-encoding"]).toBeUndefined();
    const withLength = JSON.parse(answer.body);
    expect(withLength).toMatchObject({ method: "GET", rawGetBody: '{"x":1}', body: null });
    expect(withLength.url).toBe(`http://127.0.52.1:${listener.port}/a?b=1`);
    const chunked = JSON.parse((await send(listener, "GET", "/a", '{"y":2}', true)).body);
    expect(chunked.rawGetBody).toBe('{"y":2}');
    const none = JSON.parse((await send(listener, "GET", "/a")).body);
    expect(none).toMatchObject({ rawGetBody: null, body: null });
    expect(readRawGetBody(undefined)).toBeUndefined();
  });

  test("a GET body over the limit answers 413 without reaching the app", async () => {
    let reached = false;
    const listener = await serve(
      "127.0.52.2",
      () => {
        reached = true;
        return new Response("no");
      },
      16,
    );
    const big = await send(listener, "GET", "/", "x".repeat(17));
    expect(big.status).toBe(413);
    expect(JSON.parse(big.body).message).toContain("at most 16 bytes");
    const bigChunked = await send(listener, "GET", "/", "x".repeat(100), true);
    expect(bigChunked.status).toBe(413);
    expect(reached).toBe(false);
  });

  test("POST bodies stream through intact; HEAD answers headers only", async () => {
    const listener = await serve("127.0.52.3", async (request) => {
      if (request.method === "HEAD") return new Response("ignored body", { headers: { "x-head": "yes" } });
      const bytes = new Uint8Array(await request.arrayBuffer());
      let sum = 0;
      for (const byte of bytes) sum = (sum + byte) % 65521;
      return Response.json({ length: bytes.length, sum });
    });
    const payload = Buffer.alloc(3 * 1024 * 1024 + 7, 0);
    for (let i = 0; i < payload.length; i++) payload[i] = (i * 31) % 251;
    let sum = 0;
    for (const byte of payload) sum = (sum + byte) % 65521;
    const posted = await send(listener, "POST", "/upload", payload);
    expect(JSON.parse(posted.body)).toEqual({ length: payload.length, sum });
    const head = await send(listener, "HEAD", "/");
    expect(head.status).toBe(200);
    expect(head.headers["x-head"]).toBe("yes");
    expect(head.body).toBe("");
  }, 30_000);

  test("status, repeated set-cookie headers and a streamed body go back as sent", async () => {
    let release: () => void = () => undefined;
    const released = new Promise<void>((resolve) => {
      release = resolve;
    });
    const listener = await serve("127.0.52.4", () => {
      const headers = new Headers({ "content-type": "text/plain", "x-multi": "a" });
      headers.append("set-cookie", "a=1; Path=/");
      headers.append("set-cookie", "b=2; Path=/");
      const body = new ReadableStream<Uint8Array>({
        async start(controller) {
          controller.enqueue(new TextEncoder().encode("first;"));
          // The second chunk waits until the client has seen the first: a buffering adapter would deadlock here.
          await released;
          controller.enqueue(new TextEncoder().encode("second"));
          controller.close();
        },
      });
      return new Response(body, { status: 202, headers });
    });
    const answer = await new Promise<RawAnswer>((resolve, reject) => {
      const req = http.request({ host: listener.hostname, port: listener.port, path: "/" }, (res) => {
        let body = "";
        res.on("data", (chunk: Buffer) => {
          body += chunk.toString();
          if (body === "first;") release();
        });
        res.on("end", () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
      });
      req.on("error", reject);
      req.end();
    });
    expect(answer.status).toBe(202);
    expect(answer.headers["set-cookie"]).toEqual(["a=1; Path=/", "b=2; Path=/"]);
    expect(answer.headers["content-type"]).toBe("text/plain");
    expect(answer.body).toBe("first;second");
  });

  test("a client disconnect aborts the request's signal", async () => {
    let aborted: (reason: unknown) => void = () => undefined;
    const sawAbort = new Promise<unknown>((resolve) => {
      aborted = resolve;
    });
    let arrived: () => void = () => undefined;
    const hasArrived = new Promise<void>((resolve) => {
      arrived = resolve;
    });
    const listener = await serve("127.0.52.5", (request) => {
      arrived();
      return new Promise<Response>((resolve) => {
        request.signal.addEventListener("abort", () => {
          aborted(request.signal.reason);
          resolve(new Response("late"));
        });
      });
    });
    const req = http.request({ host: listener.hostname, port: listener.port, path: "/wait" });
    req.on("error", () => undefined);
    req.end();
    await hasArrived;
    req.destroy();
    expect(String(await sawAbort)).toContain("client disconnected");
  });

  test("close lets an in-flight request finish, refuses new ones, and is bounded for requests that never end", async () => {
    let arrived: () => void = () => undefined;
    const hasArrived = new Promise<void>((resolve) => {
      arrived = resolve;
    });
    const listener = await serve("127.0.52.6", async (request) => {
      if (new URL(request.url).pathname === "/never") return new Promise<Response>(() => undefined);
      arrived();
      await new Promise((resolve) => setTimeout(resolve, 200));
      return new Response("done");
    });
    const inFlight = send(listener, "GET", "/slow");
    await hasArrived;
    const closed = listener.close(5000);
    expect(await inFlight).toMatchObject({ status: 200, body: "done" });
    await closed;
    await expect(send(listener, "GET", "/slow")).rejects.toThrow();

    const stuck = await serve("127.0.52.7", async () => new Promise<Response>(() => undefined));
    const never = send(stuck, "GET", "/never").catch((error: Error) => error);
    await new Promise((resolve) => setTimeout(resolve, 50));
    const started = performance.now();
    await stuck.close(100);
    expect(performance.now() - started).toBeLessThan(4000);
    expect(await never).toBeInstanceOf(Error);
  });

  test("a busy port rejects with the listen error", async () => {
    const first = await serve("127.0.52.8", echo);
    await expect(startNodeListener({ hostname: "127.0.52.8", port: first.port, fetch: echo })).rejects.toThrow();
  });
});
