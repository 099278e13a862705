/**
 * Starts an emulated Scylla cluster in this process: one REST, Prometheus and CQL listener set per node, each on
 * its own loopback IP, sharing one topology/schema model, a ledger, faults and a control API.
 * @module
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { AgentConfigInput } from "../../agent/config.ts";
import { createSilentLogger } from "../../src/util/log.ts";
import { createClock } from "./clock.ts";
import { EmulatedClusterState, EmulatedNode } from "./cluster-state.ts";
import { startControlServer } from "./control/server.ts";
import { Faults } from "./faults/faults.ts";
import type { PortSlot } from "./faults/port-slot.ts";
import type { Ledger } from "./ledger.ts";
import { loadOptionalModules, type NodeModuleHooks } from "./mounts.ts";
import { buildRouter, buildSlots } from "./node-launch.ts";
import type { ClusterOptions } from "./options.ts";
import { createRandom } from "./random.ts";
import type { RestRouter } from "./rest/router.ts";
import { defaultSchemaSpec } from "./schema/default.ts";
import type { SchemaModel } from "./schema/model.ts";
import { applySchemaSpec, loadSchemaSpec } from "./schema/spec.ts";
import { buildSettings } from "./settings.ts";
import { createTopology, type DcLayout, parseDcs } from "./topology/topology.ts";

export type { NodeContext } from "./node-context.ts";
export type { ClusterOptions } from "./options.ts";

/** A node as tests and cluster.json see it. */
export interface EmulatedNodeInfo {
  ip: string;
  dc: string;
  rack: string;
  hostId: string;
  restPort: number;
  cqlPort: number;
  prometheusPort: number;
  dataDir: string;
}

/** A running emulated cluster. */
export interface EmulatedCluster {
  nodes: EmulatedNodeInfo[];
  controlUrl: string;
  dir: string;
  faults: Faults;
  ledger: Ledger;
  schema: SchemaModel;
  state: EmulatedClusterState;
  /** Each node's REST router (e.g. to list the served routes). */
  routers: Map<string, RestRouter>;
  /** The cluster.json document. */
  document(): ClusterDocument;
  close(): Promise<void>;
}

/** `DIR/cluster.json`. */
export interface ClusterDocument {
  control: string;
  nodes: Array<{
    ip: string;
    dc: string;
    rack: string;
    host_id: string;
    rest_port: number;
    cql_port: number;
    prometheus_port: number;
    data_dir: string;
  }>;
}

function toLayouts(dcs: ClusterOptions["dcs"]): DcLayout[] {
  if (dcs === undefined) return [{ name: "dc1", nodes: 3 }];
  if (typeof dcs === "string") return parseDcs(dcs);
  return dcs.map((d, i) => (typeof d === "number" ? { name: `dc${i + 1}`, nodes: d } : d));
}

function parseInitialTokens(given: ClusterOptions["initialTokens"]): Map<string, bigint[]> | undefined {
  if (given === undefined) return undefined;
  return new Map(
    Object.entries(given).map(([ip, tokens]) => [
      ip,
      tokens.map((t) => {
        if (typeof t === "bigint") return t;
        if (!/^-?\d+$/.test(t.trim())) throw new Error(`initial token "${t}" of ${ip} is not an integer`);
        return BigInt(t.trim());
      }),
    ]),
  );
}

/** Starts a cluster; when it resolves every node serves. On failure everything started is stopped. */
export async function startCluster(options: ClusterOptions = {}): Promise<EmulatedCluster> {
  const ownDir = options.dir === undefined;
  const dir = options.dir ?? mkdtempSync(join(tmpdir(), "scylla-emu-"));
  try {
    return await startClusterIn(options, dir, ownDir);
  } catch (err) {
    // Option checks and topology errors throw before anything serves: the temp dir made here must not stay.
    if (ownDir) rmSync(dir, { recursive: true, force: true });
    throw err;
  }
}

