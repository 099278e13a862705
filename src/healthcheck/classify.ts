/**
 * SM's status classification of ping outcomes (reference/sm-agent-health-scylla-api.md §2.6).
 * @module
 */
import { ScyllaTimeoutError } from "../clients/scylla/errors.ts";
import { ScyllaApiError } from "../errors.ts";
import { PingPreconditionError, PingTimeoutError, PingUnauthorizedError } from "./errors.ts";

/** The status strings of the API (`UP`, `DOWN`, `ERROR`, `TIMEOUT`, `UNAUTHORIZED`, `HTTP <code>`). */
export type PingStatus = string;

/** A classified ping: status, RTT (ms, 0 when nothing was measured) and cause ("" when UP). */
export interface PingOutcome {
  status: PingStatus;
  rttMs: number;
  cause: string;
}

/** CQL and Alternator: UP, ERROR (precondition), TIMEOUT, UNAUTHORIZED, else DOWN. */
export function classifyPing(result: { rttMs: number } | { error: unknown }): PingOutcome {
  if ("rttMs" in result) return { status: "UP", rttMs: result.rttMs, cause: "" };
  const { error } = result;
  const cause = error instanceof Error ? error.message : String(error);
  if (error instanceof PingPreconditionError) return { status: "ERROR", rttMs: 0, cause };
  if (error instanceof PingTimeoutError) return { status: "TIMEOUT", rttMs: 0, cause };
  if (error instanceof PingUnauthorizedError) return { status: "UNAUTHORIZED", rttMs: 0, cause };
  return { status: "DOWN", rttMs: 0, cause };
}

/**
 * REST: UP, TIMEOUT (deadline), UNAUTHORIZED (401), `HTTP <code>` (any other status read from the body),
 * DOWN (no status, e.g. connection refused or an empty 502). A failed precondition is ERROR in the REST
 * columns; SM writes it into the CQL columns by mistake (its known slip), we do not.
 */
export function classifyRestPing(result: { rttMs: number } | { error: unknown }): PingOutcome {
  if ("rttMs" in result) return { status: "UP", rttMs: result.rttMs, cause: "" };
  const { error } = result;
  const cause = error instanceof Error ? error.message : String(error);
  if (error instanceof PingPreconditionError) return { status: "ERROR", rttMs: 0, cause };
  if (error instanceof ScyllaTimeoutError) return { status: "TIMEOUT", rttMs: 0, cause };
  if (error instanceof ScyllaApiError) {
    if (error.httpStatus === 401) return { status: "UNAUTHORIZED", rttMs: 0, cause };
    if (error.httpStatus !== 0) return { status: `HTTP ${error.httpStatus}`, rttMs: 0, cause };
  }
  return { status: "DOWN", rttMs: 0, cause };
}

/** Gauge value of a status: 1 up, -1 anything else (SM never sets its documented -2). */
export function statusGaugeValue(outcome: PingOutcome): number {
  return outcome.status === "UP" ? 1 : -1;
}
