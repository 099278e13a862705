/**
 * SM's REST error model (reference/sm-surface.md §1.1): every error answers `{message, details, trace_id}` with
 * 400 (validation), 404 (not found), 409 (conflict) or 500 (everything else).
 * @module
 */
import { randomBytes } from "node:crypto";
import type { Context } from "hono";
import { HTTPException } from "hono/http-exception";
import type { ContentfulStatusCode } from "hono/utils/http-status";
import { errorMessage, isManagerError } from "../errors.ts";

/** The JSON body of every error response. */
export interface ErrorBody {
  message: string;
  details: string;
  trace_id: string;
}

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
    return { status, body: { message: error.message, details: error.details ?? error.hint ?? "", trace_id: traceId } };
  }
  if (error instanceof HTTPException) {
    const status = error.status as ContentfulStatusCode;
    return { status, body: { message: error.message || "request failed", details: "", trace_id: traceId } };
  }
  return { status: 500, body: { message: errorMessage(error), details: "", trace_id: traceId } };
}

/** SM's answer for a path no route matches. */
export function notFoundBody(path: string, traceId: string): ErrorBody {
  return {
    message: `find endpoint for path ${path} - make sure api-url is correct`,
    details: "",
    trace_id: traceId,
  };
}
