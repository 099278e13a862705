/**
 * What the executable's one-shot runs (`scylla-manager repair|backup --host IP --auth-token T ...`) share: how they
 * are recognised, their connection flags, argument parsing with usage on error, the cluster connection, Ctrl-C
 * handling and the live progress line on stderr (rewritten in place on a terminal, one line every 2 s otherwise).
 * @module
 */
import { type ParseArgsConfig, parseArgs } from "node:util";
import { Cluster } from "../../cluster/cluster.ts";
import { errorMessage } from "../../errors.ts";

/** Where a one-shot run writes; `isTty` says whether stderr is a terminal (progress is then rewritten in place). */
export interface OneShotIo {
  stdout(text: string): void;
  stderr(text: string): void;
  isTty?: boolean;
}

export const processIo: OneShotIo = {
  stdout: (text) => process.stdout.write(text),
  stderr: (text) => process.stderr.write(text),
  isTty: process.stderr.isTTY === true,
};

/** The usage lines of the connection flags every one-shot run takes. */
export const CONNECTION_USAGE = `  --host string                   any node's address (its agent is the contact point)
  --auth-token string             the agents' auth token
  --port int                      agent port (default 10001)`;

const CONNECTION_FLAGS = {
  host: { type: "string" },
  "auth-token": { type: "string" },
  port: { type: "string" },
  help: { type: "boolean", short: "h" },
} as const satisfies NonNullable<ParseArgsConfig["options"]>;

export type FlagValues = Record<string, string | boolean | undefined>;

/** A comma-separated flag value as a list (blank items dropped). */
export function splitList(value: string): string[] {
  return value
    .split(",")
    .map((item) => item.trim())
    .filter(Boolean);
}

/**
 * Parses argv (after the command) with the connection flags plus `flags`; prints usage for `--help`, and the error
 * and usage for a bad or missing flag. Returns the values, or the exit code when there is nothing to run.
 */
export function parseOneShotArgs(
  argv: readonly string[],
  flags: NonNullable<ParseArgsConfig["options"]>,
  usage: string,
  io: OneShotIo,
  required: readonly string[] = ["host"],
): FlagValues | number {
  let values: FlagValues;
  try {
    ({ values } = parseArgs({ args: argv.slice(1), options: { ...CONNECTION_FLAGS, ...flags }, strict: true }));
  } catch (error) {
    io.stderr(`Error: ${errorMessage(error)}\n\n${usage}`);
    return 1;
  }
  if (values.help) {
    io.stdout(usage);
    return 0;
  }
  const missing = required.filter((flag) => !values[flag]);
  if (missing.length > 0) {
    const names = missing.map((flag) => `--${flag}`).join(" and ");
    io.stderr(`Error: ${names} ${missing.length > 1 ? "are" : "is"} required\n\n${usage}`);
    return 1;
  }
  return values;
}

/** Connects to the cluster through the agent of `--host`. */
export function connectOneShot(values: FlagValues): Promise<Cluster> {
  const port = values.port as string | undefined;
  return Cluster.connect({
    host: (values.host as string | undefined) ?? "",
    authToken: (values["auth-token"] as string | undefined) ?? "",
    ...(port ? { port: Number(port) } : {}),
  });
}

/**
 * Calls `stop` on the first Ctrl-C (after printing `message`) and exits at once on the second, when `exitOnSecond`.
 * Returns the function that removes the handler.
 */
export function onInterrupt(io: OneShotIo, message: string, stop: () => void, exitOnSecond = false): () => void {
  let interrupts = 0;
  const handler = () => {
    interrupts += 1;
    if (interrupts > 1 && exitOnSecond) process.exit(130);
    io.stderr(`\n${message}\n`);
    stop();
  };
  process.on("SIGINT", handler);
  return () => process.off("SIGINT", handler);
}

/**
 * The live progress line: on a terminal every update rewrites it in place; otherwise a line at most every 2 s, and
 * always the final one. `done()` ends the line on a terminal.
 */
export function progressLine(
  io: OneShotIo,
  width: number,
): { update(line: string, final: boolean): void; done(): void } {
  let last = 0;
  return {
    update(line, final) {
      const now = Date.now();
      if (!io.isTty && now - last < 2000 && !final) return;
      last = now;
      io.stderr(io.isTty ? `\r${line.padEnd(width)}` : `${line}\n`);
    },
    done() {
      if (io.isTty) io.stderr("\n");
    },
  };
}

/** Runs `body` with the connected cluster, printing any error as `Error: ...` (exit 1) and closing the cluster. */
export async function withOneShotCluster(
  values: FlagValues,
  io: OneShotIo,
  body: (cluster: Cluster) => Promise<number>,
): Promise<number> {
  let cluster: Cluster | undefined;
  try {
    cluster = await connectOneShot(values);
    return await body(cluster);
  } catch (error) {
    io.stderr(`\nError: ${errorMessage(error)}\n`);
    return 1;
  } finally {
    await cluster?.close();
  }
}
