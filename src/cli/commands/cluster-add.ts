/**
 * `sctool cluster add --host <IP> [...]`: prints the new cluster's ID on stdout, warnings and the banner on stderr.
 * @module
 */
import { defineCommand } from "citty";
import { createCluster, listClusters } from "../../clients/manager-api/clusters.ts";
import { ValidationError } from "../../errors.ts";
import { isUuid } from "../../util/uuid.ts";
import { getCliContext } from "../context.ts";
import { applyClusterFlags, clusterFlagArgs } from "./cluster-flags.ts";
import { renderClusterAddBanner } from "./cluster-render.ts";

/** The `cluster add` command. */
export const clusterAddCommand = defineCommand({
  meta: {
    name: "add",
    description:
      "Add a cluster to manager\n\nThis command adds the specified cluster to the Scylla Manager.\nOnce a Scylla cluster is added, a weekly repair task is also added.",
  },
  args: {
    ...clusterFlagArgs,
    id: {
      type: "string",
      alias: "i",
      valueHint: "UUID",
      description: "Explicitly specify cluster ID, when not provided random UUID will be generated.",
    },
    "without-repair": {
      type: "boolean",
      description:
        "When cluster is added, Manager schedules repair to repeat weekly.\nUse this flag to create a cluster without a scheduled repair.",
    },
  },
  async run(ctx) {
    const { io, client } = getCliContext(ctx);
    const args = ctx.args as Record<string, unknown>;
    if (typeof args.host !== "string" || args.host === "") {
      throw new ValidationError('required flag(s) "host" not set', { hint: "pass --host <IP of any node>" });
    }
    const api = client();
    const body = applyClusterFlags({}, args);
    if (typeof args.id === "string" && args.id !== "") {
      if (!isUuid(args.id)) throw new ValidationError(`invalid --id "${args.id}": not a UUID`);
      // POST with an existing ID would silently update it (SM's server quirk); SM's sctool guards it here.
      if ((await listClusters(api)).some((cluster) => cluster.id === args.id)) {
        throw new ValidationError(`Cluster ID "${args.id}" in use`);
      }
      body.id = args.id;
    }
    if (args["without-repair"] === true) body.without_repair = true;
    const id = await createCluster(api, body);
    io.stdout(`${id}\n`);
    io.stderr(
      renderClusterAddBanner({
        id,
        name: body.name ?? "",
        authToken: body.auth_token ?? "",
        forceTlsDisabled: body.force_tls_disabled ?? false,
        forceNonSslSessionPort: body.force_non_ssl_session_port ?? false,
      }),
    );
  },
});
