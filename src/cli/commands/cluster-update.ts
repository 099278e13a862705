/**
 * `sctool cluster update -c <cluster> [...]`: GET the cluster, apply the flags given, delete secrets when asked,
 * then PUT. No flag ⇒ `nothing to do`.
 * @module
 */
import { defineCommand } from "citty";
import { type ClusterBody, deleteCluster, getCluster, updateCluster } from "../../clients/manager-api/clusters.ts";
import { ValidationError } from "../../errors.ts";
import { getCliContext } from "../context.ts";
import { clusterArg, requireCluster } from "../globals.ts";
import { applyClusterFlags, clusterFlagArgs, hasAnyFlag } from "./cluster-flags.ts";

const DELETE_FLAGS = ["delete-cql-credentials", "delete-alternator-credentials", "delete-ssl-user-cert"] as const;

/** The `cluster update` command. */
export const clusterUpdateCommand = defineCommand({
  meta: { name: "update", description: "Modify a cluster\n\nThis command modifies managed cluster parameters" },
  args: {
    ...clusterArg,
    ...clusterFlagArgs,
    "delete-cql-credentials": {
      type: "boolean",
      description: "Deletes CQL username and password, added with --username and --password.",
    },
    "delete-alternator-credentials": {
      type: "boolean",
      description:
        "Deletes alternator access-key-id and secret-access-key, added with --alternator-access-key-id and --alternator-secret-access-key.",
    },
    "delete-ssl-user-cert": {
      type: "boolean",
      description: "Deletes SSL user certificate, added with --ssl-user-cert-file flag.",
    },
  },
  async run(ctx) {
    const { client, globals } = getCliContext(ctx);
    const args = ctx.args as Record<string, unknown>;
    const cluster = requireCluster(globals);
    if (!hasAnyFlag(args, [...Object.keys(clusterFlagArgs), ...DELETE_FLAGS])) {
      throw new ValidationError("nothing to do", { hint: "pass at least one flag to change" });
    }
    const api = client();
    const current = await getCluster(api, cluster);
    const base: ClusterBody = {
      id: current.id,
      name: current.name,
      labels: current.labels ?? {},
      host: current.host,
      port: current.port,
      auth_token: current.auth_token,
      force_tls_disabled: current.force_tls_disabled,
      force_non_ssl_session_port: current.force_non_ssl_session_port,
      agent_ca_cert: current.agent_ca_cert,
      agent_cert_fingerprint: current.agent_cert_fingerprint,
    };
    const body = applyClusterFlags(base, args);
    const secrets = {
      cqlCreds: args["delete-cql-credentials"] === true,
      alternatorCreds: args["delete-alternator-credentials"] === true,
      sslUserCert: args["delete-ssl-user-cert"] === true,
    };
    if (secrets.cqlCreds || secrets.alternatorCreds || secrets.sslUserCert) {
      await deleteCluster(api, current.id, secrets);
    }
    await updateCluster(api, current.id, body);
  },
});
