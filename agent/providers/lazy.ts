import type { Readable } from "node:stream";
import {
  type AboutInfo,
  type Backend,
  type ListOptions,
  NotSupportedBackendError,
  type ObjectEntry,
  type ObjectRetention,
  type RangeSource,
  type WriteOptions,
} from "./provider.ts";

/**
 * A backend whose implementation (and SDK) is loaded on first use, so an agent that never talks to GCS
 * never loads the GCS client. A failed load is retried on the next call.
 */
export class LazyBackend implements Backend {
  readonly provider: string;
  readonly isLocal = false;
  readonly #load: () => Promise<Backend>;
  #loading: Promise<Backend> | undefined;
  /** Present only for providers with object locks (`objectLocks`), so callers can tell without loading the SDK. */
  readonly setRetention?: (
    path: string,
    retention: ObjectRetention | null,
    options: { overrideUnlocked: boolean },
  ) => Promise<void>;
  readonly setEventBasedHold?: (path: string, hold: boolean) => Promise<void>;

  constructor(provider: string, load: () => Promise<Backend>, options: { objectLocks?: boolean } = {}) {
    this.provider = provider;
    this.#load = load;
    if (options.objectLocks) {
      this.setRetention = async (path, retention, opts) => {
        const backend = await this.backend();
        if (backend.setRetention === undefined) throw new NotSupportedBackendError(`${provider}: no object retention`);
        return backend.setRetention(path, retention, opts);
      };
      this.setEventBasedHold = async (path, hold) => {
        const backend = await this.backend();
        if (backend.setEventBasedHold === undefined)
          throw new NotSupportedBackendError(`${provider}: no event-based hold`);
        return backend.setEventBasedHold(path, hold);
      };
    }
  }

  /** The loaded backend. */
  backend(): Promise<Backend> {
    this.#loading ??= this.#load().catch((err: unknown) => {
      this.#loading = undefined;
      throw err;
    });
    return this.#loading;
  }

  async *list(dir: string, options?: ListOptions): AsyncIterable<ObjectEntry> {
    yield* (await this.backend()).list(dir, options);
  }

  async stat(path: string): Promise<ObjectEntry | undefined> {
    return (await this.backend()).stat(path);
  }

  async read(path: string, signal?: AbortSignal): Promise<Readable> {
    return (await this.backend()).read(path, signal);
  }

  /** The loaded backend's `readChunks`, or its `read` stream (an iterable of chunks too). */
  async readChunks(path: string, signal?: AbortSignal): Promise<AsyncIterable<Uint8Array>> {
    const backend = await this.backend();
    return backend.readChunks !== undefined ? backend.readChunks(path, signal) : backend.read(path, signal);
  }

  async write(path: string, body: Readable, options?: WriteOptions): Promise<void> {
    return (await this.backend()).write(path, body, options);
  }

  /** The loaded backend's `writeFrom`, or its `write` of the whole range for backends without one. */
  async writeFrom(path: string, source: RangeSource, options: WriteOptions = {}): Promise<void> {
    const backend = await this.backend();
    if (backend.writeFrom !== undefined) return backend.writeFrom(path, source, options);
    return backend.write(path, source.open(0, source.size, options.signal), { ...options, size: source.size });
  }

  async delete(path: string): Promise<void> {
    return (await this.backend()).delete(path);
  }

  async copy(src: string, dst: string): Promise<void> {
    return (await this.backend()).copy(src, dst);
  }

  async purge(dir: string): Promise<void> {
    return (await this.backend()).purge(dir);
  }

  async about(): Promise<AboutInfo> {
    const backend = await this.backend();
    if (backend.about === undefined) throw new Error(`${this.provider}: about is not supported`);
    return backend.about();
  }
}
