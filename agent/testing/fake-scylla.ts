/**
 * A tiny fake of Scylla's REST API for the agent's unit tests (the emulator covers the real thing in e2e):
 * `/v2/config/*` from a map (unknown entries → 400 "No such config entry"), the release version, `host_id`,
 * Prometheus text at `/metrics`, and two proxy probes: `POST /echo` streams the body back, `GET /big?size=N`
 * streams N bytes, `GET /hang` waits until the caller goes away.
 * @module
 */

export interface FakeScyllaOptions {
  hostname: string;
  port?: number;
  dataDir: string;
  version?: string;
  /** Entries merged over the defaults; `undefined` removes one (→ 400). */
  config?: Record<string, unknown>;
}

export interface FakeScylla {
  url: string;
  host: string;
  port: number;
  /** Paths requested, in order (with query). */
  requests: string[];
  /** Headers of the last request. */
  lastHeaders: Headers | undefined;
  /** `GET /hang` requests whose caller went away (they never answer on their own). */
  abortedHangs: number;
  close(): Promise<void>;
}

/** Starts the fake on `hostname` (port 0 by default). */
export function startFakeScylla(options: FakeScyllaOptions): FakeScylla {
  const version = options.version ?? "2025.1.0-0.20250101.abcdef";
  const entries: Record<string, unknown> = {
    listen_address: options.hostname,
    broadcast_address: options.hostname,
    broadcast_rpc_address: options.hostname,
    rpc_address: options.hostname,
    prometheus_address: options.hostname,
    native_transport_port: 9042,
    native_transport_port_ssl: 9142,
    rpc_port: 9160,
    alternator_port: 8000,
    data_file_directories: [options.dataDir],
    client_encryption_options: { enabled: "true", require_client_auth: "false", certificate: "/c.pem" },
    authenticator: "org.apache.cassandra.auth.PasswordAuthenticator",
    consistent_cluster_management: true,
    enable_tablets: false,
    object_storage_endpoints: {
      minio: JSON.stringify({ port: 9000, use_https: false, aws_region: "us-east-1", iam_role_arn: "" }),
    },
  };
  for (const [key, value] of Object.entries(options.config ?? {})) {
    if (value === undefined) delete entries[key];
    else entries[key] = value;
  }
  const state: FakeScylla = {
    url: "",
    host: options.hostname,
    port: 0,
    requests: [],
    lastHeaders: undefined,
    abortedHangs: 0,
    close: async () => {},
  };
  const server = Bun.serve({
    hostname: options.hostname,
    port: options.port ?? 0,
    idleTimeout: 0,
    development: false,
    // Bun turns SO_REUSEPORT on when development is off: a second server on the port would then share it silently.
    reusePort: false,
    maxRequestBodySize: Number.MAX_SAFE_INTEGER,
    fetch(request) {
      const url = new URL(request.url);
      state.requests.push(`${request.method} ${url.pathname}${url.search}`);
      state.lastHeaders = request.headers;
      const path = url.pathname;
      if (path.startsWith("/v2/config/")) {
        const name = path.slice("/v2/config/".length);
        if (!(name in entries))
          return Response.json({ message: `No such config entry: ${name}`, code: 400 }, { status: 400 });
        return Response.json(entries[name]);
      }
      if (path === "/storage_service/scylla_release_version") return new Response(JSON.stringify(version));
      if (path === "/storage_service/host_id") {
        return Response.json([{ key: options.hostname, value: "8a3b6a6e-3b8c-4c11-9a55-3a6cbd5d1e01" }]);
      }
      if (path === "/metrics") {
        return new Response(`# TYPE scylla_database_total_writes counter\nscylla_database_total_writes{shard="0"} 5\n`);
      }
      if (path === "/hang") {
        return new Promise<Response>((resolve) => {
          request.signal.addEventListener("abort", () => {
            state.abortedHangs++;
            resolve(new Response(null, { status: 499 }));
          });
        });
      }
      if (path === "/echo") return new Response(request.body, { headers: { "x-echo-query": url.search } });
      if (path === "/big") return new Response(patternStream(Number(url.searchParams.get("size") ?? "0")));
      return Response.json({ message: `Not found: ${path}`, code: 404 }, { status: 404 });
    },
  });
  state.port = server.port ?? 0;
  state.url = `http://${options.hostname}:${state.port}`;
  state.close = async () => {
    await server.stop(true);
  };
  entries.prometheus_port = state.port;
  return state;
}

/** A stream of `size` bytes produced in 64 KiB pieces (never held in memory at once). */
export function patternStream(size: number): ReadableStream<Uint8Array> {
  const piece = new Uint8Array(64 * 1024).map((_, i) => i % 251);
  let sent = 0;
  return new ReadableStream({
    pull(controller) {
      if (sent >= size) {
        controller.close();
        return;
      }
      const n = Math.min(piece.length, size - sent);
      controller.enqueue(n === piece.length ? piece.slice() : piece.slice(0, n));
      sent += n;
    },
  });
}
