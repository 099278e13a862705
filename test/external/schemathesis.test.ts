/**
 * External tier: schemathesis fuzzes the daemon's REST API from its served openapi.json (server-error,
 * response-schema and status-code checks), in a loopback-only network namespace, bounded in examples and time
 * (test/external/schemathesis.sh). When it cannot run here (no python3/venv, no PyPI, no `unshare -n`), the suite is
 * skipped with the reason printed, and the reason is recorded for run.sh's closing notes.
 */
import { describe, expect, test } from "bun:test";
import { appendFileSync } from "node:fs";
import { join } from "node:path";

const script = join(import.meta.dir, "schemathesis.sh");
const budget = Number(process.env.SM_EXT_SCHEMATHESIS_TIME ?? 160);

describe("schemathesis against the daemon's openapi.json", () => {
  test(
    "no server error, answers match the schema and the documented status codes",
    async () => {
      const proc = Bun.spawn(["bash", script], { stdout: "pipe", stderr: "pipe", env: process.env });
      const [out, err, code] = await Promise.all([
        new Response(proc.stdout).text(),
        new Response(proc.stderr).text(),
        proc.exited,
      ]);
      if (code === 3) {
        const reason = err.trim().split("\n").pop() ?? "cannot run";
        console.log(`SKIPPED schemathesis: ${reason}`);
        if (process.env.STATE)
          appendFileSync(join(process.env.STATE, "notes"), `the schemathesis suite was SKIPPED: ${reason}\n`);
        return;
      }
      // The report's summary lines: how many cases, how many passed.
      for (const line of `${err}\n${out}`.split("\n")) {
        if (/^\[schemathesis\]|generated,|Selected:/.test(line)) console.log(line.trim());
      }
      if (code !== 0) console.log(out.slice(-8000), err.slice(-4000));
      expect(code).toBe(0);
    },
    (budget + 420) * 1000,
  );
});
