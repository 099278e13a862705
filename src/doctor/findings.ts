/**
 * What `scylla-manager doctor` concludes, as pure functions of what it observed: each check gives a finding with a
 * verdict and, when something is wrong, the fix in words an operator can act on.
 * @module
 */

export type Verdict = "ok" | "warn" | "fail";

export interface Finding {
  /** What was checked, e.g. "store", "cluster prod / 10.0.0.1 agent certificate". */
  check: string;
  verdict: Verdict;
  detail: string;
  fix?: string;
}

/** The store's schema version against the one this build migrates to. */
export function judgeStoreVersion(file: string, found: number, latest: number): Finding {
  const check = "store schema";
  if (found === latest) return { check, verdict: "ok", detail: `${file}: schema v${found} (current)` };
  if (found > latest) {
    return {
      check,
      verdict: "fail",
      detail: `${file}: schema v${found} is newer than this version supports (v${latest})`,
      fix: "run the newer scylla-manager that wrote it (this one refuses to start on it)",
    };
  }
  return {
    check,
    verdict: "warn",
    detail: `${file}: schema v${found}, this version migrates it to v${latest} at start`,
    fix: `start the server to migrate (a copy is kept as ${file}.schema-v${found}.bak); stop other servers on it first`,
  };
}

/** A row of the CQL store's migrations table (`gocqlx_migrate`). */
export interface CqlMigrationRow {
  name: string;
  checksum: string;
  done: boolean;
}

/**
 * The CQL store's applied migrations against the ones this build knows (name and checksum, in order): unknown or
 * different ones refuse a start, missing ones are applied at start, a claim without `done` is a migration in
 * progress or abandoned.
 */
export function judgeCqlMigrations(
  target: string,
  rows: readonly CqlMigrationRow[],
  known: readonly { name: string; checksum: string }[],
): Finding {
  const check = "store schema";
  const byName = new Map(rows.map((row) => [row.name, row]));
  const knownNames = new Set(known.map((migration) => migration.name));
  const unknown = rows.map((row) => row.name).filter((name) => !knownNames.has(name));
  if (unknown.length > 0) {
    return {
      check,
      verdict: "fail",
      detail: `${target}: migration ${unknown.sort().join(", ")} is newer than this version knows (the server refuses to start on it)`,
      fix: "run the newer scylla-manager that wrote it, or set database.keyspace to a keyspace of this server's own (SM's own keyspace: bring it over with scylla-manager import-sm)",
    };
  }
  const changed = known.filter((m) => byName.get(m.name)?.done && byName.get(m.name)?.checksum !== m.checksum);
  if (changed.length > 0) {
    return {
      check,
      verdict: "fail",
      detail: `${target}: migration ${changed.map((m) => m.name).join(", ")} was applied by another build (checksum differs; the server refuses to start on it)`,
      fix: "run the build of scylla-manager that wrote the keyspace, or set database.keyspace to another keyspace",
    };
  }
  const pending = known.filter((m) => !byName.get(m.name)?.done);
  if (pending.length === 0) {
    return { check, verdict: "ok", detail: `${target}: ${known.length} migrations applied (current)` };
  }
  const claimed = pending.filter((m) => byName.has(m.name));
  const names = pending.map((m) => m.name).join(", ");
  if (claimed.length > 0) {
    return {
      check,
      verdict: "warn",
      detail: `${target}: migration ${claimed.map((m) => m.name).join(", ")} was started and not finished (a server is applying it, or died doing so)`,
      fix: "start the server: it waits for a running migration and takes over one older than database.migrate_timeout",
    };
  }
  return {
    check,
    verdict: "warn",
    detail: `${target}: ${known.length - pending.length} of ${known.length} migrations applied, this version applies ${names} at start`,
    fix: "start the server to migrate the keyspace in place; servers of the older version refuse it afterwards, so upgrade every server that shares it",
  };
}

const DAY_MS = 86_400_000;

