/**
 * Scylla's REST error: the body `{"message": ..., "code": N}` with `code` equal to the HTTP status.
 * @module
 */

/** An error a REST handler throws; the server answers `{"message", "code"}` with `status`. */
export class RestError extends Error {
  override name = "RestError";
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}
