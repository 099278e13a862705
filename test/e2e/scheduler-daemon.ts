/**
 * Test helper for test/e2e/scheduler*.test.ts: runs the daemon (A2's startDaemon + our Manager with the internal
 * mock runner) in a child process, which a test can SIGKILL, and gives direct store access between runs.
 * @module
 */
import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import * as v from "valibot";
import { ServerConfigSchema } from "../../src/config/server.ts";
import { openStore } from "../../src/store/open.ts";
import type { Store } from "../../src/store/store.ts";

const SRC = resolve(import.meta.dir, "../../src");

/** A temp dir with a config file and a daemon entry script. */
export interface DaemonEnv {
  dir: string;
  configFile: string;
  openStore(): Promise<Store>;
  start(): Promise<RunningDaemon>;
  cleanup(): void;
}

export interface RunningDaemon {
  child: ChildProcess;
  /** `http://ip:port/api/v1`. */
  api: string;
  exited: Promise<number | null>;
  /** What the daemon wrote to stderr so far (its log at the configured level). */
  stderr(): string;
  stop(signal?: NodeJS.Signals): Promise<number | null>;
}

/** Prepares a daemon listening on `ip` (port 0) with the SQLite store in a fresh temp dir; `extra` config keys on top. */
export function createDaemonEnv(ip: string, extra: Record<string, unknown> = {}): DaemonEnv {
  const dir = mkdtempSync(join(tmpdir(), "sm-sched-e2e-"));
  const configFile = join(dir, "scylla-manager.yaml");
  const config = {
    http: `${ip}:0`,
    prometheus: `${ip}:0`,
    data_dir: dir,
    store: "sqlite",
    logger: { level: "error" },
    ...extra,
  };
  writeFileSync(configFile, JSON.stringify(config));
  const script = join(dir, "daemon.ts");
  writeFileSync(
    script,
    `import { startDaemon } from ${JSON.stringify(join(SRC, "server/daemon.ts"))};
const daemon = await startDaemon([${JSON.stringify(configFile)}]);
process.stdout.write(JSON.stringify(daemon.urls) + "\\n");
process.on("SIGTERM", async () => { await daemon.close(); process.exit(0); });
`,
  );
  const parsed = v.parse(ServerConfigSchema, config);
  return {
    dir,
    configFile,
    openStore: () => openStore(parsed),
    async start() {
      const child = spawn(process.execPath, [script], {
        stdio: ["ignore", "pipe", "pipe"],
        env: { ...process.env, SCYLLA_MANAGER_TEST_RUNNERS: "1" },
      });
      const exited = new Promise<number | null>((done) => child.once("exit", (code) => done(code)));
      let stderr = "";
      child.stderr?.on("data", (chunk) => {
        stderr += String(chunk);
      });
      const urls = await new Promise<{ http: string }>((done, fail) => {
        let out = "";
        child.stdout?.on("data", (chunk) => {
          out += String(chunk);
          const line = out.split("\n")[0];
          if (out.includes("\n") && line) done(JSON.parse(line));
        });
        void exited.then((code) => fail(new Error(`daemon exited (${code}): ${stderr}`)));
      });
      return {
        child,
        api: `${urls.http}/api/v1`,
        exited,
        stderr: () => stderr,
        stop(signal = "SIGTERM") {
          child.kill(signal);
          return exited;
        },
      };
    },
    cleanup() {
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
