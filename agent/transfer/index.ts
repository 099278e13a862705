export { BandwidthLimiter, createThrottleStream, describeRate, formatRate, parseRate } from "./bwlimit.ts";
export { checkEtag, HashingStream, type StreamDigest } from "./checksum.ts";
export { type TransferFileOptions, type TransferResult, transferFile } from "./copy.ts";
export { CorruptedTransferError } from "./errors.ts";
export { forEachInPool, TransferPool } from "./pool.ts";
export {
  type CopyPathsOptions,
  copyPaths,
  type FileOutcome,
  hashFile,
  moveWithin,
  type SyncDirOptions,
  syncDir,
} from "./sync.ts";
