/**
 * An unauthenticated look at an agent's HTTPS port: the TLS certificate it serves and the node's clock (the `Date`
 * of its 401 answer). Needs no token, so it works whatever the store holds; never sends a credential.
 * @module
 */
import { request } from "node:https";

export interface AgentProbe {
  /** Certificate expiry, epoch ms (undefined when no certificate was seen). */
  certValidToMs?: number;
  /** The node's clock from the answer's Date header, epoch ms. */
  dateMs?: number;
  /** When the answer arrived on this machine, epoch ms. */
  receivedMs: number;
  /** Set when the port did not answer. */
  error?: string;
}

export function probeAgent(host: string, port: number, timeoutMs = 5000): Promise<AgentProbe> {
  return new Promise((resolve) => {
    const req = request(
      { host, port, path: "/agent/node_info", method: "GET", rejectUnauthorized: false, timeout: timeoutMs },
      (res) => {
        const socket = res.socket as import("node:tls").TLSSocket;
        const cert = socket.getPeerCertificate?.();
        const date = res.headers.date ? Date.parse(res.headers.date) : Number.NaN;
        res.resume();
        resolve({
          ...(cert?.valid_to ? { certValidToMs: Date.parse(cert.valid_to) } : {}),
          ...(Number.isNaN(date) ? {} : { dateMs: date }),
          receivedMs: Date.now(),
        });
      },
    );
    req.on("timeout", () => req.destroy(new Error(`timeout after ${timeoutMs}ms`)));
    req.on("error", (error: NodeJS.ErrnoException) =>
      resolve({ receivedMs: Date.now(), error: error.code ?? error.message }),
    );
    req.end();
  });
}
