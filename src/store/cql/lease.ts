/**
 * The leader lease of several servers on one CQL store, in `leader_lease` with lightweight transactions:
 *
 * - acquire: `INSERT ... IF NOT EXISTS USING TTL <lease>`: the row expires by itself when its holder dies;
 * - renew (every `renewMs`): `UPDATE ... USING TTL <lease> ... IF owner = <me>`;
 * - a renewal that fails (a lightweight transaction times out while the database notices a dead node, or under
 *   load) is retried at once, not a renewal interval later, so one slow transaction does not cost the lease;
 * - a leader whose renewal did not succeed by `leaseMs - safetyMs` after its last successful renewal began demotes
 *   itself (its runs stop) before the row can expire and another server take over; a renewal answered "not applied"
 *   (someone else holds it) demotes at once. Demotion acts at once, even while a take-over is still in progress;
 *   the next election's take-over waits until the runs of the last term were stopped;
 * - a demoted server that finds the row still naming it takes it back (`UPDATE ... IF owner = <me>`) instead of
 *   waiting for the row to expire: nobody else can have held it meanwhile;
 * - release on clean stop: `DELETE ... IF owner = <me>`, so a follower takes over at its next attempt.
 * Runtime-neutral.
 * @module
 */

import { randomBytes } from "node:crypto";
import { hostname } from "node:os";
import type { LeaderCallbacks, LeaderElector, LeaderInfo } from "../../manager/leadership.ts";
import type { Logger } from "../../util/log.ts";
import type { CqlStore } from "./store.ts";

export interface CqlLeaseOptions {
  store: CqlStore;
  /** This server's advertised API address (shown to others). */
  address?: string;
  /** Lease length, ms (rounded up to whole seconds for the TTL). Default 15 000. */
  leaseMs?: number;
  /** Renewal / acquisition attempt interval, ms. Default leaseMs / 5. */
  renewMs?: number;
  /** Demote this long before the lease could end without a renewal, ms. Default leaseMs / 5. */
  safetyMs?: number;
  logger?: Logger;
  /** Lease name (one per store). Default "scheduler". */
  name?: string;
}

/** Delay before another attempt after a failed renewal, ms. */
const RETRY_MS = 100;

/** A unique id of this server process. */
export function serverId(): string {
  return `${hostname()}/${process.pid}/${randomBytes(3).toString("hex")}`;
}

export class CqlLeaderLease implements LeaderElector {
  readonly #o: Required<Omit<CqlLeaseOptions, "logger">> & { logger?: Logger };
  readonly #self = serverId();
  #leader = false;
  #validUntil = 0;
  #seen: { owner: string; address: string; expiresAt: Date | null } = { owner: "", address: "", expiresAt: null };
  #timer: ReturnType<typeof setTimeout> | undefined;
  #watchdog: ReturnType<typeof setTimeout> | undefined;
  #stopped = false;
  #callbacks: LeaderCallbacks | undefined;
  #transition: Promise<void> = Promise.resolve();

