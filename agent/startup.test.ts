import { expect, test } from "bun:test";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { createSilentLogger } from "../src/util/log.ts";
import { parseAgentConfig } from "./config.ts";
import { startAgent } from "./server.ts";
import { startTestAgent } from "./testing/harness.ts";

test("without https the agent binds <listen_address>:<https_port> from Scylla's config, not 0.0.0.0", async () => {
  const t = await startTestAgent("127.0.20.8", { https: "", https_port: 0 });
  try {
    expect(new URL(t.agent.url).hostname).toBe("127.0.20.8");
    expect(t.agent.config.scylla).toMatchObject({
      listen_address: "127.0.20.8",
      rpc_address: "127.0.20.8",
      prometheus_port: String(t.scylla.port),
      data_directory: t.dataDir,
    });
    expect((await t.request("/ping", { token: null })).status).toBe(204);
  } finally {
    await t.close();
  }
});

test("Scylla's API never answering is a bounded start-up failure naming the address", async () => {
  const config = parseAgentConfig({
    auth_token: "t",
    scylla: { api_address: "127.0.20.9", api_port: 1 },
    debug: "",
    prometheus: "",
  });
  const start = performance.now();
  await expect(
    startAgent(config, { logger: createSilentLogger(), waitForScylla: { attempts: 3, intervalMs: 20 }, pinCpu: false }),
  ).rejects.toThrow(/no connection to Scylla API at 127\.0\.20\.9:1 after 3 attempts/);
  expect(performance.now() - start).toBeLessThan(5000);
});

test("an empty auth_token is refused before anything starts", async () => {
  await expect(startAgent(parseAgentConfig({ auth_token: "  " }), { logger: createSilentLogger() })).rejects.toThrow(
    /auth_token/,
  );
});

test("a graceful close lets an in-flight long poll answer, then stops running jobs", async () => {
  const t = await startTestAgent("127.0.20.15");
  try {
    mkdirSync(join(t.dataDir, "slow"));
    writeFileSync(join(t.dataDir, "slow/big"), Buffer.alloc(1024 * 1024));
    const started = await t.rc(
      "sync/copydir",
      { srcFs: "data:", srcRemote: "slow", dstFs: "localstorage:bucket", dstRemote: "slow", bandwidth_rate: "256K" },
      "?_async=true",
    );
    const { jobid } = (await started.json()) as { jobid: number };
    const poll = t.rc("job/progress", { jobid, wait: 1 });
    await Bun.sleep(100);
    await t.agent.close({ graceMs: 5000 });
    const res = await poll;
    expect(res.status).toBe(200);
    expect(((await res.json()) as { status: string }).status).toBe("running");
  } finally {
    await t.close().catch(() => {});
  }
});
