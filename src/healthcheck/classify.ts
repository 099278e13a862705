/**
 * SM's status classification of ping outcomes (SM's `pkg/service/healthcheck/service.go`).
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

/** A ping's result: its RTT, or its error with the time spent before it failed (SM reports that RTT too). */
export type PingResult = { rttMs: number } | { error: unknown; rttMs?: number };

/** CQL and Alternator: UP, ERROR (precondition, RTT 0), TIMEOUT, UNAUTHORIZED, else DOWN. */
export function classifyPing(result: PingResult): PingOutcome {
  if (!("error" in result)) return { status: "UP", rttMs: result.rttMs, cause: "" };
  const { error } = result;
  const rttMs = result.rttMs ?? 0;
  const cause = error instanceof Error ? error.message : String(error);
  if (error instanceof PingPreconditionError) return { status: "ERROR", rttMs: 0, cause };
  if (error instanceof PingTimeoutError) return { status: "TIMEOUT", rttMs, cause };
  if (error instanceof PingUnauthorizedError) return { status: "UNAUTHORIZED", rttMs, cause };
  return { status: "DOWN", rttMs, cause };
}

/**
 * REST: UP, TIMEOUT (deadline), UNAUTHORIZED (401), `HTTP <code>` (any other status read from the body),
 * DOWN (no status, e.g. connection refused or an empty 502). A failed precondition is ERROR in the REST
 * columns; SM writes it into the CQL columns by mistake (its known slip), we do not.
 */
export function classifyRestPing(result: PingResult): PingOutcome {
  if (!("error" in result)) return { status: "UP", rttMs: result.rttMs, cause: "" };
  const { error } = result;
  const rttMs = result.rttMs ?? 0;
  const cause = error instanceof Error ? error.message : String(error);
  if (error instanceof PingPreconditionError) return { status: "ERROR", rttMs: 0, cause };
  if (error instanceof ScyllaTimeoutError) return { status: "TIMEOUT", rttMs, cause };
  if (error instanceof ScyllaApiError) {
    if (error.httpStatus === 401) return { status: "UNAUTHORIZED", rttMs, cause };
    if (error.httpStatus !== 0) return { status: `HTTP ${error.httpStatus}`, rttMs, cause };
  }
  return { status: "DOWN", rttMs, cause };
}

/** Gauge value of a status: 1 up, -1 anything else (SM never sets its documented -2). */
export function statusGaugeValue(outcome: PingOutcome): number {
  return outcome.status === "UP" ? 1 : -1;
}
