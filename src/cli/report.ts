/**
 * Error output, SM style: `[<details>\n\n]Error: <message>\n[Hint: <hint>\n][Trace ID: <id> (grep in scylla-manager
 * logs)\n]`; a server's message gets its host errors moved to new lines. Stack traces only with `--debug`.
 * @module
 */
import { ManagerApiError } from "../clients/manager-api/client.ts";
import { errorMessage, isManagerError } from "../errors.ts";

/** A command-line mistake (unknown command or flag, bad value): printed as one line. */
export class UsageError extends Error {
  override readonly name: string = "UsageError";
}

// A loose IPv4 / full-form IPv6 match, as SM's: host errors are "<ip>: <cause>" joined by "; " (multierror).
const IP = String.raw`(?:[0-9A-Fa-f]{1,4}:){7}[0-9A-Fa-f]{1,4}|(?:\d{1,3}\.){3}\d{1,3}`;
const HOST_ERROR = new RegExp(`(?:^|: |; )(${IP}): `, "g");

/**
 * SM's rule for server messages: each `<ip>: ` at the start or after `: ` / `; ` starts a new line indented by
 * one space (the separator is dropped), so `create task: 10.0.0.1: refused; 10.0.0.2: timeout` reads
 * `create task\n 10.0.0.1: refused\n 10.0.0.2: timeout`.
 */
export function moveHostErrorsToNewLines(message: string): string {
  return message.replace(HOST_ERROR, "\n $1: ");
}

/** Renders `error` for stderr. */
export function formatError(error: unknown, debug = false): string {
  const plain = errorMessage(error).replace(/\u001b\[[0-9;]*m/g, "");
  // Only the server's messages, as SM: a local message naming an address (e.g. a flag value) stays as written.
  const stripped = error instanceof ManagerApiError ? moveHostErrorsToNewLines(plain) : plain;
  let out = "";
  if (isManagerError(error) && error.details) out += `${error.details}\n\n`;
  out += `Error: ${stripped}\n`;
  if (isManagerError(error) && error.hint) out += `Hint: ${error.hint}\n`;
  if (error instanceof ManagerApiError && error.traceId) {
    out += `Trace ID: ${error.traceId} (grep in scylla-manager logs)\n`;
  }
  if (debug && error instanceof Error && error.stack) out += `\n${error.stack}\n`;
  // SM (cobra) ends every error with a blank line.
  return `${out}\n`;
}
