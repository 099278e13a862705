import { randomBytes } from "node:crypto";
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
