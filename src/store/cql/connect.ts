/**
 * The CQL store's connection to its database (SM's `database:` config section): cassandra-driver client options,
 * consistency, and errors that say which hosts were tried and what to fix.
 * @module
 */
import { readFileSync } from "node:fs";
import cassandra from "cassandra-driver";
import { isManagerError, StoreError } from "../../errors.ts";

export interface CqlConnectOptions {
  /** Contact points: `host` or `host:port`. */
  hosts: string[];
  /** Default native port. Default 9042. */
  port?: number;
  keyspace: string;
  /**
   * Replication factor per DC when the keyspace is created (capped at the DC's node count); as SM, 1 means
   * consistency ONE and more means QUORUM (LOCAL_QUORUM with `localDc`).
   */
  replicationFactor?: number;
  /** Local DC: DC-aware load balancing and LOCAL_QUORUM / LOCAL_SERIAL. "" = every DC alike. */
  localDc?: string;
  user?: string;
  password?: string;
  /** TLS to the database (SM's `database.ssl` with the top-level `ssl` section). */
  tls?: { caFile?: string; validate?: boolean; certFile?: string; keyFile?: string };
  /** Override of the derived consistency ("ONE", "QUORUM", "LOCAL_QUORUM", "ALL"...). */
  consistency?: string;
  /** Query timeout, ms. Default 1000 (SM). */
  timeoutMs?: number;
  /** Route requests to the partition's replicas. Default true. */
  tokenAware?: boolean;
  /** How long DDL may take and schema agreement may be waited for, ms. Default 30 000. */
  migrateTimeoutMs?: number;
}

/** Where the store lives, for messages: `cql://h1:9042,h2:9042/keyspace`. */
export function describeTarget(o: Pick<CqlConnectOptions, "hosts" | "port" | "keyspace">): string {
  return `cql://${contactPoints(o).join(",")}/${o.keyspace}`;
}

export function contactPoints(o: Pick<CqlConnectOptions, "hosts" | "port">): string[] {
  const port = o.port ?? 9042;
  return o.hosts.map((h) => (hasPort(h) ? h : h.includes(":") ? `[${h}]:${port}` : `${h}:${port}`));
}

function hasPort(point: string): boolean {
  if (point.startsWith("[")) return point.includes("]:");
  return point.split(":").length === 2;
}

const { consistencies } = cassandra.types;

/** The consistency as SM derives it, or the override. */
export function resolveConsistency(o: CqlConnectOptions): { consistency: number; serial: number; name: string } {
  const serial = o.localDc ? consistencies.localSerial : consistencies.serial;
  if (o.consistency) {
    const key = o.consistency.toLowerCase().replace(/_([a-z])/g, (_, c: string) => c.toUpperCase());
    const value = (consistencies as unknown as Record<string, number>)[key];
    if (value === undefined) {
      throw new StoreError(`invalid database.consistency ${JSON.stringify(o.consistency)}`, {
        hint: "use ONE, TWO, THREE, QUORUM, LOCAL_QUORUM, EACH_QUORUM, ALL or LOCAL_ONE, or leave it empty",
      });
    }
    return { consistency: value, serial, name: o.consistency.toUpperCase() };
  }
  if ((o.replicationFactor ?? 1) <= 1) return { consistency: consistencies.one, serial, name: "ONE" };
  if (o.localDc) return { consistency: consistencies.localQuorum, serial, name: "LOCAL_QUORUM" };
  return { consistency: consistencies.quorum, serial, name: "QUORUM" };
}

/** A client (not yet connected) for the store's database. */
export function createCqlClient(o: CqlConnectOptions): cassandra.Client {
  const { policies, auth } = cassandra;
  const child = o.localDc
    ? new policies.loadBalancing.DCAwareRoundRobinPolicy(o.localDc)
    : new policies.loadBalancing.RoundRobinPolicy();
  const loadBalancing = o.tokenAware === false ? child : new policies.loadBalancing.TokenAwarePolicy(child);
  const { consistency, serial } = resolveConsistency(o);
  const timeoutMs = o.timeoutMs ?? 1000;
  let sslOptions: Record<string, unknown> | undefined;
  if (o.tls) {
    const read = (what: string, file?: string) => {
      if (!file) return undefined;
      try {
        return readFileSync(file);
      } catch (error) {
        throw new StoreError(`read ${what} ${file}: ${(error as NodeJS.ErrnoException).code ?? error}`, {
          hint: "check the ssl section of the config",
          cause: error,
        });
      }
    };
    sslOptions = {
      rejectUnauthorized: o.tls.validate ?? true,
      ca: read("ssl.cert_file", o.tls.caFile),
      cert: read("ssl.user_cert_file", o.tls.certFile),
      key: read("ssl.user_key_file", o.tls.keyFile),
      // Certificates name nodes by IP; the driver connects by IP too.
      checkServerIdentity: () => undefined,
    };
  }
  return new cassandra.Client({
    contactPoints: contactPoints(o),
    ...(o.localDc ? { localDataCenter: o.localDc } : {}),
    policies: { loadBalancing, reconnection: new policies.reconnection.ConstantReconnectionPolicy(1_000) },
    authProvider: o.user ? new auth.PlainTextAuthProvider(o.user, o.password ?? "") : undefined,
    sslOptions,
    protocolOptions: {
      port: o.port ?? 9042,
      maxSchemaAgreementWaitSeconds: Math.ceil((o.migrateTimeoutMs ?? 30_000) / 1000),
    },
    socketOptions: { connectTimeout: Math.max(timeoutMs, 5_000), readTimeout: timeoutMs },
    queryOptions: { consistency, serialConsistency: serial, prepare: true },
  });
}

