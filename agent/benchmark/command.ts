/**
 * `scylla-manager-agent benchmark` and `benchmark create-scenario`: SM's way to measure how fast a node uploads to
 * a location before trusting it with backups (SM's `pkg/cmd/agent/benchmark.go`). The location is checked first
 * (put/list/read/delete, as `check-location`); then each scenario dir is copied to `<location>/benchmark` at
 * `--rate-limit` MiB/s (default 100, 0 = none) with the config's `rclone.transfers`, removed again, and reported on
 * stderr. A failure inside a command prints `FAILED: <err>`; flag and config errors print SM's `STARTUP ERROR`;
 * both exit 1.
 *
 * Differences from SM: `--mem-profile-dir` writes a heap snapshot of this runtime
 * (`<location>_<scenario><time>.heapsnapshot`, readable in browser dev tools) where SM writes a Go pprof profile.
 * @module
 */

import { mkdir, writeFile } from "node:fs/promises";
import { createServer, type Server } from "node:http";
import { basename, join, resolve } from "node:path";
import { createAgentMetrics } from "../metrics.ts";
import { type FlagSpecs, flagUsage, parseFlags } from "../offline/pflag.ts";
import {
  CONFIG_FILE_FLAG,
  type CommandIo,
  commandLogger,
  describeError,
  LOCATION_FLAG,
  loadCommandConfig,
  parseLocationFlag,
  processIo,
  startupError,
} from "../offline/setup.ts";
import { createDataBackend } from "../providers/data.ts";
import { createBackends } from "../providers/registry.ts";
import { checkPermissions } from "../rc/check-permissions.ts";
import { BandwidthLimiter } from "../transfer/index.ts";
import { createScenarioFiles, DEFAULT_SCENARIO, globPaths } from "./files.ts";
import { formatScenario, runScenario } from "./scenario.ts";

export const BENCHMARK_FLAGS: FlagSpecs = {
  dir: {
    kind: "list",
    short: "d",
    required: true,
    usage:
      "comma-separated list of glob patterns pointing to schema directories generated with create-scenario subcommand",
    placeholder: "list of glob patterns",
  },
  location: LOCATION_FLAG,
  debug: { kind: "bool", usage: "enable debug logs" },
  "config-file": CONFIG_FILE_FLAG,
  "mem-profile-dir": {
    kind: "string",
    short: "m",
    usage: "path to a directory where memory profiles will be saved, if not set profiles will not be captured",
    placeholder: "path",
  },
  prometheus: { kind: "string", usage: "address to bind prometheus metrics endpoint e.g. 0.0.0.0:5091" },
  "rate-limit": { kind: "int", default: 100, usage: "rate limit in megabytes (MiB) per second, set to 0 for no limit" },
};

export const CREATE_SCENARIO_FLAGS: FlagSpecs = {
  dir: {
    kind: "string",
    short: "d",
    required: true,
    usage: "path to the scenario directory, files will be put in that directory",
    placeholder: "path",
  },
  default: {
    kind: "bool",
    usage: "create a default scenario consisting of 1000x1MiB, 20x50MiB, 20x300MiB and 1x2000MiB files",
  },
  count: { kind: "int", short: "c", usage: "number of files to create" },
  size: { kind: "int", short: "s", usage: "file size in MiB" },
};

export const BENCHMARK_USAGE = `Executes benchmark scenarios, copies all files in each scenario directory to the location

Usage:
  scylla-manager-agent benchmark [flags]
  scylla-manager-agent benchmark [command]

Available Commands:
  create-scenario Adds files of specified size to a scenario directory

Flags:
${flagUsage(BENCHMARK_FLAGS)}
`;

export const CREATE_SCENARIO_USAGE = `Adds files of specified size to a scenario directory

Usage:
  scylla-manager-agent benchmark create-scenario [flags]

Flags:
${flagUsage(CREATE_SCENARIO_FLAGS)}
`;

