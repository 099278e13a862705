/**
 * An emulated node's Alternator endpoint: HTTP on `alternator.port`, HTTPS on `alternator.httpsPort` (with the
 * node's TLS certificate). `GET /` is the health answer; POSTs are DynamoDB JSON API calls.
 */

import { createServer as createHttpServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import { createServer as createHttpsServer } from "node:https";
import { generate } from "selfsigned";
import { fromNodeContext } from "../cql/adapter.ts";
import type { CqlNodeView } from "../cql/node-view.ts";
import type { NodeContext } from "../node-context.ts";
import { answerDynamo } from "./api.ts";
import { verifySigV4 } from "./sigv4.ts";

export interface AlternatorServerOptions {
  port: number;
  httpsPort?: number;
  enforceAuthorization: boolean;
  tls?: { certificate: string; key: string };
}

export interface AlternatorServer {
  port: number;
  httpsPort?: number;
  close(): Promise<void>;
}

/** Starts Alternator for a node; B1's launcher calls this when the node has Alternator on. */
export async function startAlternatorServer(node: NodeContext): Promise<AlternatorServer> {
  const alt = node.settings.alternator;
  return startAlternatorForView(fromNodeContext(node), {
    port: alt.port,
    httpsPort: alt.httpsPort,
    enforceAuthorization: alt.enforceAuthorization,
    tls: node.settings.tls,
  });
}

function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => resolve(Buffer.concat(chunks)));
    req.on("error", reject);
  });
}

function send(res: ServerResponse, status: number, body: unknown): void {
  const text = typeof body === "string" ? body : JSON.stringify(body);
  res.writeHead(status, { "content-type": typeof body === "string" ? "text/plain" : "application/x-amz-json-1.0" });
  res.end(text);
}

/**
 * Starts Alternator for a node view. With enforcement on, requests must be SigV4-signed by the node's CQL
 * user; the emulator uses the user's password as the secret key (Scylla uses the role's salted hash).
 */
export async function startAlternatorForView(
  node: CqlNodeView,
  options: AlternatorServerOptions,
): Promise<AlternatorServer> {
  const handler = async (req: IncomingMessage, res: ServerResponse, port: number) => {
    try {
      const body = await readBody(req);
      const url = new URL(req.url ?? "/", "http://x");
      if (req.method === "GET" && url.pathname === "/") return send(res, 200, `healthy: ${node.ip}:${port}`);
      if (req.method !== "POST")
        return send(res, 404, {
          __type: "com.amazonaws.dynamodb.v20120810#UnknownOperationException",
          message: "Not found",
        });
      if (options.enforceAuthorization) {
        const verdict = verifySigV4(
          { method: "POST", path: url.pathname, query: url.search.slice(1), headers: req.headers, body },
          (user) => (node.auth && user === node.auth.username ? node.auth.password : undefined),
        );
        if (!verdict.ok)
          return send(res, 400, {
            __type: `com.amazonaws.dynamodb.v20120810#${verdict.type}`,
            message: verdict.message,
          });
      }
      let payload: Record<string, unknown>;
      try {
        payload = body.length ? (JSON.parse(body.toString("utf8")) as Record<string, unknown>) : {};
      } catch {
        return send(res, 400, {
          __type: "com.amazonaws.dynamodb.v20120810#SerializationException",
          message: "Invalid JSON request body",
        });
      }
      const target = req.headers["x-amz-target"];
      const answer = answerDynamo(node, Array.isArray(target) ? target[0] : target, payload);
      send(res, answer.status, answer.body);
    } catch (err) {
      send(res, 500, { __type: "com.amazonaws.dynamodb.v20120810#InternalServerError", message: String(err) });
    }
  };

  const servers: Server[] = [];
  const listen = (server: Server, port: number) =>
    new Promise<number>((resolve, reject) => {
      server.once("error", reject);
      server.listen(port, node.ip, () => {
        const addr = server.address();
        resolve(typeof addr === "object" && addr ? addr.port : port);
      });
    });
  try {
    const http = createHttpServer((req, res) => void handler(req, res, port));
    servers.push(http);
    const port = await listen(http, options.port);
    let httpsPort: number | undefined;
    if (options.httpsPort !== undefined) {
      const tls = options.tls ?? (await selfSigned(node.ip));
      const https = createHttpsServer(
        { cert: tls.certificate, key: tls.key },
        (req, res) => void handler(req, res, httpsPort ?? 0),
      );
      servers.push(https);
      httpsPort = await listen(https, options.httpsPort);
    }
    return {
      port,
      httpsPort,
      close: async () => {
        await Promise.all(
          servers.map(
            (s) =>
              new Promise<void>((r) => {
                s.closeAllConnections();
                s.close(() => r());
              }),
          ),
        );
      },
    };
  } catch (err) {
    for (const s of servers) s.close();
    throw err;
  }
}

async function selfSigned(ip: string): Promise<{ certificate: string; key: string }> {
  const pems = await generate([{ name: "commonName", value: "alternator" }], {
    keyType: "ec",
    curve: "P-256",
    algorithm: "sha256",
    extensions: [{ name: "subjectAltName", altNames: [{ type: 7 as const, ip }] }],
  });
  return { certificate: pems.cert, key: pems.private };
}
