/**
 * Checks of the destination directory before `download-files` writes into it (SM's `pkg/downloader/downloader.go`
 * and `user.go`): it exists, it belongs to the user running the command (Scylla must own what it loads), and its
 * filesystem has room for the download.
 * @module
 */
import { readFileSync } from "node:fs";
import { stat, statfs } from "node:fs/promises";
import { formatSizeSuffix } from "../offline/format.ts";

/** Throws SM's texts: `stat <dir>: no such file or directory`, `run command as <owner> (UID:<uid>)`. */
export async function checkOwner(dir: string): Promise<void> {
  let uid: number;
  try {
    uid = (await stat(dir)).uid;
  } catch (error) {
    if ((error as { code?: string }).code === "ENOENT") throw new Error(`stat ${dir}: no such file or directory`);
    throw new Error(`${dir}: ${(error as Error).message}`);
  }
  const me = process.getuid?.();
  if (me === undefined || me === uid) return;
  throw new Error(`run command as ${userName(uid) || "scylla"} (UID:${uid})`);
}

/** The login name of `uid` from /etc/passwd ("" when unknown). */
function userName(uid: number): string {
  try {
    for (const line of readFileSync("/etc/passwd", "utf8").split("\n")) {
      const [name, , id] = line.split(":");
      if (id === String(uid)) return name ?? "";
    }
  } catch {
    // no passwd file: unknown
  }
  return "";
}

/** Throws `not enough disk space free <free> required <size>` when the filesystem of `dir` lacks room. */
export async function checkFreeSpace(dir: string, size: number): Promise<void> {
  const fs = await statfs(dir);
  const free = Number(fs.bavail) * Number(fs.bsize);
  if (free < size) {
    throw new Error(`not enough disk space free ${formatSizeSuffix(free)} required ${formatSizeSuffix(size)}`);
  }
}