/** An agent's TLS certificate: expired, expiring within 30 days, or fine. */
export function judgeCertificate(check: string, validToMs: number, nowMs: number): Finding {
  const days = Math.floor((validToMs - nowMs) / DAY_MS);
  const when = new Date(validToMs).toISOString();
  if (validToMs <= nowMs) {
    return {
      check,
      verdict: "fail",
      detail: `expired on ${when}`,
      fix: "issue a new certificate (scylla-manager-agent ssl-cert-gen, or your CA), set tls_cert_file/tls_key_file, restart the agent",
    };
  }
  if (days < 30) {
    return { check, verdict: "warn", detail: `expires in ${days} days (${when})`, fix: "renew it before it expires" };
  }
  return { check, verdict: "ok", detail: `valid until ${when}` };
}

/** Clock skew between this machine and a node; repairs and backup retention go by time, so more than 5 s matters. */
export function judgeClockSkew(check: string, remoteMs: number, localMs: number): Finding {
  const skewS = Math.round((remoteMs - localMs) / 1000);
  // HTTP dates have a resolution of one second: allow that much on top of the threshold.
  if (Math.abs(skewS) <= 5) return { check, verdict: "ok", detail: `${skewS}s` };
  return {
    check,
    verdict: "fail",
    detail: `node clock is ${Math.abs(skewS)}s ${skewS > 0 ? "ahead" : "behind"}`,
    fix: "run NTP (chrony or systemd-timesyncd) on the node and on the manager host",
  };
}

const TOKEN_FIX =
  "make auth_token in the agents' config equal to the cluster's (sctool cluster update --auth-token), restart the agents";

/** `GET /cluster/{id}/status` failed as a whole (as SM's does when no node answers the server). */
export function judgeStatusError(check: string, message: string): Finding {
  if (/\b401\b|unauthori[sz]ed/i.test(message)) {
    return {
      check,
      verdict: "fail",
      detail: `the agents refuse the cluster's auth token (${message})`,
      fix: TOKEN_FIX,
    };
  }
  return {
    check,
    verdict: "fail",
    detail: `status: ${message}`,
    fix: "check that the agents run and port 10001 is open from the manager (sctool status -c <cluster>)",
  };
}

/** One node of `GET /cluster/{id}/status`, as the server sees it through the agent. */
export function judgeNodeStatus(
  check: string,
  node: { status: string; rest_status: string; rest_cause: string; cql_status: string },
): Finding {
  if (node.rest_status === "UNAUTHORIZED") {
    return {
      check,
      verdict: "fail",
      detail: "the agent refuses the cluster's auth token",
      fix: TOKEN_FIX,
    };
  }
  if (node.status !== "UN") {
    return { check, verdict: "fail", detail: `node is ${node.status || "unknown"}`, fix: "start Scylla on the node" };
  }
  if (node.rest_status !== "UP") {
    return {
      check,
      verdict: "fail",
      detail: `Scylla REST through the agent: ${node.rest_status || "not checked"} ${node.rest_cause}`.trim(),
      fix: "check that the agent runs (port 10001 open from the manager) and reaches Scylla's REST API (scylla-manager-agent setup checks it)",
    };
  }
  return { check, verdict: "ok", detail: `UN, REST ${node.rest_status}, CQL ${node.cql_status || "-"}` };
}

/**
 * Free space on a node's data disk against `disk_space_free_min_percent`: below it, backups refuse to snapshot (a
 * snapshot pins every SSTable until its upload ends); within 10 points of it, a warning.
 */
export function judgeDiskSpace(check: string, freePercent: number, minPercent: number): Finding {
  const detail = `${freePercent.toFixed(1)}% free on the data disk (backups need at least ${minPercent}%)`;
  const fix =
    "free space on the node's data disk (old snapshots: nodetool listsnapshots / clearsnapshot), or lower backup.disk_space_free_min_percent in the server config";
  if (freePercent < minPercent) return { check, verdict: "fail", detail, fix };
  if (freePercent < minPercent + 10) return { check, verdict: "warn", detail, fix };
  return { check, verdict: "ok", detail };
}
