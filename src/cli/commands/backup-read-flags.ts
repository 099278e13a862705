/**
 * Flags shared by the backup read commands (`backup list|files|delete|validate`): SM's `--location`, `--keyspace`
 * and date flags.
 * @module
 */
import type { ArgsDef } from "citty";
import { ValidationError } from "../../errors.ts";
import { parseDuration } from "../../util/duration.ts";

export const LOCATION_DESCRIPTION =
  "A list of backup locations separated by a comma, specifies where to place the backup, the format is `[<dc>:]<provider>:<bucket>`.\nThe '<dc>' parameter is optional it allows to specify location for a datacenter in a multi-dc setting, it must match Scylla nodes datacenter.\nThe supported storage '<provider>'s are 'azure', 'gcs', 's3', 'localstorage'.\nThe 'bucket' parameter is a bucket name, it must be an alphanumeric string and **may contain a dash and or a dot, but other characters are forbidden**.";

export const KEYSPACE_DESCRIPTION =
  "A list of `glob` patterns separated by a comma used to include or exclude tables.\nThe patterns match keyspaces and tables, separate the keyspace name from the table name with a dot e.g. 'keyspace,!keyspace.table_prefix_*'.";

export const locationArg = {
  location: { type: "string", alias: "L", valueHint: "[dc:]provider:bucket", description: LOCATION_DESCRIPTION },
} as const satisfies ArgsDef;

export const keyspaceArg = {
  keyspace: { type: "string", alias: "K", valueHint: "list of glob", description: KEYSPACE_DESCRIPTION },
} as const satisfies ArgsDef;

/** A comma-separated (possibly repeated) flag as a list; absent → []. */
export function listFlag(value: unknown): string[] {
  const parts = Array.isArray(value) ? value : value === undefined || value === null ? [] : [value];
  return parts
    .flatMap((p) => String(p).split(","))
    .map((s) => s.trim())
    .filter((s) => s !== "");
}

/** SM's time flag: `now`, `now+<duration>`, `now-<duration>` or RFC3339 → ISO; undefined when not given. */
export function parseTimeFlag(name: string, value: unknown, now = Date.now()): string | undefined {
  if (value === undefined || value === "") return undefined;
  const text = String(value).trim();
  if (text === "now") return new Date(now).toISOString();
  const rel = /^now([+-])(.+)$/.exec(text);
  if (rel) {
    const ms = parseDuration(rel[2] as string);
    return new Date(rel[1] === "+" ? now + ms : now - ms).toISOString();
  }
  const ms = Date.parse(text);
  if (Number.isNaN(ms) || !/^\d{4}-\d{2}-\d{2}T/.test(text)) {
    throw new ValidationError(`invalid argument "${text}" for "--${name}" flag`, {
      hint: "use now, now+3d2h10m, now-7d or an RFC3339 date such as 2024-01-02T15:04:05Z",
    });
  }
  return new Date(ms).toISOString();
}
