/**
 * promtool checks examples/monitoring/: the alerting rules (`check rules`), their unit tests on synthetic series
 * (`test rules alerts.test.yml`) and the example prometheus.yml with its Consul service discovery (`check config`).
 * Uses the promtool run.sh builds (SM_EXT_PROMTOOL), else one on PATH (Debian's `prometheus` package); skips,
 * saying why, without either. Debian's build leaves Consul SD out, so the config check needs run.sh's.
 */
import { describe, expect, test } from "bun:test";
import { join } from "node:path";
import { runPromtool } from "./promtool-support.ts";

const DIR = join(import.meta.dir, "../../examples/monitoring");
const promtool = process.env.SM_EXT_PROMTOOL || Bun.which("promtool") || undefined;
const skip = promtool ? undefined : "no promtool (run test/external/run.sh, or apt-get install prometheus)";
if (skip) console.warn(`SKIP monitoring promtool checks: ${skip}`);

describe.skipIf(skip !== undefined)("examples/monitoring with promtool", () => {
  const bin = promtool as string;

  test("the alerting rules are valid", async () => {
    const result = await runPromtool(bin, ["check", "rules", join(DIR, "alerts.yml")]);
    expect({ code: result.code, output: result.output }).toEqual({
      code: 0,
      output: expect.stringContaining("SUCCESS"),
    });
  });

  test("the alerting rules fire as their unit tests say (failed repair/backup, overdue backup, node DOWN)", async () => {
    const result = await runPromtool(bin, ["test", "rules", join(DIR, "alerts.test.yml")]);
    expect({ code: result.code, output: result.output }).toEqual({
      code: 0,
      output: expect.stringContaining("SUCCESS"),
    });
  }, 60_000);

  test("prometheus.yml is valid, Consul SD included", async () => {
    const result = await runPromtool(bin, ["check", "config", join(DIR, "prometheus.yml")]);
    if (result.code !== 0 && /consul_sd_configs not found/.test(result.output)) {
      console.warn(`SKIP prometheus.yml check: ${bin} is built without Consul SD (use test/external/run.sh's)`);
      return;
    }
    expect({ code: result.code, output: result.output }).toEqual({
      code: 0,
      output: expect.stringContaining("SUCCESS"),
    });
  });
});