/** The per-host causes of a driver error ("127.0.0.1:9042: connect ECONNREFUSED ..."), or its message. */
export function hostErrors(error: unknown): string {
  if (error instanceof cassandra.errors.NoHostAvailableError) {
    const inner = Object.entries(error.innerErrors ?? {}) as [string, unknown][];
    if (inner.length > 0) {
      return inner.map(([host, e]) => `${host}: ${e instanceof Error ? e.message : String(e)}`).join("; ");
    }
  }
  return error instanceof Error ? error.message : String(error);
}

function isAuthError(error: unknown): boolean {
  if (error instanceof cassandra.errors.AuthenticationError) return true;
  if (error instanceof cassandra.errors.NoHostAvailableError) {
    return Object.values(error.innerErrors ?? {}).some((e) => e instanceof cassandra.errors.AuthenticationError);
  }
  return false;
}

/** Wraps a driver error from `action` as a StoreError naming the database; ManagerErrors pass through. */
export function toCqlStoreError(action: string, o: CqlConnectOptions, error: unknown): Error {
  if (isManagerError(error)) return error;
  const target = describeTarget(o);
  if (isAuthError(error)) {
    return new StoreError(
      `${action} ${target}: authentication failed${o.user ? ` for user ${JSON.stringify(o.user)}` : " (no user configured)"}: ${hostErrors(error)}`,
      { hint: "check database.user and database.password in the config", cause: error },
    );
  }
  if (isUnavailable(error)) {
    return new StoreError(`${action} ${target}: too few database replicas are alive (${hostErrors(error)})`, {
      hint: "the database lost quorum for the store's consistency: bring its nodes back (nodetool status)",
      cause: error,
    });
  }
  if (error instanceof cassandra.errors.NoHostAvailableError) {
    return new StoreError(`${action} ${target}: no database host answered (hosts tried: ${hostErrors(error)})`, {
      hint: "check database.hosts and database.port, and that ScyllaDB/Cassandra is running and reachable",
      cause: error,
    });
  }
  if (error instanceof cassandra.errors.OperationTimedOutError) {
    return new StoreError(`${action} ${target}: timed out (${hostErrors(error)})`, {
      hint: "the database is slow or unreachable; check it, or raise database.timeout",
      cause: error,
    });
  }
  const text = error instanceof Error ? error.message : String(error);
  if (/batch too large/i.test(text)) {
    return new StoreError(`${action} ${target}: ${text} (nothing of it was written)`, {
      hint: "the database refuses batches over its batch_size_fail_threshold (Cassandra: 50 KiB, ScyllaDB: 1 MiB); raise it, or write fewer rows per batch",
      cause: error,
    });
  }
  return new StoreError(`${action} ${target}: ${text}`, {
    hint: "check the database's health (nodetool status); a failed write may or may not have been applied",
    cause: error,
  });
}

/**
 * A coordinator answered that too few replicas are alive for the consistency asked (nothing was done), also when
 * the driver tried every host and that was the answer of those it reached.
 */
export function isUnavailable(error: unknown): boolean {
  const unavailable = (e: unknown) =>
    e instanceof cassandra.errors.ResponseError && e.code === cassandra.types.responseErrorCodes.unavailableException;
  if (unavailable(error)) return true;
  if (error instanceof cassandra.errors.NoHostAvailableError)
    return Object.values(error.innerErrors ?? {}).some(unavailable);
  return false;
}

/** Errors worth retrying for idempotent statements: timeouts and too few live replicas. */
export function isTransient(error: unknown): boolean {
  const e = cassandra.errors;
  if (error instanceof e.OperationTimedOutError || error instanceof e.NoHostAvailableError) return true;
  if (error instanceof e.ResponseError) {
    const c = cassandra.types.responseErrorCodes;
    return [c.unavailableException, c.writeTimeout, c.readTimeout, c.overloaded, c.isBootstrapping].includes(
      error.code,
    );
  }
  return false;
}
