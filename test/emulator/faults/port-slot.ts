/**
 * One listening port of a node, switchable between serving, refusing (stopped: nothing listens, connections are
 * refused) and blackholed (connections are accepted and never answered, like an iptables DROP that lets the
 * handshake through).
 * @module
 */

/** Something listening that can be closed. */
export interface Closable {
  close(): Promise<void> | void;
}

export type PortKind = "rest" | "cql" | "cql_ssl" | "prometheus" | "alternator";

/** A port of a node and the server behind it. */
export class PortSlot {
  #current: Closable | undefined;
  #mode: "serving" | "stopped" | "blackholed" = "stopped";
  #busy: Promise<void> = Promise.resolve();

  constructor(
    readonly kind: PortKind,
    readonly host: string,
    /** Ports the server listens on (CQL serves the plain and the TLS port together). */
    readonly ports: readonly number[],
    readonly startServer: () => Promise<Closable>,
  ) {}

  get mode(): "serving" | "stopped" | "blackholed" {
    return this.#mode;
  }

  /** Switches to a mode; calls are serialised. */
  set(mode: "serving" | "stopped" | "blackholed"): Promise<void> {
    const next = this.#busy.then(() => this.#apply(mode));
    this.#busy = next.catch(() => undefined);
    return next;
  }

  async #apply(mode: "serving" | "stopped" | "blackholed"): Promise<void> {
    if (mode === this.#mode) return;
    const previous = this.#current;
    this.#current = undefined;
    this.#mode = "stopped";
    await previous?.close();
    if (mode === "serving") {
      try {
        this.#current = await this.startServer();
      } catch (err) {
        const why = err instanceof Error ? err.message : String(err);
        throw new Error(
          `cannot listen on ${this.host} ${this.kind} port(s) ${this.ports.join(",")}: ${why} (another emulated cluster on this IP prefix?)`,
        );
      }
    }
    if (mode === "blackholed") {
      const holes = this.ports.map((port) => listenBlackhole(this.host, port));
      this.#current = {
        close: () => {
          for (const h of holes) h.close();
        },
      };
    }
    this.#mode = mode;
  }
}

/** Accepts TCP connections and never answers; closing drops the held connections. */
export function listenBlackhole(host: string, port: number): Closable {
  const sockets = new Set<{ end(): void }>();
  const listener = Bun.listen({
    hostname: host,
    port,
    socket: {
      open(socket) {
        sockets.add(socket);
      },
      data() {},
      close(socket) {
        sockets.delete(socket);
      },
    },
  });
  return {
    close() {
      for (const s of sockets) s.end();
      listener.stop(true);
    },
  };
}