async function startClusterIn(options: ClusterOptions, dir: string, ownDir: boolean): Promise<EmulatedCluster> {
  const logger = options.logger ?? createSilentLogger();
  const seed = options.seed ?? 1;
  const topology = createTopology({
    dcs: toLayouts(options.dcs),
    ipPrefix: options.ipPrefix ?? "127.0.50.",
    seed,
    tokensPerNode: options.tokensPerNode ?? 256,
    initialTokens: parseInitialTokens(options.initialTokens),
  });
  const settings = await buildSettings(
    options,
    topology.nodes.map((n) => n.ip),
    dir,
  );
  const state = new EmulatedClusterState(
    topology,
    options.clock ?? createClock(options.timeScale ?? 1),
    seed,
    settings.shards,
    settings.tabletsEnabled,
  );
  const spec =
    options.schema === undefined
      ? defaultSchemaSpec(settings.tabletsEnabled)
      : typeof options.schema === "string"
        ? loadSchemaSpec(options.schema)
        : options.schema;
  applySchemaSpec(state.schema, spec, createRandom(`${seed}:schema`));
  for (const n of topology.nodes) {
    const dataDir = join(dir, n.ip, "data");
    mkdirSync(dataDir, { recursive: true });
    const own = { ...settings, ...options.nodeSettings?.[n.ip] };
    state.nodes.push(new EmulatedNode(n.ip, dataDir, own, state));
  }
  const modules = await loadOptionalModules();
  if (options.cql === false) modules.startCql = undefined;
  for (const missing of modules.missing) logger.info(`emulator: ${missing} not available yet; skipped`);
  const slots = new Map<string, PortSlot[]>();
  const faults = new Faults(state.ledger, state.clock.now, {
    slots: (ip) => slots.get(ip) ?? [],
    setUp: (ip, up) => state.node(ip)?.setUp(up),
  });
  const routers = new Map<string, RestRouter>();
  const hooks: NodeModuleHooks[] = [];
  for (const node of state.nodes) {
    const built = buildRouter(node, modules);
    routers.set(node.ip, built.router);
    hooks.push(...built.hooks);
    slots.set(node.ip, buildSlots(node, built.router, modules, faults));
  }
  const all = [...slots.values()].flat();
  let control: { url: string; close(): void } | undefined;
  let agents: { close(): Promise<void> } | undefined;
  let closing: Promise<void> | undefined;
  const close = (): Promise<void> => {
    closing ??= closeAll();
    return closing;
  };
  const closeAll = async (): Promise<void> => {
    await agents?.close();
    control?.close();
    await Promise.allSettled(all.map((s) => s.set("stopped")));
    await Promise.allSettled(hooks.map((h) => h.close?.()));
    if (ownDir) rmSync(dir, { recursive: true, force: true });
  };
  try {
    await Promise.all(hooks.map((h) => h.ready));
    await Promise.all(all.map((s) => s.set("serving")));
    const nodes: EmulatedNodeInfo[] = state.nodes.map((n) => ({
      ip: n.ip,
      dc: n.dc,
      rack: n.rack,
      hostId: n.hostId,
      restPort: n.settings.restPort,
      cqlPort: n.settings.cqlPort,
      prometheusPort: n.settings.prometheusPort,
      dataDir: n.dataDir,
    }));
    const document = (): ClusterDocument => ({
      control: control?.url ?? "",
      nodes: nodes.map((n) => ({
        ip: n.ip,
        dc: n.dc,
        rack: n.rack,
        host_id: n.hostId,
        rest_port: n.restPort,
        cql_port: n.cqlPort,
        prometheus_port: n.prometheusPort,
        data_dir: n.dataDir,
      })),
    });
    control = startControlServer({
      faults,
      ledger: state.ledger,
      schema: state.schema,
      ips: () => nodes.map((n) => n.ip),
      document,
    });
    if (options.agents) {
      const mod = (await import("./agents.ts")) as typeof import("./agents.ts");
      agents = await mod.startAgents(
        { nodes },
        { authToken: options.agents.authToken, config: options.agents.config as AgentConfigInput | undefined, logger },
      );
    }
    writeFileSync(join(dir, "cluster.json"), `${JSON.stringify(document(), null, 2)}\n`);
    return {
      nodes,
      controlUrl: control.url,
      dir,
      faults,
      ledger: state.ledger,
      schema: state.schema,
      state,
      routers,
      document,
      close,
    };
  } catch (err) {
    await close();
    throw err;
  }
}
