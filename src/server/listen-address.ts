/**
 * Go-style listen addresses (`127.0.0.1:5080`, `:5080`, `[::1]:5080`) as Bun.serve hostnames and ports.
 * @module
 */
import { ConfigError } from "../errors.ts";

/** A parsed listen address. */
export interface ListenAddress {
  hostname: string;
  port: number;
}

/**
 * Parses `host:port`. An empty host means all interfaces, as in Go; we bind 0.0.0.0 (IPv4 any), the one bind
 * that works on hosts without IPv6.
 * @throws ConfigError naming the key.
 */
export function parseListenAddress(key: string, address: string): ListenAddress {
  const match = /^(?:\[([0-9a-fA-F:.]+)\]|([^:\s[\]]*)):(\d{1,5})$/.exec(address);
  const port = Number(match?.[3]);
  if (!match || port > 65535) {
    throw new ConfigError(`invalid ${key} address ${JSON.stringify(address)}`, {
      hint: "use host:port, e.g. 127.0.0.1:5080, :5080 or [::1]:5080",
    });
  }
  const host = match[1] ?? match[2] ?? "";
  return { hostname: host === "" ? "0.0.0.0" : host, port };
}

/** `host:port` with IPv6 hosts bracketed, for URLs and logs. */
export function formatHostPort(hostname: string, port: number): string {
  return hostname.includes(":") ? `[${hostname}]:${port}` : `${hostname}:${port}`;
}
