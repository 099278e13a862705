/**
 * The agent's own API (`/ping`, `/version`, `/agent/node_info`, `/agent/rclone/<call>`), over the same transport
 * rules as the Scylla client.
 * @module
 */
import * as v from "valibot";
import type { AgentHttpClient, CallOptions } from "../scylla/http.ts";
import { type NodeInfo, NodeInfoSchema } from "./node-info.ts";

const VersionSchema = v.object({ version: v.string() });
const CloudMetadataSchema = v.object({
  cloud_provider: v.optional(v.string(), ""),
  instance_type: v.optional(v.string(), ""),
});

/** Calls to the agents of one cluster; shares the Scylla client's pool, token and TLS policy. */
export class AgentClient {
  readonly #http: AgentHttpClient;

  constructor(http: AgentHttpClient) {
    this.#http = http;
  }

  /** `GET /agent/node_info` of `host`. */
  nodeInfo(host: string, options: CallOptions = {}): Promise<NodeInfo> {
    return this.#http.requestJson("GET", "/agent/node_info", NodeInfoSchema, { ...options, host });
  }

  /** `GET /agent/cloud/metadata` (always 200; empty fields off-cloud). */
  cloudMetadata(host: string, options: CallOptions = {}): Promise<v.InferOutput<typeof CloudMetadataSchema>> {
    return this.#http.requestJson("GET", "/agent/cloud/metadata", CloudMetadataSchema, { ...options, host });
  }

  /** `GET /ping` (no auth, 204); resolves with the round-trip time in ms. One attempt. */
  async ping(host: string, timeoutMs = 1_000, signal?: AbortSignal): Promise<number> {
    const result = await this.#http.request("GET", "/ping", { host, timeoutMs, noRetry: true, signal });
    return result.rttMs;
  }

  /** `GET /version` of the agent. */
  async version(host: string, options: CallOptions = {}): Promise<string> {
    const answer = await this.#http.requestJson("GET", "/version", VersionSchema, { ...options, host });
    return answer.version;
  }

  /**
   * `POST /agent/rclone/<call>` with a JSON body; the answer is validated with `schema`.
   * @example agent.rcloneCall(host, "operations/about", { fs: "data:" }, AboutSchema)
   */
  rcloneCall<TSchema extends v.GenericSchema>(
    host: string,
    call: string,
    params: Record<string, unknown>,
    schema: TSchema,
    options: CallOptions = {},
  ): Promise<v.InferOutput<TSchema>> {
    return this.#http.requestJson("POST", `/agent/rclone/${call}`, schema, { ...options, host, body: params });
  }

  /** `POST /agent/rclone/<call>` whose answer is raw bytes (`operations/cat`) or whose body is raw (`operations/put`). */
  async rawCall(host: string, call: string, options: CallOptions = {}): Promise<Buffer> {
    const result = await this.#http.request("POST", `/agent/rclone/${call}`, { ...options, host });
    return result.body;
  }
}
