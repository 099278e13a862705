/**
 * Typed rclone RC calls of the agent (`POST /agent/rclone/<call>`) used by backup and its purge: listings, single
 * objects, async directory moves and job polling. Paths follow rclone's split: `fs` = `provider:bucket` (or
 * `data:`), `remote` = the path inside it.
 * @module
 */
import * as v from "valibot";
import type { CallOptions } from "../scylla/http.ts";
import type { AgentClient } from "./client.ts";

/** One entry of `operations/list` (rclone's ListJSONItem). */
export const ListItemSchema = v.object({
  Path: v.string(),
  Name: v.string(),
  Size: v.number(),
  ModTime: v.optional(v.string(), ""),
  IsDir: v.boolean(),
  /** GCS only, when asked for (`showRetentionInfo`, `showEventBasedHold`). */
  RetentionMode: v.optional(v.string()),
  RetainUntil: v.optional(v.string()),
  eventBasedHold: v.optional(v.boolean()),
});
export type ListItem = v.InferOutput<typeof ListItemSchema>;

const ListSchema = v.object({ list: v.nullish(v.array(ListItemSchema), []) });
const EmptySchema = v.unknown();
const DeletesSchema = v.object({ deletes: v.optional(v.number(), 0) });
const AboutSchema = v.object({ free: v.number(), total: v.number(), used: v.optional(v.number(), 0) });
const JobIdSchema = v.object({ jobid: v.number() });

/** `job/progress` answer (SM's `models.JobProgress`). */
export const JobProgressSchema = v.object({
  status: v.picklist(["running", "success", "error", "not_found"]),
  started_at: v.optional(v.string(), ""),
  completed_at: v.optional(v.string(), ""),
  error: v.optional(v.string(), ""),
  uploaded: v.optional(v.number(), 0),
  skipped: v.optional(v.number(), 0),
  failed: v.optional(v.number(), 0),
});
export type JobProgress = v.InferOutput<typeof JobProgressSchema>;

/** Listing switches (rclone's `opt` plus SM's version filters). */
export interface ListOptions {
  recurse?: boolean;
  filesOnly?: boolean;
  dirsOnly?: boolean;
  /** Leave out versioned files (`*.sm_<tag>`). */
  newestOnly?: boolean;
  /** Only versioned files. */
  versionedOnly?: boolean;
  /** GCS: each file's retention mode and retain-until time. */
  showRetentionInfo?: boolean;
  /** GCS: each file's event-based hold. */
  showEventBasedHold?: boolean;
}

/** Splits `s3:bucket/a/b` into `{fs: "s3:bucket", remote: "a/b"}` (SM's client does the same). */
export function splitRemotePath(path: string): { fs: string; remote: string } {
  const colon = path.indexOf(":");
  const slash = path.indexOf("/", colon + 1);
  if (slash < 0) return { fs: path, remote: "" };
  return { fs: path.slice(0, slash), remote: path.slice(slash + 1) };
}

/** A 404 from the agent (missing dir or object). */
export function isNotFound(error: unknown): boolean {
  return typeof error === "object" && error !== null && (error as { httpStatus?: number }).httpStatus === 404;
}

/** The rclone calls of one cluster's agents. */
export class RcloneClient {
  readonly #agent: AgentClient;

  constructor(agent: AgentClient) {
    this.#agent = agent;
  }

