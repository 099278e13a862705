/**
 * What the read side (list, files, delete, schema, validate) needs of a cluster, and SM's host choice per location:
 * one host whose agent can list `<location>/backup`, tried in the cluster's host order (only the location's DC's
 * hosts for a DC-specific location).
 * @module
 */
import { ValidationError } from "../../errors.ts";
import type { LocationReader } from "../layout/list.ts";
import { formatLocation, type Location, locationRemotePath } from "../layout/location.ts";

/** Storage calls of the read side; the agent's rclone client (`src/clients/agent/rclone.ts`) has this shape. */
export interface BucketClient extends LocationReader {
  /** Deletes files below `dir` (an rclone path); missing files are fine; answers how many were deleted. */
  deletePaths(host: string, dir: string, paths: readonly string[]): Promise<number>;
  /** Deletes one object; false when it did not exist. */
  deleteFile(host: string, path: string): Promise<boolean>;
}

/** A cluster as the read side sees it. */
export interface BackupReadAccess {
  clusterId: string;
  client: BucketClient;
  /** The cluster's hosts, preferred first. */
  hosts: readonly string[];
  /** The DC of a host. */
  datacenterOf(host: string): Promise<string>;
}

/** A location and the host whose agent reads it. */
export interface LocationHost {
  location: Location;
  host: string;
}

/**
 * Picks a host per location (SM's `resolveHosts`): the first host, in cluster order, whose agent lists
 * `<location>/backup`; a DC-specific location only considers that DC's hosts.
 * @throws ValidationError `no matching hosts found for location L` when none can.
 */
export async function resolveLocationHosts(
  access: BackupReadAccess,
  locations: readonly Location[],
): Promise<LocationHost[]> {
  if (locations.length === 0) throw new ValidationError("missing locations", { hint: "pass --location" });
  const needDcs = locations.some((l) => l.dc !== "");
  const dcOf = new Map<string, string>();
  if (needDcs) {
    await Promise.all(
      access.hosts.map(async (h) => {
        dcOf.set(h, await access.datacenterOf(h).catch(() => ""));
      }),
    );
  }
  return Promise.all(
    locations.map(async (location) => {
      const candidates = location.dc === "" ? access.hosts : access.hosts.filter((h) => dcOf.get(h) === location.dc);
      const errors: string[] = [];
      for (const host of candidates) {
        try {
          await access.client.list(host, locationRemotePath(location, "backup"), {});
          return { location, host };
        } catch (error) {
          errors.push(`${host}: ${error instanceof Error ? error.message : String(error)}`);
        }
      }
      throw new ValidationError(`no matching hosts found for location ${formatLocation(location)}`, {
        details: errors.join("; "),
        hint: "make sure the location is correct and the agents have credentials for it (scylla-manager-agent check-location)",
      });
    }),
  );
}

/** Locations of the properties of enabled backup tasks, deduplicated (SM's `ExtractLocations`). */
export function extractLocations(properties: readonly unknown[], parse: (text: string) => Location): Location[] {
  const seen = new Set<string>();
  const out: Location[] = [];
  for (const p of properties) {
    const list = (p as { location?: unknown } | null)?.location;
    if (!Array.isArray(list)) continue;
    for (const text of list) {
      if (typeof text !== "string") continue;
      let location: Location;
      try {
        location = parse(text);
      } catch {
        continue;
      }
      const key = formatLocation(location);
      if (seen.has(key)) continue;
      seen.add(key);
      out.push(location);
    }
  }
  return out;
}

/** Runs `fn` over `items` with at most `limit` at once, keeping result order. */
export async function mapLimit<T, R>(items: readonly T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const out: R[] = new Array(items.length);
  let next = 0;
  const worker = async () => {
    for (;;) {
      const i = next++;
      if (i >= items.length) return;
      out[i] = await fn(items[i] as T);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return out;
}
