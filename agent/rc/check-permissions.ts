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

/** Runs the check below `dir` (a backend path such as `<bucket>/<prefix>`). Throws an RcError naming the step. */
export async function checkPermissions(backend: Backend, dir: string, logger?: Logger): Promise<void> {
  const tmpDir = [dir, `scylla-manager-agent-${randomBytes(8).toString("hex")}`].filter((p) => p !== "").join("/");
  const file = `${tmpDir}/test`;
  await step("put file", () => backend.write(file, Readable.from([CONTENT]), { size: CONTENT.length }));
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
    await step("delete file", () => backend.delete(file));
  } finally {
    try {
      await backend.delete(file);
      await backend.purge(tmpDir);
    } catch (error) {
      logger?.warn(`check permissions: cleanup of ${tmpDir} failed: ${(error as Error).message}`);
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
