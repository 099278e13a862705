/**
 * The machine's time zone name as SM computes it for new tasks (SM's `timeutc.LocalName`): `$TZ` when set, else
 * the zone `/etc/localtime` links to (`Etc/UTC` on most servers; Intl would canonicalise that to `UTC`), else
 * the runtime's zone, else `UTC`.
 * @module
 */
import { readlinkSync } from "node:fs";

export function localZoneName(env: Record<string, string | undefined> = process.env): string {
  const tz = (env.TZ ?? "").replace(/^:/, "");
  if (tz !== "" && !tz.startsWith("/")) return tz;
  try {
    const target = readlinkSync(tz.startsWith("/") ? tz : "/etc/localtime");
    const at = target.indexOf("zoneinfo/");
    if (at >= 0) return target.slice(at + "zoneinfo/".length);
  } catch {
    // not a link (or no such file): fall through
  }
  return Intl.DateTimeFormat().resolvedOptions().timeZone || "UTC";
}
