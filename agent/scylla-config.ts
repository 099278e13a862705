/**
 * The agent's own calls to Scylla's REST API (directly on `api_address:api_port`, never through the proxy):
 * waiting for the API at start-up, `/v2/config/<name>` and the release version.
 * @module
 */
import { connect } from "node:net";
import { setTimeout as sleep } from "node:timers/promises";
import { ManagerError, ScyllaApiError } from "../src/errors.ts";
import { type AgentConfig, joinHostPort } from "./config.ts";

/** Base URL of Scylla's REST API for this agent. */
export function scyllaApiUrl(config: AgentConfig): string {
  return `http://${joinHostPort(config.scylla.api_address, config.scylla.api_port)}`;
}

export interface WaitOptions {
  /** Default 60 (SM's netwait). */
  attempts?: number;
  /** Pause between attempts, default 2000 ms. */
  intervalMs?: number;
  /** TCP dial timeout, default 1000 ms. */
  dialTimeoutMs?: number;
  signal?: AbortSignal;
}

/**
 * Waits until Scylla's API accepts TCP connections: SM dials with a 1 s timeout up to 60 times, 2 s apart
 * (about 2 minutes), then gives up with "no connection to Scylla API".
 */
export async function waitForScyllaApi(host: string, port: number, options: WaitOptions = {}): Promise<void> {
  const attempts = options.attempts ?? 60;
  let lastError = "";
  for (let attempt = 1; attempt <= attempts; attempt++) {
    options.signal?.throwIfAborted();
    try {
      await dial(host, port, options.dialTimeoutMs ?? 1000);
      return;
    } catch (error) {
      lastError = (error as Error).message;
    }
    if (attempt < attempts) await sleep(options.intervalMs ?? 2000, undefined, { signal: options.signal });
  }
  throw new ManagerError(
    `no connection to Scylla API at ${joinHostPort(host, port)} after ${attempts} attempts: ${lastError}`,
    { hint: "make sure Scylla is running and scylla.api_address/api_port in the agent config point at its REST API" },
  );
}

function dial(host: string, port: number, timeoutMs: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host, port });
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error(`dial timeout after ${timeoutMs} ms`));
    }, timeoutMs);
    socket.once("connect", () => {
      clearTimeout(timer);
      socket.end();
      resolve();
    });
    socket.once("error", (err) => {
      clearTimeout(timer);
      socket.destroy();
      reject(err);
    });
  });
}

/** One `/v2/config/<name>` answer: the parsed JSON value, or the HTTP status when Scylla refused (400 = unset). */
export type ConfigValue = { ok: true; value: unknown } | { ok: false; status: number; message: string };

/** Reads Scylla's REST API directly, with SM's 30 s timeout. */
export class ScyllaConfigClient {
  readonly baseUrl: string;
  readonly #timeoutMs: number;

  constructor(baseUrl: string, timeoutMs = 30_000) {
    this.baseUrl = baseUrl;
    this.#timeoutMs = timeoutMs;
  }

  /** `GET /v2/config/<name>`. Non-2xx answers are returned, not thrown; network errors throw. */
  async config(name: string): Promise<ConfigValue> {
    const response = await this.#get(`/v2/config/${name}`);
    const text = await response.text();
    if (!response.ok) return { ok: false, status: response.status, message: errorMessage(text) };
    return { ok: true, value: parseJson(text, `/v2/config/${name}`) };
  }

  /** `GET /v2/config/<name>` that must succeed. */
  async requireConfig(name: string): Promise<unknown> {
    const result = await this.config(name);
    if (!result.ok) {
      throw new ScyllaApiError(
        `get config ${name}: HTTP ${result.status}: ${result.message}`,
        result.status,
        this.baseUrl,
      );
    }
    return result.value;
  }

  /** `GET /storage_service/scylla_release_version`, unquoted (Scylla answers a JSON string). */
  releaseVersion(): Promise<string> {
    return this.#getString("/storage_service/scylla_release_version", "get scylla version");
  }

  /** `GET /storage_service/hostid/local`: this node's host ID (`download-files` without `--node`). */
  hostIdLocal(): Promise<string> {
    return this.#getString("/storage_service/hostid/local", "get host ID");
  }

  /** A GET that must succeed and answers a JSON string (returned unquoted). */
  async #getString(path: string, what: string): Promise<string> {
    const response = await this.#get(path);
    const text = await response.text();
    if (!response.ok) {
      throw new ScyllaApiError(
        `${what}: HTTP ${response.status}: ${errorMessage(text)}`,
        response.status,
        this.baseUrl,
      );
    }
    const value = parseJson(text, path);
    return typeof value === "string" ? value : String(value);
  }

  async #get(path: string): Promise<Response> {
    try {
      return await fetch(`${this.baseUrl}${path}`, { signal: AbortSignal.timeout(this.#timeoutMs) });
    } catch (error) {
      throw new ScyllaApiError(`GET ${path}: ${(error as Error).message}`, 0, this.baseUrl, { cause: error });
    }
  }
}

function parseJson(text: string, what: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    throw new ManagerError(`${what}: Scylla answered invalid JSON: ${text.slice(0, 200)}`);
  }
}

function errorMessage(text: string): string {
  try {
    const body = JSON.parse(text) as { message?: unknown };
    if (typeof body.message === "string") return body.message;
  } catch {
    // not JSON: use the text
  }
  return text.slice(0, 200);
}

/** Renders a config value as SM's agent does for string fields: ints as decimal strings, null as "". */
export function configString(value: unknown): string {
  if (value === null || value === undefined) return "";
  if (typeof value === "string") return value;
  return String(value);
}

/**
 * SM's `EnrichConfigFromAPI`: replaces the whole `scylla` section with Scylla's own values (only the API
 * address and port come from the YAML).
 */
export async function enrichConfigFromScylla(config: AgentConfig, client: ScyllaConfigClient): Promise<AgentConfig> {
  const [listen, promAddress, promPort, dataDirs, broadcastRpc, rpc] = await Promise.all([
    client.requireConfig("listen_address"),
    client.requireConfig("prometheus_address"),
    client.requireConfig("prometheus_port"),
    client.requireConfig("data_file_directories"),
    client.requireConfig("broadcast_rpc_address"),
    client.requireConfig("rpc_address"),
  ]);
  const dataDirectory = Array.isArray(dataDirs) ? configString(dataDirs[0]) : configString(dataDirs);
  return {
    ...config,
    scylla: {
      api_address: config.scylla.api_address,
      api_port: config.scylla.api_port,
      listen_address: configString(listen),
      prometheus_address: configString(promAddress),
      prometheus_port: configString(promPort),
      data_directory: dataDirectory,
      broadcast_rpc_address: configString(broadcastRpc),
      rpc_address: configString(rpc),
    },
  };
}
