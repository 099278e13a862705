/**
 * The pool of known hosts a request without a forced host is sent to. SM uses an epsilon-greedy pool; we keep its
 * observable behaviour: healthy hosts first (fastest recent answer first, ties rotate), hosts that failed recently
 * (401, 403, ≥ 500 or no answer) last, and every host is tried at most once per request.
 * @module
 */

interface HostState {
  failedAt: number;
  rttMs: number;
}

export interface HostPoolOptions {
  /** How long a failure pushes a host to the back of the pool, ms. Default 30 000. */
  failurePenaltyMs?: number;
  /** Clock, ms. Default Date.now. */
  now?: () => number;
}

/** Orders known hosts for failover. */
export class HostPool {
  #hosts: string[];
  readonly #state = new Map<string, HostState>();
  readonly #penaltyMs: number;
  readonly #now: () => number;
  #cursor = 0;

  constructor(hosts: readonly string[], options: HostPoolOptions = {}) {
    this.#hosts = [...new Set(hosts)];
    this.#penaltyMs = options.failurePenaltyMs ?? 30_000;
    this.#now = options.now ?? Date.now;
  }

  /** The hosts in the pool. */
  get hosts(): readonly string[] {
    return this.#hosts;
  }

  /** Replaces the host list (after re-discovery), keeping what is known about hosts that stay. */
  setHosts(hosts: readonly string[]): void {
    this.#hosts = [...new Set(hosts)];
    for (const host of this.#state.keys()) if (!this.#hosts.includes(host)) this.#state.delete(host);
  }

  /** Every host, in the order to try them for one request. */
  order(): string[] {
    const now = this.#now();
    const start = this.#cursor++ % Math.max(1, this.#hosts.length);
    const rotated = [...this.#hosts.slice(start), ...this.#hosts.slice(0, start)];
    const failed = (host: string) => {
      const state = this.#state.get(host);
      return state !== undefined && now - state.failedAt < this.#penaltyMs;
    };
    const rtt = (host: string) => this.#state.get(host)?.rttMs ?? 0;
    const healthy = rotated.filter((host) => !failed(host));
    // Prefer hosts that answered fast; unknown hosts (rtt 0) keep their rotated position among the fastest.
    healthy.sort((a, b) => bucket(rtt(a)) - bucket(rtt(b)));
    return [...healthy, ...rotated.filter(failed)];
  }

  /** Records a failed attempt (401, 403, ≥ 500, no answer). */
  markFailed(host: string): void {
    this.#state.set(host, { failedAt: this.#now(), rttMs: this.#state.get(host)?.rttMs ?? 0 });
  }

  /** Records a successful answer and its round-trip time. */
  markSuccess(host: string, rttMs: number): void {
    const previous = this.#state.get(host)?.rttMs ?? rttMs;
    this.#state.set(host, { failedAt: Number.NEGATIVE_INFINITY, rttMs: previous * 0.7 + rttMs * 0.3 });
  }
}

// Latencies within the same 50 ms bucket count as equal so the rotation spreads load, as the epsilon-greedy pool does.
function bucket(rttMs: number): number {
  return Math.floor(rttMs / 50);
}