  constructor(options: CqlLeaseOptions) {
    const leaseMs = options.leaseMs ?? 15_000;
    this.#o = {
      store: options.store,
      address: options.address ?? "",
      leaseMs,
      renewMs: options.renewMs ?? Math.max(200, Math.floor(leaseMs / 5)),
      safetyMs: options.safetyMs ?? Math.floor(leaseMs / 5),
      name: options.name ?? "scheduler",
      ...(options.logger ? { logger: options.logger } : {}),
    };
  }

  get self(): string {
    return this.#self;
  }

  /** The API address shown to other servers (known once the listeners are up). */
  setAddress(address: string): void {
    this.#o.address = address;
  }

  start(callbacks: LeaderCallbacks): void {
    this.#callbacks = callbacks;
    this.#stopped = false;
    void this.#tick();
  }

  isLeader(): boolean {
    return this.#leader && Date.now() < this.#validUntil;
  }

  info(): LeaderInfo {
    const leader = this.isLeader();
    return {
      self: this.#self,
      leader: leader ? this.#self : this.#seen.owner,
      leaderAddress: leader ? this.#o.address : this.#seen.address,
      isLeader: leader,
      leaseExpiresAt: this.#seen.expiresAt ? this.#seen.expiresAt.toISOString() : null,
    };
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    if (this.#timer) clearTimeout(this.#timer);
    await this.#transition;
    if (this.#leader) {
      await this.#demote("server stopping");
      const { store } = this.#o;
      await store.client
        .execute(`DELETE FROM ${store.keyspace}.leader_lease WHERE name = ? IF owner = ?`, [this.#o.name, this.#self], {
          prepare: true,
        })
        .catch(() => undefined);
    }
  }

  async #tick(): Promise<void> {
    if (this.#stopped) return;
    const began = Date.now();
    let failed = false;
    try {
      const applied = this.#leader ? await this.#renew(began) : await this.#acquire(began);
      if (applied && !this.#leader) {
        this.#leader = true;
        this.#validUntil = began + this.#o.leaseMs - this.#o.safetyMs;
        this.#armWatchdog();
        this.#o.logger?.info("leader lease acquired", { server: this.#self });
        this.#transition = this.#transition
          .then(() => this.#callbacks?.onElected())
          .catch((error) => {
            this.#o.logger?.error("leader takeover", { error: String(error) });
          });
      } else if (applied) {
        this.#validUntil = began + this.#o.leaseMs - this.#o.safetyMs;
        this.#armWatchdog();
      } else if (this.#leader) {
        await this.#demote("another server holds the lease");
      }
    } catch (error) {
      // Renewal failed (store unreachable, a transaction timed out...): try again at once; the watchdog demotes when
      // the lease could run out.
      failed = true;
      this.#o.logger?.warn("leader lease", { error: error instanceof Error ? error.message : String(error) });
    }
    if (this.#stopped) return;
    const delay = failed && this.#leader ? RETRY_MS : this.#o.renewMs;
    this.#timer = setTimeout(() => void this.#tick(), delay);
  }

  #armWatchdog(): void {
    if (this.#watchdog) clearTimeout(this.#watchdog);
    this.#watchdog = setTimeout(
      () => {
        if (this.#leader && Date.now() >= this.#validUntil) void this.#demote("could not renew the lease in time");
      },
      Math.max(0, this.#validUntil - Date.now()),
    );
  }

  async #demote(reason: string): Promise<void> {
    if (!this.#leader) return;
    this.#leader = false;
    this.#validUntil = 0;
    if (this.#watchdog) clearTimeout(this.#watchdog);
    this.#o.logger?.warn("leader lease lost: stopping runs", { server: this.#self, reason });
    // At once, not after a take-over still in progress: the runs must stop before the lease can end.
    const stepDown = Promise.resolve()
      .then(() => this.#callbacks?.onDemoted(reason))
      .catch((error) => {
        this.#o.logger?.error("leader step-down", { error: String(error) });
      });
    const previous = this.#transition;
    this.#transition = Promise.all([previous, stepDown]).then(() => undefined);
    await stepDown;
  }

  #ttl(): number {
    return Math.ceil(this.#o.leaseMs / 1000);
  }

  async #acquire(began: number): Promise<boolean> {
    const { store } = this.#o;
    const expires = new Date(began + this.#o.leaseMs);
    const result = await store.client.execute(
      `INSERT INTO ${store.keyspace}.leader_lease (name, owner, address, expires_at) VALUES (?, ?, ?, ?) IF NOT EXISTS USING TTL ?`,
      [this.#o.name, this.#self, this.#o.address, expires, this.#ttl()],
      { prepare: true },
    );
    if (result.wasApplied()) {
      this.#seen = { owner: this.#self, address: this.#o.address, expiresAt: expires };
      return true;
    }
    const row = result.first();
    this.#seen = {
      owner: String(row?.get("owner") ?? ""),
      address: String(row?.get("address") ?? ""),
      expiresAt: (row?.get("expires_at") as Date | null) ?? null,
    };
    // Still ours (this server stepped down because a renewal did not answer in time): take it back.
    if (this.#seen.owner === this.#self) return this.#renew(began);
    return false;
  }

  async #renew(began: number): Promise<boolean> {
    const { store } = this.#o;
    const expires = new Date(began + this.#o.leaseMs);
    const result = await store.client.execute(
      `UPDATE ${store.keyspace}.leader_lease USING TTL ? SET owner = ?, address = ?, expires_at = ? WHERE name = ? IF owner = ?`,
      [this.#ttl(), this.#self, this.#o.address, expires, this.#o.name, this.#self],
      { prepare: true },
    );
    if (result.wasApplied()) this.#seen = { owner: this.#self, address: this.#o.address, expiresAt: expires };
    else {
      const row = result.first();
      this.#seen = { owner: String(row?.get("owner") ?? ""), address: "", expiresAt: null };
    }
    return result.wasApplied();
  }
}
