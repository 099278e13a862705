/**
 * `sctool version`: the client version, then the server's (`GET /version`).
 * @module
 */
import { defineCommand } from "citty";
import * as v from "valibot";
import { ManagerError } from "../../errors.ts";
import { MANAGER_VERSION } from "../../server/version.ts";
import { getCliContext } from "../context.ts";
import { commandMeta } from "./meta.ts";

const VersionSchema = v.object({ version: v.string() });

/** The `version` command. */
export const versionCommand = defineCommand({
  meta: commandMeta.version,
  async run(ctx) {
    const { io, client } = getCliContext(ctx);
    io.stdout(`Client version: ${MANAGER_VERSION}\n`);
    const answer = v.safeParse(VersionSchema, await client().request("GET", "/version"));
    if (!answer.success) {
      throw new ManagerError("get server version: unexpected answer", {
        hint: "make sure --api-url points at a Scylla Manager server",
      });
    }
    io.stdout(`Server version: ${answer.output.version}\n`);
  },
});
