/**
 * Shell entry for the Cassandra launcher (see launcher.ts), also what `cassandra.sh` runs:
 *
 *   bun test/external/cassandra/cli.ts install
 *   eval "$(bun test/external/cassandra/cli.ts start [--nodes N] [--ips 127.6.1.1,127.6.1.2] [--auth])"
 *     -> exports CASSANDRA_STATE, CASSANDRA_CONTACT_POINTS (comma-separated), CASSANDRA_PORT, CASSANDRA_LOCAL_DC
 *        (and CASSANDRA_USER, CASSANDRA_PASSWORD with --auth)
 *   bun test/external/cassandra/cli.ts stop "$CASSANDRA_STATE"
 *
 * `start` returns once every node serves CQL and leaves the nodes running (detached); `stop` ends them and removes
 * the state dir. Default IPs: 127.6.1.1..N. Exit 2 with the reason on stderr when Java or Maven is missing.
 * @module
 */
import { cassandraUnavailableReason, installCassandra, startCassandra, stopCassandraState } from "./launcher.ts";

function flag(args: string[], name: string): string | undefined {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : undefined;
}

const [command, ...args] = process.argv.slice(2);
const q = (s: string) => `'${s.replaceAll("'", "'\\''")}'`;
try {
  if (command === "install" || command === "start") {
    const reason = cassandraUnavailableReason();
    if (reason) {
      console.error(`[cassandra] unavailable: ${reason}`);
      process.exit(2);
    }
  }
  if (command === "install") {
    console.log(installCassandra());
  } else if (command === "start") {
    const n = Number(flag(args, "--nodes") ?? "1");
    const ips = flag(args, "--ips")?.split(",") ?? Array.from({ length: n }, (_, i) => `127.6.1.${i + 1}`);
    const heap = flag(args, "--heap");
    const c = await startCassandra({ ips, auth: args.includes("--auth"), ...(heap ? { heap } : {}) });
    console.log(`export CASSANDRA_STATE=${q(c.stateDir)}`);
    console.log(`export CASSANDRA_CONTACT_POINTS=${q(c.contactPoints.join(","))}`);
    console.log(`export CASSANDRA_PORT=${c.port}`);
    console.log(`export CASSANDRA_LOCAL_DC=${q(c.localDataCenter)}`);
    if (args.includes("--auth")) console.log("export CASSANDRA_USER=cassandra CASSANDRA_PASSWORD=cassandra");
    process.exit(0);
  } else if (command === "stop" && args[0]) {
    await stopCassandraState(args[0]);
  } else {
    console.error("usage: cli.ts install | start [--nodes N] [--ips a,b,c] [--auth] [--heap 512M] | stop STATE_DIR");
    process.exit(64);
  }
} catch (error) {
  console.error(`[cassandra] ${(error as Error).message}`);
  process.exit(1);
}