/** Runs `benchmark ...` (argv without the command name); resolves to the exit code. */
export async function runBenchmarkCommand(argv: readonly string[], io: CommandIo = processIo): Promise<number> {
  if (argv[0] === "create-scenario") return runCreateScenario(argv.slice(1), io);
  let flags: ReturnType<typeof parseFlags>;
  try {
    flags = parseFlags(argv, BENCHMARK_FLAGS);
    if (flags.help) {
      io.out(BENCHMARK_USAGE);
      return 0;
    }
    if (flags.args.length > 0) throw new Error(`unknown command ${JSON.stringify(flags.args[0])} for "benchmark"`);
  } catch (error) {
    return startupError(io, error);
  }
  const v = flags.values;
  let server: Server | undefined;
  try {
    const logger = commandLogger(v.debug as boolean, "benchmark");
    const config = loadCommandConfig(v["config-file"] as string[]);
    const metrics = createAgentMetrics();
    const location = parseLocationFlag(v.location as string);
    const backends = createBackends(config, {
      dataDir: "/nonexistent",
      recordHttpCall: (c) => metrics.rcloneHttpStatusCode.inc({ host: c.host, method: c.method, code: String(c.code) }),
    });
    backends.delete("data");
    const backend = backends.get(location.provider);
    if (backend === undefined)
      throw new Error(`init location: provider ${JSON.stringify(location.provider)} is not configured`);
    if (v.prometheus !== "") server = await servePrometheus(v.prometheus as string, metrics.registry, logger);
    const rate = Math.max(0, v["rate-limit"] as number);
    const limiter = new BandwidthLimiter(rate * 1024 * 1024);
    // SM checks the location first, for clearer errors about permissions than a failed copy gives.
    await checkPermissions(backend, location.bucket, logger);
    const locationText = `${location.dc === "" ? "" : `${location.dc}:`}${location.provider}:${location.bucket}`;
    for (const pattern of v.dir as string[]) {
      let matches: string[];
      try {
        matches = globPaths(pattern);
      } catch (error) {
        throw new Error(`listing scenarios: ${(error as Error).message}`);
      }
      for (const match of matches) {
        const dir = resolve(match);
        const result = await runScenario(dir, createDataBackend(dir), {
          backend,
          dir: `${location.bucket}/benchmark`,
          transfers: config.rclone.transfers,
          limiter,
          onFile: (o) => {
            if (o.outcome === "failed") metrics.rclone.errors.inc();
            else if (o.outcome === "uploaded") {
              metrics.rclone.filesTransferred.inc();
              metrics.rclone.bytesTransferred.inc(o.size);
            } else metrics.rclone.checkedFiles.inc();
          },
        });
        io.err(formatScenario(result));
        const profileDir = v["mem-profile-dir"] as string;
        if (profileDir !== "") await writeHeapSnapshot(profileDir, `${locationText}_${basename(dir)}`);
      }
    }
    return 0;
  } catch (error) {
    io.err(`FAILED: ${describeError(error)}\n`);
    return 1;
  } finally {
    server?.close();
  }
}

/** Runs `benchmark create-scenario`. */
async function runCreateScenario(argv: readonly string[], io: CommandIo): Promise<number> {
  let flags: ReturnType<typeof parseFlags>;
  try {
    flags = parseFlags(argv, CREATE_SCENARIO_FLAGS);
    if (flags.help) {
      io.out(CREATE_SCENARIO_USAGE);
      return 0;
    }
  } catch (error) {
    return startupError(io, error);
  }
  const v = flags.values;
  try {
    const dir = v.dir as string;
    if (v.default) {
      for (const s of DEFAULT_SCENARIO) {
        try {
          await createScenarioFiles(dir, s.sizeMiB, s.count);
        } catch (error) {
          throw new Error(`create default scenario: ${(error as Error).message}`);
        }
      }
      return 0;
    }
    const size = v.size as number;
    const count = v.count as number;
    if (size === 0 || count === 0) throw new Error("provide size and count parameters");
    if (size < 0 || count < 0) throw new Error("size and count must be positive");
    await createScenarioFiles(dir, size, count);
    return 0;
  } catch (error) {
    io.err(`FAILED: ${describeError(error)}\n`);
    return 1;
  }
}

/** Serves the command's metrics on `addr` (`host:port`), as SM's `--prometheus`. */
async function servePrometheus(
  addr: string,
  registry: ReturnType<typeof createAgentMetrics>["registry"],
  logger: ReturnType<typeof commandLogger>,
): Promise<Server> {
  const colon = addr.lastIndexOf(":");
  const host = addr.slice(0, colon).replace(/^\[|\]$/g, "") || "0.0.0.0";
  const port = Number(addr.slice(colon + 1));
  if (colon < 0 || !Number.isInteger(port) || port < 0 || port > 65535) {
    throw new Error(`invalid prometheus address ${JSON.stringify(addr)}: use host:port, e.g. 0.0.0.0:5091`);
  }
  const server = createServer((req, res) => {
    if (req.url !== "/metrics") {
      res.writeHead(404).end();
      return;
    }
    registry.metrics().then(
      (text) => res.writeHead(200, { "content-type": registry.contentType }).end(text),
      () => res.writeHead(500).end(),
    );
  });
  await new Promise<void>((ok, fail) => {
    server.once("error", fail);
    server.listen(port, host, () => ok());
  });
  logger.info(`Starting Prometheus server on ${addr}`);
  return server;
}

/** Writes a heap snapshot named as SM names its profiles, with `.heapsnapshot` for this runtime's format. */
async function writeHeapSnapshot(dir: string, name: string): Promise<void> {
  try {
    await mkdir(dir, { recursive: true, mode: 0o755 });
  } catch (error) {
    throw new Error(`create memory profile dir: ${(error as Error).message}`);
  }
  const stamp = new Date().toISOString().replace(/[-:T]/g, "").slice(0, 14);
  const file = join(dir, `${name.replaceAll(":", "_")}${stamp}.heapsnapshot`);
  Bun.gc(true);
  await writeFile(file, JSON.stringify(Bun.generateHeapSnapshot()));
}
