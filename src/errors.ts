/**
 * One error hierarchy for the library, the server and the CLI.
 *
 * Every error carries a user-facing `message` (lowercase action phrases, SM style: "get cluster: not found"),
 * an optional `hint` telling the user how to fix it, and an HTTP-ish `status` used by the REST layer
 * (400 validation, 404 not found, 409 conflict, 500 everything else).
 */

export interface ManagerErrorOptions {
  /** What the user can do about it, e.g. "make sure auth_token config option on nodes is set correctly". */
  hint?: string;
  /** Extra detail returned in the REST `details` field. */
  details?: string;
  cause?: unknown;
}

const BRAND = "__scylla_manager_error__";

/**
 * Every exported class of the family names itself with a string literal (`override readonly name = "..."`):
 * bundlers rename classes (the Node build emitted `ValidationError2`), and users match on `name`.
 */
export class ManagerError extends Error {
  override readonly name: string = "ManagerError";
  readonly [BRAND] = true;
  /** Machine-readable code, stable across versions. */
  readonly code: string = "EINTERNAL";
  /** HTTP status the REST layer answers with. */
  readonly status: number = 500;
  readonly hint: string | undefined;
  readonly details: string | undefined;

  constructor(message: string, options: ManagerErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    // A subclass without its own literal still gets its class name (exact from source, maybe renamed in a bundle).
    if (new.target !== ManagerError) this.name = new.target.name;
    this.hint = options.hint;
    this.details = options.details;
  }
}

/** The user's input is wrong (REST 400, CLI exit 1). */
export class ValidationError extends ManagerError {
  override readonly name: string = "ValidationError";
  override readonly code: string = "EVALIDATION";
  override readonly status: number = 400;
}

/** A resource the user named does not exist (REST 404). */
export class NotFoundError extends ManagerError {
  override readonly name: string = "NotFoundError";
  override readonly code: string = "ENOTFOUND";
  override readonly status: number = 404;
}

/** The request conflicts with the current state, e.g. suspend with running tasks (REST 409). */
export class ConflictError extends ManagerError {
  override readonly name: string = "ConflictError";
  override readonly code: string = "ECONFLICT";
  override readonly status: number = 409;
}

/** A configuration file or value is wrong; names the file and key. */
export class ConfigError extends ManagerError {
  override readonly name: string = "ConfigError";
  override readonly code: string = "ECONFIG";
}

/** The state store cannot be opened or used (corrupt, locked, newer schema, read-only). */
export class StoreError extends ManagerError {
  override readonly name: string = "StoreError";
  override readonly code: string = "ESTORE";
}

/** An error answered by Scylla's REST API or by an agent. `status` is the code read from the body (0 = network). */
export class ScyllaApiError extends ManagerError {
  override readonly name: string = "ScyllaApiError";
  override readonly code: string = "ESCYLLAAPI";
  /** The status code as reported in the error body (SM reads it from the body, not the status line); 0 = no answer. */
  readonly httpStatus: number;
  /** The host that answered (or did not). */
  readonly host: string;

  constructor(message: string, httpStatus: number, host: string, options: ManagerErrorOptions = {}) {
    super(message, options);
    this.httpStatus = httpStatus;
    this.host = host;
  }
}

/** Brand check that works across duplicate copies of the package (as h3's isError does). */
export function isManagerError(value: unknown): value is ManagerError {
  return typeof value === "object" && value !== null && (value as Record<string, unknown>)[BRAND] === true;
}

/** Wraps `cause` with a short lowercase action phrase, keeping its class, status and hint. */
export function wrapError(action: string, cause: unknown): ManagerError {
  if (isManagerError(cause)) {
    const Ctor = cause.constructor as new (message: string, options: ManagerErrorOptions) => ManagerError;
    if (cause instanceof ScyllaApiError) {
      return new ScyllaApiError(`${action}: ${cause.message}`, cause.httpStatus, cause.host, {
        hint: cause.hint,
        details: cause.details,
        cause,
      });
    }
    return new Ctor(`${action}: ${cause.message}`, { hint: cause.hint, details: cause.details, cause });
  }
  const text = cause instanceof Error ? cause.message : String(cause);
  return new ManagerError(`${action}: ${text}`, { cause });
}

/** The text of any thrown value, for logs and REST bodies. */
export function errorMessage(value: unknown): string {
  return value instanceof Error ? value.message : String(value);
}
