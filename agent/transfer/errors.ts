/**
 * A transfer whose bytes did not arrive intact: the size or checksum seen on one side differs from the
 * other. The partial or corrupt object has already been removed (or never made visible) when this is thrown.
 */
export class CorruptedTransferError extends Error {
  override name = "CorruptedTransferError";
}
