/**
 * Ping outcomes that the status classification distinguishes (SM's `ping.ErrTimeout`, `ping.ErrUnauthorised`).
 * @module
 */

/** The ping did not succeed within its timeout; `cause` is the last failure seen, if any. */
export class PingTimeoutError extends Error {
  override readonly name = "PingTimeoutError";
}

/** The node refused the credentials. */
export class PingUnauthorizedError extends Error {
  override readonly name = "PingUnauthorizedError";
}

/** No request was sent: a precondition failed (e.g. node_info unavailable). SM reports it as ERROR. */
export class PingPreconditionError extends Error {
  override readonly name = "PingPreconditionError";
}
