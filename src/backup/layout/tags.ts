/**
 * Snapshot tags, `sm_<YYYYMMDDhhmmss>UTC` (SM's `backupspec/tags.go`), and versioned file names
 * `<name>.sm_<tag time>UTC` (SM's `SplitNameAndVersion`). Lexicographic order of tags is chronological order.
 * @module
 */
import { ValidationError } from "../../errors.ts";

const TAG = /^sm_([0-9]{14})UTC$/;

/** SM's `ErrInvalidSnapshotTag` text. */
export const INVALID_SNAPSHOT_TAG_MESSAGE =
  "not a Scylla Manager snapshot tag, expected format is sm_20060102150405UTC";

/** True for `sm_` + 14 digits + `UTC`. */
export function isSnapshotTag(tag: string): boolean {
  return TAG.test(tag);
}

/**
 * The tag of `at` (UTC, seconds).
 * @example snapshotTagAt(new Date("2021-08-09T09:55:41Z")) // "sm_20210809095541UTC"
 */
export function snapshotTagAt(at: Date): string {
  const p = (n: number, w = 2) => String(n).padStart(w, "0");
  const stamp =
    p(at.getUTCFullYear(), 4) +
    p(at.getUTCMonth() + 1) +
    p(at.getUTCDate()) +
    p(at.getUTCHours()) +
    p(at.getUTCMinutes()) +
    p(at.getUTCSeconds());
  return `sm_${stamp}UTC`;
}

/** The time a tag names; throws ValidationError (SM's text) for anything else. */
export function snapshotTagTime(tag: string): Date {
  const match = TAG.exec(tag);
  const digits = match?.[1];
  const at = digits === undefined ? undefined : parseStamp(digits);
  if (at === undefined) {
    throw new ValidationError(`invalid snapshot tag ${JSON.stringify(tag)}: ${INVALID_SNAPSHOT_TAG_MESSAGE}`);
  }
  return at;
}

/** Validates a tag the user typed (the same rule as snapshotTagTime), returning it. */
export function parseSnapshotTag(tag: string): string {
  snapshotTagTime(tag);
  return tag;
}

function parseStamp(digits: string): Date | undefined {
  const n = (from: number, to: number) => Number(digits.slice(from, to));
  const [y, mo, d, h, mi, s] = [n(0, 4), n(4, 6), n(6, 8), n(8, 10), n(10, 12), n(12, 14)];
  const at = new Date(Date.UTC(y, mo - 1, d, h, mi, s));
  // Go's time.Parse refuses out-of-range fields (month 13, second 61); Date.UTC would roll them over.
  if (
    at.getUTCFullYear() !== y ||
    at.getUTCMonth() !== mo - 1 ||
    at.getUTCDate() !== d ||
    at.getUTCHours() !== h ||
    at.getUTCMinutes() !== mi ||
    at.getUTCSeconds() !== s
  ) {
    return undefined;
  }
  return at;
}

/**
 * Makes tags that never repeat within one process: when the clock gives the last tag again, waits until the next
 * second (SM sleeps rather than invent a future tag, so tags stay honest timestamps).
 */
export class SnapshotTagGenerator {
  #last = "";
  readonly #now: () => Date;
  readonly #sleep: (ms: number) => Promise<void>;

  constructor(now: () => Date = () => new Date(), sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms))) {
    this.#now = now;
    this.#sleep = sleep;
  }

  /** A tag later than every tag this generator gave before. */
  async next(): Promise<string> {
    for (;;) {
      const tag = snapshotTagAt(this.#now());
      if (tag > this.#last) {
        this.#last = tag;
        return tag;
      }
      await this.#sleep(1000);
    }
  }
}

/** `<name>.sm_<tag time>UTC`: the older copy of `name` that an upload in snapshot `tag` replaced. */
export function versionedName(name: string, tag: string): string {
  return `${name}.${tag}`;
}

/** The rclone `suffix` an upload in snapshot `tag` passes, `.sm_<time>UTC`. */
export function versionSuffix(tag: string): string {
  return `.${tag}`;
}

/**
 * Splits a possibly versioned file name: `{name, version}` where version is the snapshot tag of the suffix, or ""
 * when the last extension is not a valid tag (then name is the whole input).
 * @example splitNameAndVersion("mc-5-big-Data.db.sm_20210809095542UTC") // { name: "mc-5-big-Data.db", version: "sm_20210809095542UTC" }
 */
export function splitNameAndVersion(file: string): { name: string; version: string } {
  const dot = file.lastIndexOf(".");
  if (dot < 0) return { name: file, version: "" };
  const ext = file.slice(dot + 1);
  if (!isSnapshotTag(ext)) return { name: file, version: "" };
  return { name: file.slice(0, dot), version: ext };
}

/** True for a name with a snapshot-tag extension (what the agent's `versionedOnly` keeps). */
export function isVersionedName(file: string): boolean {
  return splitNameAndVersion(file).version !== "";
}
