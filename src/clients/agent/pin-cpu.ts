/**
 * The agent's CPU pinning (`/agent/pin_cpu`): restore may unpin the agent for faster downloads and always pins it
 * back.
 * @module
 */
import type { AgentHttpClient, CallOptions } from "../scylla/http.ts";

/** `POST /agent/pin_cpu` (pin) or `DELETE /agent/pin_cpu` (unpin) on `host`. */
export async function setAgentCpuPinned(
  http: AgentHttpClient,
  host: string,
  pinned: boolean,
  call: CallOptions = {},
): Promise<void> {
  await http.request(pinned ? "POST" : "DELETE", "/agent/pin_cpu", { ...call, host });
}
