/**
 * CQL sessions to a managed cluster (cassandra-driver): password auth, TLS with SM's InsecureSkipVerify and an
 * optional client certificate, and single-host sessions (SM's `SingleHostSessionConfigOption`).
 * @module
 */
import cassandra from "cassandra-driver";
import { ManagerError } from "../../errors.ts";

/** CQL credentials (the cluster's `cql_creds` secret). */
export interface CqlCredentials {
  username: string;
  password: string;
}

/** Client certificate for `require_client_auth` (the cluster's `tls_identity` secret), PEM. */
export interface CqlClientCert {
  cert: string;
  key: string;
}

export interface CqlSessionOptions {
  /** `address:port` (or bare address, then `port`) of the nodes to use. */
  contactPoints: string[];
  /** Default native port when a contact point has none. Default 9042. */
  port?: number;
  /** The driver's local DC (required by cassandra-driver when contact points are given). */
  localDataCenter: string;
  credentials?: CqlCredentials;
  /** Use TLS (SM: when `client_encryption_enabled` and not `force_tls_disabled`); certificates are not verified, as SM. */
  tls?: boolean;
  clientCert?: CqlClientCert;
  /** Only ever talk to the first contact point (no peer discovery of other hosts). */
  singleHost?: boolean;
  /** Connect and query timeout, ms. Default 30 000. */
  timeoutMs?: number;
  /** Highest protocol version to negotiate (SM's health-check query ping uses 3). */
  protocolVersion?: number;
}

/** A connected session; always `shutdown()` it. */
export type CqlSession = cassandra.Client;

/** Opens a session and connects it; errors keep the driver's message (auth failures included). */
export async function openCqlSession(options: CqlSessionOptions): Promise<CqlSession> {
  const timeoutMs = options.timeoutMs ?? 30_000;
  const port = options.port ?? 9042;
  const contactPoints = options.contactPoints.map((point) => (hasPort(point) ? point : `${point}:${port}`));
  if (contactPoints.length === 0) throw new ManagerError("open CQL session: no contact points");
  const { policies, auth } = cassandra;
  const dcAware = new policies.loadBalancing.DCAwareRoundRobinPolicy(options.localDataCenter);
  const loadBalancing = options.singleHost
    ? new policies.loadBalancing.AllowListPolicy(dcAware, [contactPoints[0] as string])
    : dcAware;
  const client = new cassandra.Client({
    contactPoints: options.singleHost ? [contactPoints[0] as string] : contactPoints,
    localDataCenter: options.localDataCenter,
    policies: { loadBalancing, reconnection: new policies.reconnection.ConstantReconnectionPolicy(1_000) },
    authProvider: options.credentials
      ? new auth.PlainTextAuthProvider(options.credentials.username, options.credentials.password)
      : undefined,
    sslOptions: options.tls
      ? { rejectUnauthorized: false, cert: options.clientCert?.cert, key: options.clientCert?.key }
      : undefined,
    protocolOptions: { port, maxVersion: options.protocolVersion },
    socketOptions: { connectTimeout: timeoutMs, readTimeout: timeoutMs },
    isMetadataSyncEnabled: false,
    pooling: { warmup: false, coreConnectionsPerHost: { 0: 1, 1: 1, 2: 1 } },
  });
  try {
    await client.connect();
  } catch (error) {
    await client.shutdown().catch(() => undefined);
    throw new ManagerError(`open CQL session: ${describeDriverError(error)}`, { cause: error });
  }
  return client;
}

/** The most telling text of a driver error (NoHostAvailableError hides the per-host causes). */
export function describeDriverError(error: unknown): string {
  if (error instanceof cassandra.errors.NoHostAvailableError) {
    const inner = Object.values(error.innerErrors ?? {}) as unknown[];
    const first = inner[0];
    if (first instanceof Error) return first.message;
  }
  return error instanceof Error ? error.message : String(error);
}

function hasPort(point: string): boolean {
  if (point.startsWith("[")) return point.includes("]:");
  return point.split(":").length === 2;
}
