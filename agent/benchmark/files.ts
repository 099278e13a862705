/**
 * The file side of the benchmark: `create-scenario`'s files (SM's `pkg/rclone/bench/createfiles.go`: sparse files
 * named `scenario<count>x<size>mb_<i>`, an existing file kept) and the scenario dirs a `--dir` glob names
 * (Go's `filepath.Glob`: `*`, `?` and `[...]` within one path segment, matches sorted, a pattern without
 * wildcards matches itself when it exists).
 * @module
 */
import { lstatSync, readdirSync } from "node:fs";
import { mkdir, open, stat } from "node:fs/promises";
import { join, sep } from "node:path";
import { globToRegExp } from "../../src/util/inexlist.ts";

/** The files of SM's `--default` scenario: 1000 x 1 MiB, 20 x 50 MiB, 20 x 300 MiB and 1 x 2000 MiB. */
export const DEFAULT_SCENARIO: ReadonlyArray<{ sizeMiB: number; count: number }> = [
  { sizeMiB: 1, count: 1000 },
  { sizeMiB: 50, count: 20 },
  { sizeMiB: 300, count: 20 },
  { sizeMiB: 2000, count: 1 },
];

/** Creates `count` sparse files of `sizeMiB` MiB in `dir` (made if missing); files that exist are left alone. */
export async function createScenarioFiles(dir: string, sizeMiB: number, count: number): Promise<void> {
  await mkdir(dir, { recursive: true, mode: 0o755 });
  const prefix = `scenario${count}x${sizeMiB}mb`;
  for (let i = 0; i < count; i++) {
    const path = join(dir, `${prefix}_${i}`);
    try {
      await stat(path);
      continue;
    } catch (error) {
      if ((error as { code?: string }).code !== "ENOENT") throw error;
    }
    const file = await open(path, "w", 0o644);
    try {
      await file.truncate(sizeMiB * 1024 * 1024);
    } finally {
      await file.close();
    }
  }
}

const META = /[*?[\\]/;

/** Expands one glob pattern into the existing paths it matches, sorted per directory level. */
export function globPaths(pattern: string): string[] {
  if (!META.test(pattern)) return exists(pattern) ? [pattern] : [];
  const absolute = pattern.startsWith(sep);
  const segments = pattern.split(sep).filter((s, i) => s !== "" || i === 0);
  let bases = [absolute ? sep : ""];
  for (const segment of segments.slice(absolute ? 1 : 0)) {
    const next: string[] = [];
    if (!META.test(segment)) {
      for (const base of bases) next.push(base === "" ? segment : join(base, segment));
    } else {
      let re: RegExp;
      try {
        re = globToRegExp(segment);
      } catch {
        throw new Error("syntax error in pattern");
      }
      for (const base of bases) {
        let names: string[];
        try {
          names = readdirSync(base === "" ? "." : base).sort();
        } catch {
          continue;
        }
        for (const name of names) if (re.test(name)) next.push(base === "" ? name : join(base, name));
      }
    }
    bases = next;
  }
  return bases.filter(exists);
}

function exists(path: string): boolean {
  try {
    lstatSync(path);
    return true;
  } catch {
    return false;
  }
}
