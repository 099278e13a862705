import { describe, expect, test } from "bun:test";
import { Writable } from "node:stream";
import { createLogger } from "./log.ts";

function capture() {
  const lines: string[] = [];
  const stream = new Writable({
    write(chunk, _enc, done) {
      lines.push(...String(chunk).split("\n").filter(Boolean));
      done();
    },
  });
  return { lines, stream };
}

describe("createLogger", () => {
  test("text lines reach a non-TTY stream, with fields and the level filter", () => {
    const { lines, stream } = capture();
    const log = createLogger({ level: "info", stream, tag: "scheduler" });
    log.debug("hidden");
    log.info("task started", { task: "repair/all-weekly" });
    log.warn(new Error("boom"));
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatch(/^\S+Z INFO \[scheduler\] task started task="repair\/all-weekly"$/);
    expect(lines[1]).toContain("WARN [scheduler] boom");
  });

  test("json lines carry level, message and fields", () => {
    const { lines, stream } = capture();
    createLogger({ encoding: "json", stream }).error("listen failed", { addr: ":5080" });
    expect(JSON.parse(lines[0] ?? "{}")).toMatchObject({ L: "ERROR", M: "listen failed", addr: ":5080" });
  });
});
