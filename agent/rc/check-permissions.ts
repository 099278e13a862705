/**
 * SM's location access check (SM's `pkg/rclone/operations`, shared by `operations/check-permissions` and
 * `scylla-manager-agent check-location`): put a one-byte file under a fresh `scylla-manager-agent-*` directory,
 * list it, read it back, delete it, then remove the directory (a failed cleanup only warns).
 * @module
 */
import { randomBytes } from "node:crypto";
import { Readable } from "node:stream";
import type { Logger } from "../../src/util/log.ts";
import type { Backend } from "../providers/provider.ts";
import { RcError, statusOf } from "./errors.ts";

const CONTENT = Buffer.from("x");

/** Object-lock checks of `check-permissions` (GCS). */
export interface LockCheck {
  /** Set this retention on the test file (it is then left behind: it cannot be deleted until it expires). */
  retentionMode?: "unlocked" | "locked";
  /** With `unlocked`: also remove the retention again, which needs the override permission. */
  overrideUnlocked?: boolean;
  /** Set, then release, an event-based hold on the test file. */
  eventBasedHold?: boolean;
}

/** How long the retention check keeps its test file. */
const CHECK_RETENTION_MS = 60_000;

/**
 * Runs the check below `dir` (a backend path such as `<bucket>/<prefix>`). Throws an RcError naming the step.
 * With a retention check the test file cannot be deleted and is left behind (SM's manager sweeps old check
 * files); the backend must have object locks (the caller checks).
 */
export async function checkPermissions(
  backend: Backend,
  dir: string,
  logger?: Logger,
  locks: LockCheck = {},
): Promise<void> {
  const tmpDir = [dir, `scylla-manager-agent-${randomBytes(8).toString("hex")}`].filter((p) => p !== "").join("/");
  const file = `${tmpDir}/test`;
  await step("put file", () => backend.write(file, Readable.from([CONTENT]), { size: CONTENT.length }));
  // A retained test file cannot be deleted (unless a step failed first, or the override removed its retention).
  let keep = true;
  try {
    await step("list", async () => {
      let found = false;
      for await (const entry of backend.list(tmpDir)) if (entry.name === "test" && !entry.isDir) found = true;
      if (!found) throw new Error(`${tmpDir}/test is missing from the listing`);
    });
    await step("open file", async () => {
      const chunks: Buffer[] = [];
      for await (const chunk of await backend.read(file)) chunks.push(chunk as Buffer);
      if (!Buffer.concat(chunks).equals(CONTENT)) throw new Error(`${file}: read back different content`);
    });
    if (locks.eventBasedHold && backend.setEventBasedHold !== undefined) {
      const set = backend.setEventBasedHold.bind(backend);
      await step("set event-based hold", () => set(file, true));
      await step("release event-based hold", () => set(file, false));
    }
    if (locks.retentionMode !== undefined && backend.setRetention !== undefined) {
      const set = backend.setRetention.bind(backend);
      const retainUntil = new Date(Date.now() + CHECK_RETENTION_MS);
      await step("set retention", () =>
        set(file, { mode: locks.retentionMode ?? "unlocked", retainUntil }, { overrideUnlocked: false }),
      );
      if (locks.retentionMode === "unlocked" && locks.overrideUnlocked) {
        await step("override unlocked retention", () => set(file, null, { overrideUnlocked: true }));
      } else {
        return;
      }
    }
    await step("delete file", () => backend.delete(file));
    keep = false;
  } catch (error) {
    keep = false;
    throw error;
  } finally {
    if (locks.retentionMode !== undefined && keep) {
      logger?.info(`check permissions: ${file} is retained and left behind`);
    } else {
      try {
        await backend.delete(file);
        await backend.purge(tmpDir);
      } catch (error) {
        logger?.warn(`check permissions: cleanup of ${tmpDir} failed: ${(error as Error).message}`);
      }
    }
  }
}

async function step(name: string, run: () => Promise<void>): Promise<void> {
  try {
    await run();
  } catch (error) {
    // SM's OperationError answers 400 for a failed check; permission problems keep their 403.
    const status = statusOf(error) === 403 ? 403 : 400;
    throw new RcError(status, `${name}: ${(error as Error).message}`, { cause: error });
  }
}
