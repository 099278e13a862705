/**
 * Error output, SM style: `[<details>\n\n]Error: <message>\n[Hint: <hint>\n][Trace ID: <id> (grep in scylla-manager
 * logs)\n]`. Stack traces only with `--debug`.
 * @module
 */
import { ManagerApiError } from "../clients/manager-api/client.ts";
import { errorMessage, isManagerError } from "../errors.ts";

/** A command-line mistake (unknown command or flag, bad value): printed as one line. */
export class UsageError extends Error {
  override readonly name: string = "UsageError";
}

/** Renders `error` for stderr. */
export function formatError(error: unknown, debug = false): string {
  const stripped = errorMessage(error).replace(/\u001b\[[0-9;]*m/g, "");
  let out = "";
  if (isManagerError(error) && error.details) out += `${error.details}\n\n`;
  out += `Error: ${stripped}\n`;
  if (isManagerError(error) && error.hint) out += `Hint: ${error.hint}\n`;
  if (error instanceof ManagerApiError && error.traceId) {
    out += `Trace ID: ${error.traceId} (grep in scylla-manager logs)\n`;
  }
  if (debug && error instanceof Error && error.stack) out += `\n${error.stack}\n`;
  return out;
}
