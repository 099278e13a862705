/**
 * A storage-side view for e2e tests: wraps the agents' object-store backends (`startAgents({ wrapBackend })`) to
 * count every file read (a download of that file) and to cut the storage off for a while (an outage: every call
 * fails, reads in flight break), as a real object store behind a broken network would.
 * @module
 */
import type { Readable } from "node:stream";
import type { Backend } from "../../agent/providers/provider.ts";

/** The error every storage call gets during an outage. */
export const OUTAGE_MESSAGE = "dial tcp: connect: connection refused (storage outage)";

const CALLS = new Set([
  "list",
  "stat",
  "read",
  "openRanges",
  "write",
  "writeFrom",
  "writeChunks",
  "readChunks",
  "delete",
  "copy",
  "move",
  "purge",
  "about",
]);

/** Counts reads and injects outages on the backends it wraps. */
export class StorageSpy {
  /** Backend path (`<bucket>/<key>`) → reads started. */
  readonly reads = new Map<string, number>();
  readonly #active = new Set<Readable>();
  #outage = false;
  readonly #providers: ReadonlySet<string>;

  /** Spies on backends of `providers` (default `localstorage`); others pass through untouched. */
  constructor(providers: readonly string[] = ["localstorage"]) {
    this.#providers = new Set(providers);
  }

  /** Reads whose stream has not ended yet. */
  get activeReads(): number {
    return this.#active.size;
  }

  /** From now on every call fails and reads in flight break, until {@link endOutage}. */
  startOutage(): void {
    this.#outage = true;
    for (const stream of this.#active) stream.destroy(new Error(OUTAGE_MESSAGE));
  }

  endOutage(): void {
    this.#outage = false;
  }

  /** Reads of paths that `match`, by path. */
  readsOf(match: (path: string) => boolean): Map<string, number> {
    return new Map([...this.reads].filter(([path]) => match(path)));
  }

  /** The `wrapBackend` hook for `startAgents`. */
  readonly wrap = (backend: Backend): Backend => {
    if (!this.#providers.has(backend.provider)) return backend;
    return new Proxy(backend, {
      get: (target, prop, receiver) => {
        const value = Reflect.get(target, prop, receiver);
        if (typeof value !== "function" || typeof prop !== "string" || !CALLS.has(prop)) return value;
        if (prop === "list") {
          const spy = this;
          return async function* (...args: unknown[]) {
            spy.#check();
            yield* value.apply(target, args);
          };
        }
        return async (...args: unknown[]) => {
          this.#check();
          const result = await value.apply(target, args);
          if (prop === "read") this.#track(args[0] as string, result as Readable);
          return result;
        };
      },
    });
  };

  #check(): void {
    if (this.#outage) throw new Error(OUTAGE_MESSAGE);
  }

  #track(path: string, stream: Readable): void {
    this.reads.set(path, (this.reads.get(path) ?? 0) + 1);
    this.#active.add(stream);
    const done = () => this.#active.delete(stream);
    stream.once("close", done);
    stream.once("end", done);
    stream.once("error", done);
  }
}
