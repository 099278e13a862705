/**
 * Test harness: a fake Scylla plus an in-process agent on one loopback IP, temp dirs for `data:` and
 * `localstorage:`, and an HTTPS client that trusts the self-signed certificate.
 * @module
 */
import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createSilentLogger } from "../../src/util/log.ts";
import { type AgentConfigInput, parseAgentConfig } from "../config.ts";
import { type RunningAgent, type StartAgentOptions, startAgent } from "../server.ts";
import { type FakeScylla, startFakeScylla } from "./fake-scylla.ts";

export const TEST_TOKEN = "test-token-123";

export interface TestAgent {
  agent: RunningAgent;
  scylla: FakeScylla;
  root: string;
  dataDir: string;
  /** `localstorage.path`; bucket `bucket` exists. */
  storageDir: string;
  /** HTTPS request to the agent with the token (unless `headers.authorization` is given). */
  request(path: string, init?: RequestInit & { token?: string | null }): Promise<Response>;
  /** POST an rc call with a JSON body. */
  rc(call: string, body?: unknown, query?: string): Promise<Response>;
  close(): Promise<void>;
}

/** Starts a fake Scylla and an agent on `ip` (ports chosen by the OS). */
export async function startTestAgent(
  ip: string,
  config: AgentConfigInput = {},
  options: StartAgentOptions = {},
): Promise<TestAgent> {
  const root = mkdtempSync(join(tmpdir(), "agent-test-"));
  const dataDir = join(root, "data");
  const storageDir = join(root, "storage");
  mkdirSync(dataDir);
  mkdirSync(join(storageDir, "bucket"), { recursive: true });
  const scylla = startFakeScylla({ hostname: ip, dataDir });
  let agent: RunningAgent;
  try {
    agent = await startAgent(
      parseAgentConfig({
        auth_token: TEST_TOKEN,
        https: `${ip}:0`,
        prometheus: `${ip}:0`,
        debug: "",
        scylla: { api_address: ip, api_port: scylla.port },
        localstorage: { path: storageDir },
        ...config,
      }),
      {
        logger: createSilentLogger(),
        waitForScylla: { attempts: 2, intervalMs: 50 },
        defaultMetrics: false,
        pinCpu: false,
        cloudMetadata: { awsUrl: "http://127.0.0.1:1", gcpUrl: "http://127.0.0.1:1", azureUrl: "http://127.0.0.1:1" },
        ...options,
      },
    );
  } catch (error) {
    await scylla.close();
    rmSync(root, { recursive: true, force: true });
    throw error;
  }
  const request = (path: string, init: RequestInit & { token?: string | null } = {}) => {
    const headers = new Headers(init.headers);
    const token = init.token === undefined ? TEST_TOKEN : init.token;
    if (token !== null && !headers.has("authorization")) headers.set("authorization", `Bearer ${token}`);
    return fetch(`${agent.url}${path}`, { ...init, headers, tls: { rejectUnauthorized: false } } as RequestInit);
  };
  return {
    agent,
    scylla,
    root,
    dataDir,
    storageDir,
    request,
    rc: (call, body, query = "") =>
      request(`/agent/rclone/${call}${query}`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: body === undefined ? undefined : JSON.stringify(body),
      }),
    async close() {
      await agent.close();
      await scylla.close();
      rmSync(root, { recursive: true, force: true });
    },
  };
}
