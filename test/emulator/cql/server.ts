/**
 * The emulated node's CQL listener: plain on `cqlPort`, TLS on `cqlSslPort` when client encryption is on
 * (with a required client certificate when `requireClientAuth`).
 */

import { createServer, type Server, type Socket } from "node:net";
import { createServer as createTlsServer } from "node:tls";
import type { NodeContext } from "../node-context.ts";
import type { SchemaChange } from "../schema/types.ts";
import { fromNodeContext } from "./adapter.ts";
import { type ConnectionHost, CqlConnection } from "./connection.ts";
import type { Prepared } from "./execute.ts";
import { encodeNodeEvent, encodeSchemaChangeEvent, type SchemaChangeEvent } from "./messages.ts";
import type { CqlNodeView } from "./node-view.ts";
import { createTableRegistry } from "./tables/registry.ts";

export interface CqlServerOptions {
  /** Plain port; default the node's `cqlPort` (0 picks a free port). */
  port?: number;
  /** TLS port; default the node's `cqlSslPort`. Served only when `tls` is given. */
  sslPort?: number;
  /** TLS material: PEM cert/key, CA for client certs, and whether a client cert is required. */
  tls?: { certificate: string; key: string; ca?: string; requireClientAuth: boolean };
}

export interface CqlServer {
  /** Bound plain port. */
  port: number;
  /** Bound TLS port, when TLS is served. */
  sslPort?: number;
  close(): Promise<void>;
}

/** Starts the CQL listener(s) of a node; B1 calls this from node start-up. */
export function startCqlServer(node: NodeContext, options: CqlServerOptions = {}): Promise<CqlServer> {
  const tls = options.tls ?? (node.settings.tls?.enabled ? node.settings.tls : undefined);
  return startCqlServerForView(fromNodeContext(node), {
    port: options.port ?? node.settings.cqlPort,
    sslPort: options.sslPort ?? node.settings.cqlSslPort,
    tls,
  });
}

/** How often peers' liveness is compared to push STATUS_CHANGE events (gossip's failure detector is ~seconds). */
const STATUS_POLL_MS = 250;

/** Watches peers' liveness and reports changes (the node's gossip view, as Scylla's STATUS_CHANGE events). */
function watchPeers(node: CqlNodeView, onChange: (ip: string, up: boolean) => void): () => void {
  const last = new Map(node.peers().map((p) => [p.ip, p.up]));
  const timer = setInterval(() => {
    for (const p of node.peers()) {
      if (last.get(p.ip) !== p.up) {
        last.set(p.ip, p.up);
        onChange(p.ip, p.up);
      }
    }
  }, STATUS_POLL_MS);
  timer.unref?.();
  return () => clearInterval(timer);
}

function toEvent(change: SchemaChange): SchemaChangeEvent {
  if (change.kind === "keyspace") return { change: change.change, target: "KEYSPACE", keyspace: change.keyspace };
  return {
    change: change.change,
    target: change.kind === "type" ? "TYPE" : "TABLE",
    keyspace: change.keyspace,
    name: change.name,
  };
}

function listen(server: Server, ip: string, port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, ip, () => {
      server.off("error", reject);
      const addr = server.address();
      resolve(typeof addr === "object" && addr ? addr.port : port);
    });
  });
}

/** Starts listeners for a node view (tests may build the view without a NodeContext). */
export async function startCqlServerForView(
  node: CqlNodeView,
  options: CqlServerOptions & { port: number },
): Promise<CqlServer> {
  const connections = new Set<CqlConnection>();
  let boundPort = options.port;
  const sockets = new Set<Socket>();
  const host: ConnectionHost = { node, tables: createTableRegistry(node), prepared: new Map<string, Prepared>() };
  // Scylla spreads plain-port connections over its shards; round-robin is the emulator's model of that.
  let accepted = 0;
  const accept = (socket: Socket) => {
    sockets.add(socket);
    socket.setNoDelay(true);
    const conn = new CqlConnection(socket, host, accepted++ % Math.max(1, node.shards ?? 1));
    connections.add(conn);
    socket.on("close", () => {
      connections.delete(conn);
      sockets.delete(socket);
    });
  };
  const unsubscribeSchema = node.schema.onChange((change) => {
    const body = encodeSchemaChangeEvent(toEvent(change));
    for (const c of connections) if (c.events.has("SCHEMA_CHANGE")) c.pushEvent(body);
  });
  const unwatch = watchPeers(node, (ip, up) => {
    // Every node of a cluster serves CQL on the same port, so the peer's port is ours.
    const body = encodeNodeEvent("STATUS_CHANGE", up ? "UP" : "DOWN", ip, boundPort);
    for (const c of connections) if (c.events.has("STATUS_CHANGE")) c.pushEvent(body);
  });
  const unsubscribe = () => {
    unsubscribeSchema();
    unwatch();
  };

  const servers: Server[] = [];
  try {
    const plain = createServer(accept);
    servers.push(plain);
    const port = await listen(plain, node.ip, options.port);
    boundPort = port;
    let sslPort: number | undefined;
    if (options.tls) {
      const secure = createTlsServer(
        {
          cert: options.tls.certificate,
          key: options.tls.key,
          ca: options.tls.ca,
          requestCert: options.tls.requireClientAuth,
          rejectUnauthorized: options.tls.requireClientAuth,
        },
        accept,
      );
      secure.on("tlsClientError", () => {});
      servers.push(secure);
      sslPort = await listen(secure, node.ip, options.sslPort ?? 0);
    }
    return {
      port,
      sslPort,
      close: async () => {
        unsubscribe();
        for (const s of sockets) s.destroy();
        await Promise.all(servers.map((s) => new Promise<void>((r) => s.close(() => r()))));
      },
    };
  } catch (err) {
    unsubscribe();
    for (const s of servers) s.close();
    throw err;
  }
}
