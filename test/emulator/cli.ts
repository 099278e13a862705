#!/usr/bin/env bun
/**
 * `bun test/emulator/cli.ts up --dcs dc1:3,dc2:3 --dir DIR [...]`: runs an emulated cluster in the foreground,
 * writes `DIR/cluster.json` once every node serves, stops everything on SIGTERM/SIGINT.
 * @module
 */
import { readFileSync } from "node:fs";
import { defineCommand, runCommand, runMain } from "citty";
import { parse as parseYaml } from "yaml";
import { startCluster } from "./index.ts";

/** Plain stderr lines (the CLI's own messages; modules log through their own logger). */
const say = (message: string): void => {
  process.stderr.write(`${new Date().toISOString()} emulator: ${message}\n`);
};

function numberArg(name: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isFinite(n)) throw new Error(`--${name} must be a number, got "${value}"`);
  return n;
}

/** The `--agent-config` file as an object (YAML or JSON); undefined without the flag. */
function readAgentConfig(file: string | undefined): Record<string, unknown> | undefined {
  if (file === undefined) return undefined;
  const parsed: unknown = parseYaml(readFileSync(file, "utf8"));
  if (parsed === null || parsed === undefined) return {};
  if (typeof parsed !== "object" || Array.isArray(parsed))
    throw new Error(`--agent-config ${file}: expected a YAML mapping`);
  return parsed as Record<string, unknown>;
}

const up = defineCommand({
  meta: { name: "up", description: "Run an emulated Scylla cluster in the foreground" },
  args: {
    dcs: {
      type: "string",
      default: "dc1:3",
      description: "DCs and node counts, e.g. dc1:3,dc2:3 (dc1:6:3 = 6 nodes on 3 racks)",
    },
    dir: { type: "string", required: true, description: "Directory for node data dirs and cluster.json" },
    "ip-prefix": { type: "string", default: "127.0.50.", description: "First three octets of node IPs" },
    seed: { type: "string", default: "1", description: "Seed of tokens, host ids and table ids" },
    schema: { type: "string", description: "Schema spec file (YAML or JSON)" },
    "scylla-version": { type: "string", default: "2025.1.0", description: "Scylla version the nodes report" },
    "time-scale": { type: "string", default: "1", description: "Real wait = modelled duration × this" },
    auth: { type: "string", description: "USER:PASS enables PasswordAuthenticator" },
    shards: { type: "string", default: "2", description: "Shards per node" },
    alternator: { type: "boolean", default: false, description: "Serve Alternator on port 8000" },
    tls: { type: "boolean", default: false, description: "CQL client encryption on port 9142" },
    agents: { type: "boolean", default: false, description: "Start scylla-manager-agent on every node (port 10001)" },
    "auth-token": { type: "string", description: "Agent auth token (with --agents)" },
    "agent-config": {
      type: "string",
      description:
        "YAML file of extra agent config for every agent, e.g. `localstorage: {path: DIR}` or an s3: section",
    },
  },
  async run({ args }) {
    if (args["agent-config"] !== undefined && !args.agents) throw new Error("--agent-config needs --agents");
    if (args.agents && !args["auth-token"])
      throw new Error("--agents needs --auth-token T (the agents refuse to start without a token)");
    const cluster = await startCluster({
      dcs: args.dcs,
      dir: args.dir,
      ipPrefix: args["ip-prefix"],
      seed: numberArg("seed", args.seed),
      ...(args.schema === undefined ? {} : { schema: args.schema }),
      scyllaVersion: args["scylla-version"],
      timeScale: numberArg("time-scale", args["time-scale"]),
      ...(args.auth === undefined ? {} : { auth: args.auth }),
      shards: numberArg("shards", args.shards),
      alternator: args.alternator,
      tls: args.tls,
      agents: args.agents
        ? { authToken: args["auth-token"] ?? "", config: readAgentConfig(args["agent-config"]) }
        : false,
    });
    say(`emulated cluster up: ${cluster.nodes.map((n) => `${n.ip} (${n.dc}/${n.rack})`).join(", ")}`);
    say(`control API ${cluster.controlUrl}; ${args.dir}/cluster.json written`);
    await new Promise<void>((resolve) => {
      const stop = (): void => {
        process.off("SIGTERM", stop);
        process.off("SIGINT", stop);
        resolve();
      };
      process.on("SIGTERM", stop);
      process.on("SIGINT", stop);
    });
    await cluster.close();
    say("emulated cluster stopped");
  },
});

const main = defineCommand({
  meta: { name: "emulator", description: "Scylla node emulator" },
  subCommands: { up },
});

if (import.meta.main) {
  const argv = process.argv.slice(2);
  if (argv.length === 0 || argv.includes("--help") || argv.includes("-h")) {
    await runMain(main);
  } else {
    // runCommand (not runMain) so a bad flag prints one line, not a stack trace.
    await runCommand(main, { rawArgs: argv }).catch((err: unknown) => {
      say(`error: ${err instanceof Error ? err.message : String(err)}`);
      process.exit(1);
    });
  }
}
