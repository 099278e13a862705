/**
 * `scylla-manager-agent check-location -L <location>`: SM's access check of a backup location from the node
 * (SM's `pkg/cmd/agent/check_location.go`): the same put/list/read/delete sequence as `operations/check-permissions`.
 * @module
 */
import { ValidationError } from "../src/errors.ts";
import type { Logger } from "../src/util/log.ts";
import type { AgentConfig } from "./config.ts";
import { createBackends } from "./providers/registry.ts";
import { checkPermissions } from "./rc/check-permissions.ts";

const LOCATION_RE = /^(([a-zA-Z0-9\-_.]+):)?([a-z0-9]+):([a-z0-9\-.]+)$/;

/** A parsed `[dc:]<provider>:<bucket>`. */
export interface Location {
  dc: string;
  provider: string;
  bucket: string;
}

/** Parses a location with SM's regex and error text. */
export function parseLocation(text: string): Location {
  const match = LOCATION_RE.exec(text);
  if (match === null) {
    throw new ValidationError(
      `invalid location ${JSON.stringify(text)}: the format is [dc:]<provider>:<bucket> ex. s3:my-bucket, the bucket name must be DNS compliant`,
    );
  }
  return { dc: match[2] ?? "", provider: match[3] ?? "", bucket: match[4] ?? "" };
}

/** Runs the check; throws with the failing step in the message. */
export async function checkLocation(config: AgentConfig, location: string, logger?: Logger): Promise<void> {
  const loc = parseLocation(location);
  // SM registers every provider but `data` for this command.
  const backends = createBackends(config, { dataDir: "/nonexistent" });
  backends.delete("data");
  const backend = backends.get(loc.provider);
  if (backend === undefined) {
    const known = [...backends.keys()].join(", ");
    throw new ValidationError(`unknown provider ${JSON.stringify(loc.provider)}: configured providers are ${known}`, {
      hint: loc.provider === "localstorage" ? "set localstorage.path in the agent config" : undefined,
    });
  }
  logger?.debug(`checking ${loc.provider}:${loc.bucket}`);
  await checkPermissions(backend, loc.bucket, logger);
  logger?.debug("location is accessible");
}
