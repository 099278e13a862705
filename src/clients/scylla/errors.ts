/**
 * Turning agent and Scylla answers into errors, SM's way: the status code comes from the JSON body (`code` for Scylla's
 * ErrorModel, `status` for the agent's ErrorResponse), never from the status line; an empty or non-JSON body gives 0,
 * which is treated like a network failure.
 * @module
 */
import { ScyllaApiError } from "../../errors.ts";

/** A request that got no answer within its timeout (status 0). */
export class ScyllaTimeoutError extends ScyllaApiError {
  override readonly name: string = "ScyllaTimeoutError";
  override readonly code: string = "ETIMEOUT";
}

/** Reads `{code|status, message}` from an error body. */
function parseErrorBody(body: Buffer): { status: number; message: string } {
  const text = body.toString("utf8").trim();
  if (text === "") return { status: 0, message: "" };
  try {
    const parsed: unknown = JSON.parse(text);
    if (parsed !== null && typeof parsed === "object") {
      const record = parsed as Record<string, unknown>;
      const status =
        typeof record.code === "number" ? record.code : typeof record.status === "number" ? record.status : 0;
      const message = typeof record.message === "string" ? record.message : text;
      return { status, message };
    }
    return { status: 0, message: typeof parsed === "string" ? parsed : text };
  } catch {
    return { status: 0, message: text.slice(0, 512) };
  }
}

/** The error for a non-2xx answer: `agent [HTTP <line status>] <message>`, status from the body. */
export function createResponseError(host: string, lineStatus: number, body: Buffer): ScyllaApiError {
  const { status, message } = parseErrorBody(body);
  const text = message === "" ? `agent [HTTP ${lineStatus}]` : `agent [HTTP ${lineStatus}] ${message}`;
  return new ScyllaApiError(text, status, host);
}

/**
 * Whether an attempt may be repeated: no answer (0) or a server error other than 501; 401/403 only when the request
 * may move to another host.
 */
export function isRetryableStatus(status: number, hostForced: boolean): boolean {
  if (status === 0) return true;
  if (status >= 500 && status !== 501) return true;
  return !hostForced && (status === 401 || status === 403);
}

/** Whether a failed answer should push its host to the back of the pool (401, 403, ≥ 500, no answer). */
export function isHostFailure(status: number): boolean {
  return status === 0 || status === 401 || status === 403 || status >= 500;
}
