import { describe, expect, test } from "bun:test";
import { ManagerApiError } from "../clients/manager-api/client.ts";
import { ValidationError } from "../errors.ts";
import { formatError, moveHostErrorsToNewLines } from "./report.ts";

describe("host errors moved to new lines (SM's rule for server messages)", () => {
  test("each host error of a joined message on its own line; the separators go", () => {
    expect(
      moveHostErrorsToNewLines(
        "create task: 10.0.0.1: connection refused; 10.0.0.2: giving up after 2 attempts: context deadline exceeded",
      ),
    ).toBe(
      "create task\n 10.0.0.1: connection refused\n 10.0.0.2: giving up after 2 attempts: context deadline exceeded",
    );
  });

  test("at the start, full-form IPv6; ports, short IPv6 forms and plain text stay", () => {
    expect(moveHostErrorsToNewLines("192.168.100.11: agent unavailable")).toBe("\n 192.168.100.11: agent unavailable");
    expect(moveHostErrorsToNewLines("status: fd00:0:0:0:0:0:0:1: timeout")).toBe(
      "status\n fd00:0:0:0:0:0:0:1: timeout",
    );
    expect(moveHostErrorsToNewLines("get 10.0.0.1:10001: refused")).toBe("get 10.0.0.1:10001: refused");
    expect(moveHostErrorsToNewLines("ping: ::1: refused")).toBe("ping: ::1: refused");
    expect(moveHostErrorsToNewLines("not found")).toBe("not found");
  });

  test("the error printer applies it to server errors only", () => {
    const server = new ManagerApiError("create task: 10.0.0.1: connection refused; 10.0.0.2: timeout", 500, "t1");
    expect(formatError(server)).toMatchInlineSnapshot(`
"Error: create task
 10.0.0.1: connection refused
 10.0.0.2: timeout
Trace ID: t1 (grep in scylla-manager logs)

"
`);
    expect(formatError(new ValidationError("invalid host: 10.0.0.1: not a node"))).toBe(
      "Error: invalid host: 10.0.0.1: not a node\n\n",
    );
  });
});