  /** `operations/list`; a missing directory lists as empty. */
  async list(host: string, path: string, options: ListOptions = {}, call: CallOptions = {}): Promise<ListItem[]> {
    const { fs, remote } = splitRemotePath(path);
    try {
      const answer = await this.#agent.rcloneCall(
        host,
        "operations/list",
        {
          fs,
          remote,
          opt: {
            recurse: options.recurse ?? false,
            filesOnly: options.filesOnly ?? false,
            dirsOnly: options.dirsOnly ?? false,
            noMimeType: true,
            ...(options.showRetentionInfo ? { showRetentionInfo: true } : {}),
            ...(options.showEventBasedHold ? { showEventBasedHold: true } : {}),
          },
          newestOnly: options.newestOnly ?? false,
          versionedOnly: options.versionedOnly ?? false,
        },
        ListSchema,
        { timeoutMs: 0, ...call, shouldRetry: (error) => error.httpStatus !== 404 },
      );
      // SM's agent (rclone) names items relative to `fs`, i.e. prefixed with `remote`: callers get them relative to
      // the listed directory.
      const prefix = remote === "" ? "" : `${remote.replace(/\/+$/, "")}/`;
      return (answer.list ?? []).map((item) =>
        prefix !== "" && item.Path.startsWith(prefix) ? { ...item, Path: item.Path.slice(prefix.length) } : item,
      );
    } catch (error) {
      if (isNotFound(error)) return [];
      throw error;
    }
  }

  /** `operations/put` of a small object (raw body). */
  async put(host: string, path: string, body: Uint8Array, call: CallOptions = {}): Promise<void> {
    const { fs, remote } = splitRemotePath(path);
    await this.#agent.rawCall(host, "operations/put", { ...call, query: { fs, remote }, rawBody: body });
  }

  /** `operations/cat`: the object's bytes. */
  async cat(host: string, path: string, call: CallOptions = {}): Promise<Buffer> {
    const { fs, remote } = splitRemotePath(path);
    return this.#agent.rawCall(host, "operations/cat", {
      ...call,
      body: { fs, remote },
      shouldRetry: (error) => error.httpStatus !== 404,
    });
  }

  /** `operations/movefile` (same dir, or from a local fs). */
  async moveFile(host: string, src: string, dst: string, call: CallOptions = {}): Promise<void> {
    const s = splitRemotePath(src);
    const d = splitRemotePath(dst);
    await this.#agent.rcloneCall(
      host,
      "operations/movefile",
      { srcFs: s.fs, srcRemote: s.remote, dstFs: d.fs, dstRemote: d.remote },
      EmptySchema,
      { ...call, shouldRetry: (error) => error.httpStatus !== 404 },
    );
  }

  /** `operations/deletefile`; a missing object is not an error. */
  async deleteFile(host: string, path: string, call: CallOptions = {}): Promise<boolean> {
    const { fs, remote } = splitRemotePath(path);
    try {
      await this.#agent.rcloneCall(host, "operations/deletefile", { fs, remote }, EmptySchema, {
        ...call,
        shouldRetry: (error) => error.httpStatus !== 404,
      });
      return true;
    } catch (error) {
      if (isNotFound(error)) return false;
      throw error;
    }
  }

  /** `operations/deletepaths` in batches of 1000 (SM's batch); returns how many objects were deleted. */
  async deletePaths(host: string, dir: string, paths: readonly string[], call: CallOptions = {}): Promise<number> {
    const { fs, remote } = splitRemotePath(dir);
    let deletes = 0;
    for (let i = 0; i < paths.length; i += 1000) {
      const answer = await this.#agent.rcloneCall(
        host,
        "operations/deletepaths",
        { fs, remote, paths: paths.slice(i, i + 1000) },
        DeletesSchema,
        call,
      );
      deletes += answer.deletes;
    }
    return deletes;
  }

  /** `operations/about` of a fs (`data:` for the node's disk). */
  about(host: string, fs: string, call: CallOptions = {}): Promise<v.InferOutput<typeof AboutSchema>> {
    return this.#agent.rcloneCall(host, "operations/about", { fs }, AboutSchema, call);
  }

  /** `operations/check-permissions` at `path` (put, list, read, delete of a test object). */
  async checkPermissions(host: string, path: string, call: CallOptions = {}): Promise<void> {
    const { fs, remote } = splitRemotePath(path);
    await this.#agent.rcloneCall(host, "operations/check-permissions", { fs, remote }, EmptySchema, call);
  }

  /** `sync/movedir?_async=true`; resolves with the job id. */
  async moveDirAsync(
    host: string,
    params: { src: string; dst: string; suffix?: string; transfers?: number; bandwidthRate?: string },
    call: CallOptions = {},
  ): Promise<number> {
    const s = splitRemotePath(params.src);
    const d = splitRemotePath(params.dst);
    const body: Record<string, unknown> = { srcFs: s.fs, srcRemote: s.remote, dstFs: d.fs, dstRemote: d.remote };
    if (params.suffix !== undefined) body.suffix = params.suffix;
    if (params.transfers !== undefined) body.transfers = params.transfers;
    if (params.bandwidthRate !== undefined) body.bandwidth_rate = params.bandwidthRate;
    const answer = await this.#agent.rcloneCall(host, "sync/movedir", body, JobIdSchema, {
      ...call,
      query: { _async: true },
    });
    return answer.jobid;
  }

  /**
   * `operations/retention-lock?_async=true` (GCS): retention `mode` until `retainUntil` on `paths` (≤10,000, relative
   * to `dir`); resolves with the job id. The job's `uploaded` counts objects done.
   */
  async retentionLockAsync(
    host: string,
    dir: string,
    params: { paths: readonly string[]; mode: "unlocked" | "locked"; retainUntil: Date; overrideUnlocked: boolean },
    call: CallOptions = {},
  ): Promise<number> {
    const { fs, remote } = splitRemotePath(dir);
    const body = {
      fs,
      remote,
      paths: params.paths,
      retentionMode: params.mode,
      retainUntil: params.retainUntil.toISOString(),
      overrideUnlocked: params.overrideUnlocked,
    };
    const answer = await this.#agent.rcloneCall(host, "operations/retention-lock", body, JobIdSchema, {
      ...call,
      query: { _async: true },
    });
    return answer.jobid;
  }

  /** `job/progress` with a long poll of `waitSeconds`; an unknown job is `not_found`, as SM reads a 404. */
  async jobProgress(host: string, jobId: number, waitSeconds: number, call: CallOptions = {}): Promise<JobProgress> {
    try {
      return await this.#agent.rcloneCall(
        host,
        "job/progress",
        { jobid: jobId, wait: waitSeconds },
        JobProgressSchema,
        {
          timeoutMs: (waitSeconds + 30) * 1000,
          ...call,
          shouldRetry: (error) => error.httpStatus !== 404,
        },
      );
    } catch (error) {
      if (isNotFound(error))
        return { status: "not_found", started_at: "", completed_at: "", error: "", uploaded: 0, skipped: 0, failed: 0 };
      throw error;
    }
  }

  /** `job/stop`. */
  async jobStop(host: string, jobId: number, call: CallOptions = {}): Promise<void> {
    await this.#agent.rcloneCall(host, "job/stop", { jobid: jobId }, EmptySchema, call).catch((error) => {
      if (!isNotFound(error)) throw error;
    });
  }

  /** `core/stats-delete` of a job's group. */
  async statsDelete(host: string, group: string, call: CallOptions = {}): Promise<void> {
    await this.#agent.rcloneCall(host, "core/stats-delete", { group }, EmptySchema, call);
  }

  /** `core/stats-reset` (all groups). */
  async statsReset(host: string, call: CallOptions = {}): Promise<void> {
    await this.#agent.rcloneCall(host, "core/stats-reset", {}, EmptySchema, call);
  }
}
