/**
 * One `scylla-manager-agent` process per emulated node (as in production, where every node runs its own agent), so a
 * bench measures the agents apart from the emulator and reads each agent's peak RSS (VmHWM) from /proc.
 * @module
 */
import { type ChildProcess, spawn } from "node:child_process";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";

export interface AgentProcesses {
  /** Peak RSS (MiB) of each agent, in node order; read while they run. */
  peakRssMiB(): number[];
  /** CPU seconds (user + system) each agent has used so far, in node order. */
  cpuSeconds(): number[];
  close(): Promise<void>;
}

const ROOT = join(import.meta.dir, "..", "..");

async function waitPing(ip: string): Promise<void> {
  for (let i = 0; i < 300; i++) {
    try {
      const res = await fetch(`https://${ip}:10001/ping`, { tls: { rejectUnauthorized: false } } as RequestInit);
      if (res.status === 204) return;
    } catch {}
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`agent on ${ip} did not start`);
}

/** Starts the agents (config: token, listeners on the node IP, Scylla's API, plus `extra`) and waits for them. */
export async function startAgentProcesses(
  nodes: ReadonlyArray<{ ip: string; restPort: number }>,
  authToken: string,
  extra: Record<string, unknown>,
  dir: string,
): Promise<AgentProcesses> {
  const children: ChildProcess[] = [];
  // The agent refuses to start without its localstorage root, as SM's does.
  const localRoot = (extra.localstorage as { path?: string } | undefined)?.path;
  if (localRoot) mkdirSync(localRoot, { recursive: true });
  for (const node of nodes) {
    const file = join(dir, `agent-${node.ip}.json`);
    // JSON is YAML: the agent reads it as its config file.
    writeFileSync(
      file,
      JSON.stringify({
        auth_token: authToken,
        https: `${node.ip}:10001`,
        prometheus: `${node.ip}:5090`,
        debug: "",
        logger: { level: "error" },
        scylla: { api_address: node.ip, api_port: node.restPort },
        ...extra,
      }),
    );
    children.push(
      spawn(process.execPath, [join(ROOT, "bin", "scylla-manager-agent.ts"), "-c", file], { stdio: "ignore" }),
    );
  }
  const agents: AgentProcesses = {
    peakRssMiB: () =>
      children.map((c) => {
        const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${c.pid}/status`, "utf8"));
        return m ? Number(m[1]) / 1024 : 0;
      }),
    cpuSeconds: () =>
      children.map((c) => {
        // utime and stime are the 12th and 13th fields after the command name, in clock ticks (100 Hz on Linux).
        const fields = readFileSync(`/proc/${c.pid}/stat`, "utf8").split(") ")[1]?.split(" ") ?? [];
        return (Number(fields[11] ?? 0) + Number(fields[12] ?? 0)) / 100;
      }),
    async close() {
      await Promise.all(
        children.map((c) => {
          if (c.exitCode !== null) return Promise.resolve();
          const exited = new Promise((resolve) => c.once("exit", resolve));
          c.kill();
          return exited;
        }),
      );
    },
  };
  try {
    await Promise.all(nodes.map((n) => waitPing(n.ip)));
  } catch (error) {
    await agents.close();
    throw error;
  }
  return agents;
}
