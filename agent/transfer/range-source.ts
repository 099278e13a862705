import { pipeline, type Readable, Transform, type TransformCallback } from "node:stream";
import type { RangeReader, RangeSource } from "../providers/provider.ts";
import { type BandwidthLimiter, createThrottleStream } from "./bwlimit.ts";
import { CorruptedTransferError } from "./errors.ts";

export interface RangeSourceOptions {
  /** Names the source in errors, e.g. `data:ks/t/f`. */
  label: string;
  limiter?: BandwidthLimiter;
  /** Called with the size of every chunk `open` passes (a retried range counts again). */
  onBytes?: (bytes: number) => void;
}

/**
 * A `RangeSource` over an open file: `open` goes through the bandwidth limiter and the byte counter, `peek`
 * does not (a checksum pass reads the disk, not the network). Both fail with CorruptedTransferError when a
 * range comes back short (the file shrank).
 */
export function rangeSource(reader: RangeReader, options: RangeSourceOptions): RangeSource {
  const exact = (start: number, end: number, signal?: AbortSignal): Readable =>
    pipeline(reader.read(start, end, signal), new ExactLength(end - start, options.label), () => {});
  return {
    size: reader.size,
    peek: exact,
    open(start, end, signal) {
      let stream = exact(start, end, signal);
      const onBytes = options.onBytes;
      if (onBytes !== undefined) {
        stream = pipeline(
          stream,
          new Transform({
            transform(chunk: Buffer, _encoding, callback) {
              onBytes(chunk.length);
              callback(null, chunk);
            },
          }),
          () => {},
        );
      }
      if (options.limiter !== undefined)
        stream = pipeline(stream, createThrottleStream(options.limiter, signal), () => {});
      return stream;
    },
    async checkUnchanged() {
      if (!(await reader.unchanged()))
        throw new CorruptedTransferError(`corrupted transfer: ${options.label} changed while it was being uploaded`);
    },
  };
}

/** Passes bytes through and fails at the end unless exactly `expected` came. */
class ExactLength extends Transform {
  #seen = 0;
  readonly #expected: number;
  readonly #label: string;

  constructor(expected: number, label: string) {
    super();
    this.#expected = expected;
    this.#label = label;
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    this.#seen += chunk.length;
    callback(null, chunk);
  }

  override _flush(callback: TransformCallback): void {
    if (this.#seen === this.#expected) callback();
    else
      callback(
        new CorruptedTransferError(
          `corrupted transfer: ${this.#label} gave ${this.#seen} bytes where ${this.#expected} were expected (it shrank)`,
        ),
      );
  }
}
