/**
 * Options of `startCluster` (they mirror the `cli.ts up` flags) and their defaults.
 * @module
 */
import type { Logger } from "../../src/util/log.ts";
import type { Clock } from "./clock.ts";
import type { NodeSettings } from "./node-context.ts";
import type { SchemaSpec } from "./schema/types.ts";
import type { DcLayout } from "./topology/topology.ts";

export interface ClusterOptions {
  /** `"dc1:3,dc2:3"`, node counts per DC (`[3, 3]` = dc1, dc2) or layouts; default one DC of 3 nodes. */
  dcs?: string | number[] | DcLayout[];
  /** Base dir: `<dir>/<ip>/data` per node and `cluster.json`; default a temp dir removed on close. */
  dir?: string;
  /** First three octets and a dot; default "127.0.50.". */
  ipPrefix?: string;
  /** Seed of tokens, host ids and table ids; default 1. */
  seed?: number;
  /** A `--schema` file path, a spec, or undefined for the built-in default. */
  schema?: string | SchemaSpec;
  /** Scylla version; default "2025.1.0". */
  scyllaVersion?: string;
  /** Modelled durations × timeScale = real waits; default 1. */
  timeScale?: number;
  /** A clock to use instead of the default one (then `timeScale` is ignored). */
  clock?: Clock;
  /** `"USER:PASS"`: PasswordAuthenticator on every node. */
  auth?: string;
  /**
   * Start our agent on every node (port 10001) with this token. `config`: extra agent YAML keys applied to every agent (e.g.
   * `{localstorage: {path: DIR}}` or an `s3:` section), as `cli.ts up --agent-config FILE`.
   */
  agents?: { authToken: string; config?: Record<string, unknown> } | false;
  /** Shards per node; default 2. */
  shards?: number;
  /** Vnode tokens per node; default 256. */
  tokensPerNode?: number;
  /** Scylla's `initial_token` per node IP (decimal strings or bigints): those nodes own exactly these tokens. */
  initialTokens?: Record<string, ReadonlyArray<string | bigint>>;
  /** Alternator on every node (port 8000); default off. */
  alternator?: boolean | { port?: number; httpsPort?: number; enforceAuthorization?: boolean };
  /** CQL client encryption (generated certificate unless given). */
  tls?: boolean | { certificate?: string; key?: string; ca?: string; requireClientAuth?: boolean };
  /** `enable_tablets`; default true. */
  tablets?: boolean;
  /** `uuid_sstable_identifiers_enabled`; default true. */
  uuidSstableIdentifiers?: boolean;
  /** Ports (same on every node, each node has its own IP). */
  ports?: { rest?: number; cql?: number; cqlSsl?: number; prometheus?: number };
  /** Start CQL listeners; default true. */
  cql?: boolean;
  clusterName?: string;
  /** Object storage endpoints as `/v2/config/object_storage_endpoints` shows them. */
  objectStorageEndpoints?: Record<string, string>;
  /** Per-node overrides of the settings, by IP (e.g. a different version or auth on one node). */
  nodeSettings?: Record<string, Partial<NodeSettings>>;
  logger?: Logger;
}

/** The release string Scylla reports for a version (`2025.1.0` → `2025.1.0-0.20250101.abcdef123456`). */
export function releaseVersionOf(version: string): string {
  return version.includes("-") ? version : `${version}-0.20250101.abcdef123456`;
}

/** Parses `USER:PASS`. */
export function parseAuth(text: string): { username: string; password: string } {
  const i = text.indexOf(":");
  if (i <= 0 || i === text.length - 1)
    throw new Error(`invalid --auth "${text}": use USER:PASS, e.g. cassandra:cassandra`);
  return { username: text.slice(0, i), password: text.slice(i + 1) };
}
