import { expect, test } from "bun:test";
import { randomBytes } from "node:crypto";
import { Readable } from "node:stream";
import { createAzureBackend } from "../../agent/providers/azure.ts";
import { runProviderSuite } from "./provider-suite.ts";

/** Azurite's well-known development account (public, documented by Microsoft). */
const ACCOUNT = "devstoreaccount1";
const KEY = "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==";

const endpoint = process.env.SM_EXT_AZURE_ENDPOINT;
const skip =
  process.env.SM_EXT_AZURE_SKIP ??
  (endpoint ? undefined : "no azurite running: use test/external/run.sh, which starts one");

runProviderSuite(
  "azure (azurite)",
  async () => {
    const backend = createAzureBackend({ account: ACCOUNT, key: KEY, endpoint });
    const container = `sm-suite-${randomBytes(4).toString("hex")}`;
    await backend.service.createContainer(container);
    const wrongKey = Buffer.from("not the right key").toString("base64");
    return {
      backend,
      root: `${container}/run`,
      missingBucketPath: `no-such-container-${randomBytes(4).toString("hex")}/dir`,
      badCredentials: {
        backend: createAzureBackend({ account: ACCOUNT, key: wrongKey, endpoint }),
        path: `${container}/run`,
      },
      close: async () => {
        await backend.service.deleteContainer(container).catch(() => {});
      },
    };
  },
  skip,
);

// scylla_manager_agent_rclone_http_status_code is fed by this recorder (agent/server.ts).
test.skipIf(skip !== undefined)("every Azure HTTP response is reported with host, method and code", async () => {
  const calls: Array<{ host: string; method: string; code: number }> = [];
  const backend = createAzureBackend({ account: ACCOUNT, key: KEY, endpoint }, (call) => calls.push(call));
  const container = `sm-metric-${randomBytes(4).toString("hex")}`;
  await backend.service.createContainer(container);
  try {
    await backend.write(`${container}/a`, Readable.from([Buffer.from("abc")]), { size: 3 });
    expect(await backend.stat(`${container}/missing`)).toBeUndefined();
    const host = new URL(endpoint ?? "").host;
    expect(calls.some((c) => c.host === host && c.method === "PUT" && c.code === 201)).toBe(true);
    expect(calls.some((c) => c.host === host && c.method === "HEAD" && c.code === 404)).toBe(true);
  } finally {
    await backend.service.deleteContainer(container).catch(() => {});
  }
});
