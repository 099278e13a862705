/**
 * Request-level faults (per-path injected errors, latency) and the node/port faults (stop, start, blackhole),
 * recorded in the ledger. This is the TypeScript fault API; the control HTTP API calls it.
 * @module
 */
import type { Ledger } from "../ledger.ts";
import type { PortKind, PortSlot } from "./port-slot.ts";

/** An injected error: requests whose path matches answer `status` with `body`. */
export interface InjectedError {
  /** Node IP, or undefined for every node. */
  ip?: string;
  /** Substring of the path, or a RegExp. */
  path: string | RegExp;
  method?: string;
  status: number;
  /** Body (JSON value); default Scylla's `{"message", "code"}`. */
  body?: unknown;
  /** Remaining count; undefined = forever. */
  count?: number;
}

/** Added latency on matching requests. */
export interface InjectedLatency {
  ip?: string;
  path: string | RegExp;
  ms: number;
}

/** Held answers: matching requests are served, and their answer waits until `release()`. */
export interface HeldAnswers {
  ip?: string;
  path: string | RegExp;
  method?: string;
  /** Requests served (answers held) so far. */
  readonly served: number;
  release(): void;
}

/** What a matching request's answer waits for (after the handler ran). */
export type AnswerHold = Promise<void>;

/** What the REST (and metrics) servers ask before serving a request. */
export interface RequestFaults {
  check(
    ip: string,
    method: string,
    path: string,
  ): { delayMs: number; error?: { status: number; body: unknown }; holdAnswer?: AnswerHold };
}

const matches = (pattern: string | RegExp, path: string): boolean =>
  typeof pattern === "string" ? path.includes(pattern) : pattern.test(path);

/** The cluster's fault controller. */
export class Faults implements RequestFaults {
  readonly #errors: InjectedError[] = [];
  readonly #latency: InjectedLatency[] = [];
  readonly #holds: Array<HeldAnswers & { gate: Promise<void>; count(): void }> = [];

  constructor(
    private readonly ledger: Ledger,
    private readonly now: () => number,
    private readonly nodeOps: {
      slots(ip: string): PortSlot[];
      setUp(ip: string, up: boolean): void;
    },
  ) {}

  check(
    ip: string,
    method: string,
    path: string,
  ): { delayMs: number; error?: { status: number; body: unknown }; holdAnswer?: AnswerHold } {
    let delayMs = 0;
    for (const l of this.#latency) if ((l.ip === undefined || l.ip === ip) && matches(l.path, path)) delayMs += l.ms;
    const hold = this.#holds.find(
      (h) =>
        (h.ip === undefined || h.ip === ip) && (h.method === undefined || h.method === method) && matches(h.path, path),
    );
    hold?.count();
    const held = hold === undefined ? {} : { holdAnswer: hold.gate };
    const i = this.#errors.findIndex(
      (e) =>
        (e.ip === undefined || e.ip === ip) && (e.method === undefined || e.method === method) && matches(e.path, path),
    );
    const e = this.#errors[i];
    if (e === undefined) return { delayMs, ...held };
    if (e.count !== undefined && --e.count <= 0) this.#errors.splice(i, 1);
    return {
      delayMs,
      ...held,
      error: { status: e.status, body: e.body ?? { message: `injected error ${e.status}`, code: e.status } },
    };
  }

  /** Stops a node: every port refuses, peers' gossip marks it down. */
  async stopNode(ip: string): Promise<void> {
    this.nodeOps.setUp(ip, false);
    await Promise.all(this.nodeOps.slots(ip).map((s) => s.set("stopped")));
    this.#record(ip, "stop", {});
  }

  /** Starts a stopped node again. */
  async startNode(ip: string): Promise<void> {
    await Promise.all(this.nodeOps.slots(ip).map((s) => s.set("serving")));
    this.nodeOps.setUp(ip, true);
    this.#record(ip, "start", {});
  }

  /** Blackholes one port of a node (accept, never answer). */
  async blackhole(ip: string, port: PortKind): Promise<void> {
    const slots = this.nodeOps.slots(ip).filter((s) => s.kind === port);
    if (slots.length === 0) throw new Error(`node ${ip} has no ${port} port`);
    await Promise.all(slots.map((s) => s.set("blackholed")));
    this.#record(ip, "blackhole", { port });
  }

  /** Serves a blackholed port again. */
  async unblackhole(ip: string, port: PortKind): Promise<void> {
    await Promise.all(
      this.nodeOps
        .slots(ip)
        .filter((s) => s.kind === port && s.mode === "blackholed")
        .map((s) => s.set("serving")),
    );
    this.#record(ip, "unblackhole", { port });
  }

  /** Makes matching REST requests fail with `status` (and `body`), `count` times or forever. */
  injectError(
    ip: string | undefined,
    path: string | RegExp,
    status: number,
    body?: unknown,
    options: { count?: number; method?: string } = {},
  ): void {
    this.#errors.push({ ...(ip === undefined ? {} : { ip }), path, status, body, ...options });
    this.#record(ip ?? "*", "inject_error", { path: String(path), status, ...options });
  }

  /** Makes matching REST requests answer 401 as the agent does for a bad token. */
  unauthorized(ip: string | undefined, path: string | RegExp = "/", count?: number): void {
    this.injectError(ip, path, 401, { message: "unauthorized", code: 401 }, count === undefined ? {} : { count });
  }

  /** Adds latency to matching REST requests. */
  setLatency(ip: string | undefined, path: string | RegExp, ms: number): void {
    this.#latency.push({ ...(ip === undefined ? {} : { ip }), path, ms });
    this.#record(ip ?? "*", "latency", { path: String(path), ms });
  }

  /**
   * Serves matching REST requests but holds their answers until `release()` (or `clear`): what the node did is done,
   * and the caller has not heard of it yet; a caller that goes away meanwhile never does (e.g. a task was started,
   * its id never reached the caller).
   */
  holdAnswers(ip: string | undefined, path: string | RegExp, options: { method?: string } = {}): HeldAnswers {
    let release = () => {};
    const gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    let served = 0;
    const hold = {
      ...(ip === undefined ? {} : { ip }),
      path,
      ...options,
      gate,
      get served() {
        return served;
      },
      count: () => {
        served++;
      },
      release: () => {
        const i = this.#holds.indexOf(hold);
        if (i >= 0) this.#holds.splice(i, 1);
        release();
        this.#record(ip ?? "*", "release_answers", { path: String(path) });
      },
    };
    this.#holds.push(hold);
    this.#record(ip ?? "*", "hold_answers", { path: String(path), ...options });
    return hold;
  }

  /** Removes injected errors, latency and held answers and serves every blackholed port; stopped nodes stay stopped. */
  async clear(ips: readonly string[]): Promise<void> {
    this.#errors.length = 0;
    this.#latency.length = 0;
    for (const h of [...this.#holds]) h.release();
    for (const ip of ips) {
      await Promise.all(
        this.nodeOps
          .slots(ip)
          .filter((s) => s.mode === "blackholed")
          .map((s) => s.set("serving")),
      );
    }
    this.#record("*", "clear", {});
  }

  #record(host: string, action: string, detail: Record<string, unknown>): void {
    this.ledger.record({ kind: "fault", host, action, detail, at: this.now() });
  }
}
