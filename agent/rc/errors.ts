/**
 * rc errors and SM's status mapping (SM's `pkg/rclone/rcserver`): 404 not found, 400 bad params, 403 permission and hardening
 * denials, 500 otherwise. The body is `{"status":N,"message":...,"input":{...},"path":"<call>"}`.
 * @module
 */
import { isManagerError } from "../../src/errors.ts";
import {
  InvalidArgumentBackendError,
  NotFoundBackendError,
  NotSupportedBackendError,
  PermissionBackendError,
} from "../providers/provider.ts";

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
// ELOOP: a symlink loop in the data dir is a path that cannot be used, not a server failure.
const BAD_INPUT_CODES = new Set(["EISDIR", "ENOTDIR", "ENOTEMPTY", "EEXIST", "ENAMETOOLONG", "ELOOP"]);

/** The HTTP status for any error thrown by a call. */
export function statusOf(error: unknown): number {
  if (error instanceof RcError) return error.status;
  if (error instanceof NotFoundBackendError) return 404;
  if (error instanceof PermissionBackendError) return 403;
  if (error instanceof InvalidArgumentBackendError || error instanceof NotSupportedBackendError) return 400;
  if (isManagerError(error) && (error.status === 400 || error.status === 404)) return error.status;
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  if (code !== undefined) {
    if (NOT_FOUND_CODES.has(code)) return 404;
    if (PERMISSION_CODES.has(code)) return 403;
    if (BAD_INPUT_CODES.has(code)) return 400;
  }
  return 500;
}

/** Longest message and echoed input (serialised) an error body carries. */
const MAX_MESSAGE = 1000;
const MAX_INPUT_ECHO = 4096;

/**
 * The message shown to the caller: never a stack trace, never an absolute path of this machine (a node's data dir
 * tells an attacker where to aim; `<path>` stands in), at most 1,000 characters.
 */
export function messageOf(error: unknown): string {
  const raw = error instanceof Error ? error.message : String(error);
  const firstLine = raw.split("\n    at ")[0] ?? "";
  const noPaths = firstLine.replace(/(^|[\s"'(=:,])\/(?:[^\s"'()/:,]+\/)*[^\s"'()/:,]*/g, "$1<path>");
  return noPaths.length > MAX_MESSAGE ? `${noPaths.slice(0, MAX_MESSAGE)}...` : noPaths;
}

/** The call's input as echoed in an error body (SM's rc server does), or null when it is too large to echo. */
function echoedInput(input: Record<string, unknown> | null): Record<string, unknown> | null {
  if (input === null) return null;
  try {
    return JSON.stringify(input).length <= MAX_INPUT_ECHO ? input : null;
  } catch {
    return null;
  }
}

/** SM's rc error response. */
export function rcErrorResponse(call: string, input: Record<string, unknown> | null, error: unknown): Response {
  const status = statusOf(error);
  const body = { status, message: messageOf(error), input: echoedInput(input), path: call.slice(0, 256) };
  return Response.json(body, { status });
}
