/**
 * The rclone RC calls only restore makes (on top of the shared `RcloneClient`): the async `sync/copypaths`
 * download into a node's upload dir and single file copies (versioned SSTables, renamed on the way).
 * @module
 */
import * as v from "valibot";
import type { CallOptions } from "../scylla/http.ts";
import type { AgentClient } from "./client.ts";
import { RcloneClient, splitRemotePath } from "./rclone.ts";

const AnySchema = v.unknown();
const JobIdSchema = v.object({ jobid: v.number() });

/** `data:a/b` → `{fs: "data:", remote: "a/b"}`; remote paths as `splitRemotePath`. */
function splitPath(path: string): { fs: string; remote: string } {
  return path.startsWith("data:") ? { fs: "data:", remote: path.slice("data:".length) } : splitRemotePath(path);
}

/** Restore's rclone calls of one cluster's agents. */
export class RestoreRclone extends RcloneClient {
  readonly #agent: AgentClient;

  constructor(agent: AgentClient) {
    super(agent);
    this.#agent = agent;
  }

  /** `operations/copyfile` from `src` to `dst` (a versioned SSTable file into the upload dir under its plain name). */
  async copyFile(host: string, src: string, dst: string, call: CallOptions = {}): Promise<void> {
    const s = splitPath(src);
    const d = splitPath(dst);
    await this.#agent.rcloneCall(
      host,
      "operations/copyfile",
      { srcFs: s.fs, srcRemote: s.remote, dstFs: d.fs, dstRemote: d.remote },
      AnySchema,
      { timeoutMs: 0, ...call },
    );
  }

  /**
   * `sync/copypaths?_async=true`: copies `paths` of `srcDir` into `dstDir` (a local fs); resolves with the job id.
   * `bandwidthRate` is `"<N>M"` (MiB/s, `"0M"` = unlimited); `transfers` as SM passes it (-1 = agent config).
   */
  async copyPathsAsync(
    host: string,
    params: { srcDir: string; dstDir: string; paths: readonly string[]; transfers: number; bandwidthRate: string },
    call: CallOptions = {},
  ): Promise<number> {
    const s = splitPath(params.srcDir);
    const d = splitPath(params.dstDir);
    const answer = await this.#agent.rcloneCall(
      host,
      "sync/copypaths",
      {
        srcFs: s.fs,
        srcRemote: s.remote,
        dstFs: d.fs,
        dstRemote: d.remote,
        paths: params.paths,
        transfers: params.transfers,
        bandwidth_rate: params.bandwidthRate,
      },
      JobIdSchema,
      { ...call, query: { _async: true } },
    );
    return answer.jobid;
  }
}
