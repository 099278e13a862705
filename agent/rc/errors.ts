/**
 * rc errors and SM's status mapping (reference §1.6): 404 not found, 400 bad params, 403 permission and hardening
 * denials, 500 otherwise. The body is `{"status":N,"message":...,"input":{...},"path":"<call>"}`.
 * @module
 */
import { isManagerError } from "../../src/errors.ts";
import { InvalidArgumentBackendError, NotFoundBackendError, PermissionBackendError } from "../providers/provider.ts";

/** An rc failure with the HTTP status SM's rc server would answer. */
export class RcError extends Error {
  override name = "RcError";
  readonly status: number;

  constructor(status: number, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.status = status;
  }
}

/** 400: a missing or malformed parameter. */
export function badParam(message: string): RcError {
  return new RcError(400, message);
}

/** 403: a request SM's hardening refuses. */
export function forbidden(message: string): RcError {
  return new RcError(403, message);
}

const NOT_FOUND_CODES = new Set(["ENOENT"]);
const PERMISSION_CODES = new Set(["EACCES", "EPERM", "EROFS"]);
const BAD_INPUT_CODES = new Set(["EISDIR", "ENOTDIR", "ENOTEMPTY", "EEXIST", "ENAMETOOLONG"]);

/** The HTTP status for any error thrown by a call. */
export function statusOf(error: unknown): number {
  if (error instanceof RcError) return error.status;
  if (error instanceof NotFoundBackendError) return 404;
  if (error instanceof PermissionBackendError) return 403;
  if (error instanceof InvalidArgumentBackendError) return 400;
  if (isManagerError(error) && (error.status === 400 || error.status === 404)) return error.status;
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  if (code !== undefined) {
    if (NOT_FOUND_CODES.has(code)) return 404;
    if (PERMISSION_CODES.has(code)) return 403;
    if (BAD_INPUT_CODES.has(code)) return 400;
  }
  return 500;
}

/** The message shown to the caller: never a stack trace. */
export function messageOf(error: unknown): string {
  if (error instanceof Error) return error.message;
  return String(error);
}

/** SM's rc error response. */
export function rcErrorResponse(call: string, input: Record<string, unknown> | null, error: unknown): Response {
  const status = statusOf(error);
  const body = { status, message: messageOf(error), input, path: call };
  return Response.json(body, { status });
}
