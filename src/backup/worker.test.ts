import { describe, expect, test } from "bun:test";
import { inParallelWithLimits, onHost } from "./worker.ts";

describe("a host's failure in a stage", () => {
  test("names the host once", async () => {
    await expect(onHost("10.0.0.1", () => Promise.reject(new Error("s3: upload x: InternalError")))).rejects.toThrow(
      /^10\.0\.0\.1: s3: upload x: InternalError$/,
    );
    await expect(onHost("10.0.0.1", () => Promise.reject(new Error("10.0.0.1: upload ks.t: failed")))).rejects.toThrow(
      /^10\.0\.0\.1: upload ks\.t: failed$/,
    );
  });

  test("a stopped run rejects with the stop reason itself (the scheduler tells a stop from a failure by it)", async () => {
    class Stopped extends Error {}
    const controller = new AbortController();
    const reason = new Stopped("task stopped");
    const hosts = [
      { ip: "10.0.0.1", dc: "dc1" },
      { ip: "10.0.0.2", dc: "dc1" },
    ];
    const run = inParallelWithLimits(
      hosts,
      [],
      async () => {
        controller.abort(reason);
        throw controller.signal.reason;
      },
      controller.signal,
    );
    await expect(run).rejects.toBe(reason);
  });
});
