/**
 * What every command receives in citty's `ctx.data`: the output streams, the environment, the resolved global
 * options and a ready API client. Commands write through `io` so tests can capture their output.
 * @module
 */
import { ManagerApiClient } from "../clients/manager-api/client.ts";
import { ManagerError } from "../errors.ts";
import type { GlobalOptions } from "./globals.ts";

/** Where a command writes, and the environment it reads. */
export interface CliIo {
  stdout(text: string): void;
  stderr(text: string): void;
  env: Record<string, string | undefined>;
}

/** The per-invocation context (`ctx.data` of every command). */
export interface CliContext {
  io: CliIo;
  /** `sctool` or `scylla-manager`: how the CLI was invoked. */
  program: string;
  globals: GlobalOptions;
  /** The API client for `globals` (created on first use, closed when the command ends). */
  client(): ManagerApiClient;
}

/** The process's own streams and environment. */
export function createProcessIo(): CliIo {
  return {
    stdout: (text) => process.stdout.write(text),
    stderr: (text) => process.stderr.write(text),
    env: process.env,
  };
}

/** Builds the context for one invocation; `close()` releases the client's connections. */
export function createCliContext(io: CliIo, program: string, globals: GlobalOptions): CliContext & { close(): void } {
  let client: ManagerApiClient | undefined;
  const dumpHttp = io.env.SCTOOL_DUMP_HTTP;
  return {
    io,
    program,
    globals,
    client() {
      client ??= new ManagerApiClient({
        apiUrl: globals.apiUrl,
        ...(globals.apiCertFile ? { certFile: globals.apiCertFile } : {}),
        ...(globals.apiKeyFile ? { keyFile: globals.apiKeyFile } : {}),
        ...(globals.apiToken ? { token: globals.apiToken } : {}),
        ...(dumpHttp && dumpHttp !== "0" && dumpHttp !== "false" ? { dump: (text) => io.stderr(`${text}\n`) } : {}),
      });
      return client;
    },
    close() {
      client?.close();
    },
  };
}

/**
 * The context of a running command (`getCliContext(ctx)` inside `run`).
 * @throws ManagerError when the command was not started by `runCli`.
 */
export function getCliContext(ctx: { data?: unknown }): CliContext {
  const data = ctx.data as Partial<CliContext> | undefined;
  if (!data?.io || !data.globals) throw new ManagerError("internal: command run outside runCli (no CLI context)");
  return data as CliContext;
}
