/**
 * SM's REST error model (SM's `pkg/restapi/error.go`): every error answers `{message, details, trace_id}` with
 * 400 (validation), 404 (not found), 409 (conflict) or 500 (everything else).
 * @module
 */
import { randomBytes } from "node:crypto";
import type { Context } from "hono";
import { HTTPException } from "hono/http-exception";
import type { ContentfulStatusCode } from "hono/utils/http-status";
import * as v from "valibot";
import { errorMessage, isManagerError } from "../errors.ts";

/** The JSON body of every error response (SM's ErrorResponse; the served openapi.json is generated from it). */
export const ErrorResponseSchema = v.object({
  message: v.string(),
  details: v.string(),
  trace_id: v.pipe(v.string(), v.description("the id this request is logged with")),
});
export type ErrorBody = v.InferOutput<typeof ErrorResponseSchema>;

/** A new trace id: 16 random bytes, base64url (the shape of SM's ids, e.g. `oCLjVMGIQcWGw_-_pbXD0Q`). */
export function createTraceId(): string {
  return randomBytes(16).toString("base64url");
}

/** The trace id of the request (set by the app's first middleware). */
export function getTraceId(c: Context): string {
  const id = c.get("traceId" as never) as unknown;
  return typeof id === "string" ? id : "";
}

/** Maps any thrown value to a status and body. Statuses other than 400/404/409 collapse to 500, as SM does. */
export function toErrorResponse(error: unknown, traceId: string): { status: ContentfulStatusCode; body: ErrorBody } {
  if (isManagerError(error)) {
    const status = error.status === 400 || error.status === 404 || error.status === 409 ? error.status : 500;
    // SM carries hints in `details`; we keep a separate hint on our errors and send it there when no details exist.
    const message = error.message.length > MAX_MESSAGE ? `${error.message.slice(0, MAX_MESSAGE)}...` : error.message;
    const details = (error.details ?? error.hint ?? "").slice(0, MAX_MESSAGE);
    return { status, body: { message, details, trace_id: traceId } };
  }
  if (error instanceof HTTPException) {
    const status = error.status as ContentfulStatusCode;
    return { status, body: { message: error.message || "request failed", details: "", trace_id: traceId } };
  }
  // Not ours (a runtime, driver or store error): its text may name files or quote input; never send that.
  return {
    status: 500,
    body: { message: sanitizeInternalMessage(errorMessage(error)), details: "", trace_id: traceId },
  };
}

/** Longest error message sent to a client; the log keeps the whole text. */
const MAX_MESSAGE = 1000;

/**
 * The message of an unexpected error as a client may see it: absolute file paths replaced by `<path>`, stack frames
 * dropped, at most 1,000 characters.
 */
export function sanitizeInternalMessage(message: string): string {
  const firstLine = message.split("\n    at ")[0] ?? "";
  const noPaths = firstLine.replace(/(^|[\s"'(=:])\/(?:[^\s"'()/:]+\/)*[^\s"'()/:]*/g, "$1<path>");
  return noPaths.length > MAX_MESSAGE ? `${noPaths.slice(0, MAX_MESSAGE)}...` : noPaths;
}

/** SM's answer for a path no route matches. */
export function notFoundBody(path: string, traceId: string): ErrorBody {
  return {
    message: `find endpoint for path ${path} - make sure api-url is correct`,
    details: "",
    trace_id: traceId,
  };
}

/** The 413 for a request body over `limit` bytes (the app's body limit and the listener's). */
export function bodyTooLarge(limit: number): HTTPException {
  return new HTTPException(413, {
    message: `request body too large: at most ${limit} bytes (${Math.round(limit / 1048576)} MiB) are accepted`,
  });
}
