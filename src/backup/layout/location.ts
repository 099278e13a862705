/**
 * Backup locations, `[<dc>:]<provider>:<bucket>` (SM's `backupspec/location.go`): parsing with SM's pattern and
 * error texts, formatting, and the rclone remote paths the agent takes.
 * @module
 */
import { ValidationError } from "../../errors.ts";

/** Storage providers SM knows (`backupspec.Providers()`). */
export const PROVIDERS = ["s3", "gcs", "azure", "localstorage"] as const;
export type Provider = (typeof PROVIDERS)[number];

/** A parsed location. `dc` is "" when the location applies to every DC. */
export interface Location {
  dc: string;
  provider: Provider;
  /** The bucket (SM calls it path): lowercase letters, digits, `-` and `.`. */
  bucket: string;
}

/** SM's pattern: an optional DC, a lowercase alphanumeric provider, a DNS-like bucket. */
const PATTERN = /^(([a-zA-Z0-9\-_.]+):)?([a-z0-9]+):([a-z0-9\-.]+)$/;

/** SM's message for a location that does not match the pattern (`backupspec.ErrInvalid`). */
export const INVALID_LOCATION_MESSAGE =
  "invalid location, the format is [dc:]<provider>:<bucket> ex. s3:my-bucket, the bucket name must be DNS compliant";

/** True for a provider name SM accepts. */
export function isProvider(value: string): value is Provider {
  return (PROVIDERS as readonly string[]).includes(value);
}

/**
 * Parses `[dc:]provider:bucket`; throws ValidationError with SM's texts: the format message for a malformed
 * location (say an uppercase bucket or a missing provider), `unrecognised provider "x"` for an unknown provider.
 * @example parseLocation("dc1:s3:my-bucket") // { dc: "dc1", provider: "s3", bucket: "my-bucket" }
 */
export function parseLocation(text: string): Location {
  const match = PATTERN.exec(text);
  if (match === null) {
    throw new ValidationError(`invalid location ${JSON.stringify(text)}: ${INVALID_LOCATION_MESSAGE}`, {
      hint: `use [dc:]<provider>:<bucket> with provider one of ${PROVIDERS.join(", ")}, e.g. s3:my-bucket or dc1:gcs:my-bucket`,
    });
  }
  const provider = match[3] as string;
  if (!isProvider(provider)) {
    throw new ValidationError(
      `invalid location ${JSON.stringify(text)}: unrecognised provider ${JSON.stringify(provider)}`,
      {
        hint: `the provider must be one of ${PROVIDERS.join(", ")}`,
      },
    );
  }
  return { dc: match[2] ?? "", provider, bucket: match[4] as string };
}

/** Parses every location; the first bad one throws. */
export function parseLocations(texts: readonly string[]): Location[] {
  return texts.map(parseLocation);
}

/** `dc:provider:bucket`, or `provider:bucket` without a DC (SM's `Location.String()`). */
export function formatLocation(location: Location): string {
  const bare = formatLocationWithoutDc(location);
  return location.dc === "" ? bare : `${location.dc}:${bare}`;
}

/** `provider:bucket` (SM's `StringWithoutDC()`); also the rclone `fs` of the bucket root. */
export function formatLocationWithoutDc(location: Location): string {
  return `${location.provider}:${location.bucket}`;
}

/**
 * The rclone path of `path` inside the location, `provider:bucket/path` (SM's `RemotePath`, which path.Joins).
 * @example locationRemotePath(loc, "backup/meta") // "s3:my-bucket/backup/meta"
 */
export function locationRemotePath(location: Location, path = ""): string {
  const cleaned = cleanPath(path);
  const root = formatLocationWithoutDc(location);
  return cleaned === "" ? root : `${root}/${cleaned}`;
}

/** Two locations are the same bucket when their remote roots match (the DC is ignored), as SM deduplicates them. */
export function sameBucket(a: Location, b: Location): boolean {
  return a.provider === b.provider && a.bucket === b.bucket;
}

/** Distinct buckets of `locations` in their first-seen order (DC-specific duplicates collapse). */
export function distinctBuckets(locations: readonly Location[]): Location[] {
  const seen = new Set<string>();
  const out: Location[] = [];
  for (const location of locations) {
    const key = formatLocationWithoutDc(location);
    if (seen.has(key)) continue;
    seen.add(key);
    out.push(location);
  }
  return out;
}

/**
 * The location a node of `dc` uses: the entry naming its DC, else the DC-less entry; undefined when neither exists
 * (SM then fails with `<host>: unknown location`).
 */
export function locationForDc(locations: readonly Location[], dc: string): Location | undefined {
  return locations.find((l) => l.dc === dc) ?? locations.find((l) => l.dc === "");
}

/** Drops locations of DCs not in `dcs` (DC-less entries stay), as SM's `FilterDCs`. */
export function filterLocationsByDc(locations: readonly Location[], dcs: readonly string[]): Location[] {
  const wanted = new Set(dcs);
  return locations.filter((l) => l.dc === "" || wanted.has(l.dc));
}

/** Go's path.Clean without the leading slash: no empty or `.` segments, `..` resolved. */
function cleanPath(path: string): string {
  const out: string[] = [];
  for (const segment of path.split("/")) {
    if (segment === "" || segment === ".") continue;
    if (segment === "..") out.pop();
    else out.push(segment);
  }
  return out.join("/");
}
