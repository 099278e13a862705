import { pipeline, Readable, Transform } from "node:stream";
import type { Backend } from "../providers/provider.ts";
import { NotFoundBackendError } from "../providers/provider.ts";
import { type BandwidthLimiter, createThrottleStream, throttledChunks } from "./bwlimit.ts";
import { rangeSource } from "./range-source.ts";

export interface TransferFileOptions {
  /** The agent's shared limiter (`core/bwlimit`); unlimited when absent. */
  limiter?: BandwidthLimiter;
  signal?: AbortSignal;
  /** Called with the size of every chunk as it passes (live byte progress of one file). */
  onBytes?: (bytes: number) => void;
}

export interface TransferResult {
  /** Bytes moved. */
  size: number;
}

/**
 * Streams one file from `src` to `dst` through the bandwidth limiter. The source size read before the
 * transfer is declared to the destination, so a source that changes or is cut short while being read fails
 * the transfer (CorruptedTransferError) instead of storing a partial file; the destination verifies its own
 * checksum and never exposes a partial object. When the destination can write from a re-readable source
 * (`writeFrom`, S3) and the source can offer one (`openRanges`, local files), the file is handed over as byte
 * ranges instead of one stream, so the destination need not buffer what it must checksum before sending.
 */
export async function transferFile(
  src: Backend,
  srcPath: string,
  dst: Backend,
  dstPath: string,
  options: TransferFileOptions = {},
): Promise<TransferResult> {
  const info = await src.stat(srcPath);
  if (info === undefined || info.isDir)
    throw new NotFoundBackendError(`source file not found: ${src.provider}:${srcPath}`);
  if (dst.writeFrom !== undefined && src.openRanges !== undefined) {
    const reader = await src.openRanges(srcPath);
    try {
      const source = rangeSource(reader, {
        label: `${src.provider}:${srcPath}`,
        limiter: options.limiter,
        onBytes: options.onBytes,
      });
      await dst.writeFrom(dstPath, source, { size: reader.size, signal: options.signal });
    } finally {
      await reader.close();
    }
    return { size: reader.size };
  }
  if (dst.writeChunks !== undefined) {
    // Into a local disk: the source's chunks through plain loops, no Node stream stages (see LocalBackend).
    const read =
      src.readChunks !== undefined ? src.readChunks(srcPath, options.signal) : src.read(srcPath, options.signal);
    const source: AsyncIterable<Uint8Array> = await read;
    let chunks = source;
    if (options.limiter !== undefined) chunks = throttledChunks(options.limiter, chunks, options.signal);
    if (options.onBytes !== undefined) chunks = countedChunks(chunks, options.onBytes);
    try {
      await dst.writeChunks(dstPath, chunks, { size: info.size, signal: options.signal });
    } catch (err) {
      // A destination that failed before reading (e.g. a refused path) never ended the source: a local file's
      // handle must not be left to the GC (Bun fails the process for that).
      if (source instanceof Readable) source.destroy();
      throw err;
    }
    return { size: info.size };
  }
  const read = await src.read(srcPath, options.signal);
  const onBytes = options.onBytes;
  // A counting pass-through (never a "data" listener on the source: that would start it flowing before the
  // destination reads it).
  const stream: Readable =
    onBytes === undefined
      ? read
      : pipeline(
          read,
          new Transform({
            transform(chunk: Uint8Array, _encoding, callback) {
              onBytes(chunk.length);
              callback(null, chunk);
            },
          }),
          () => {},
        );
  const body: Readable =
    options.limiter === undefined
      ? stream
      : pipeline(stream, createThrottleStream(options.limiter, options.signal), () => {});
  await dst.write(dstPath, body, { size: info.size, signal: options.signal });
  return { size: info.size };
}

async function* countedChunks(chunks: AsyncIterable<Uint8Array>, onBytes: (bytes: number) => void) {
  for await (const chunk of chunks) {
    onBytes(chunk.length);
    yield chunk;
  }
}
