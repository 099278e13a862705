#!/usr/bin/env bash
# The interop tier: Scylla Manager's own binaries (sctool, scylla-manager-agent, scylla-manager, built from SM's
# public source by build-sm.sh, or taken from $SM_BIN_DIR) against ours, on loopback IPs 127.5.x.y:
#   sctool.test.ts     SM's sctool vs ours, command by command, on our server
#   sm-agent.test.ts   our server driving SM's agents on the emulated cluster (repair, backup, restore)
#   sm-server.test.ts  SM's server (on an Apache Cassandra node started here) driving our agents and emulator
#                      (repair, backup, backup list/files/validate), and each server restoring the other's backup
# Without SM's binaries (no SM_BIN_DIR, no cached build, no SM source or Go) every suite skips with the reason
# printed. The exit code is non-zero only when a test fails. Arguments name test files to run instead of all.
set -uo pipefail
ROOT="$(cd "$(dirname "$0")/../.." && pwd)"
cd "$ROOT"
BUN="$ROOT/node_modules/.bin/bun"
started=$SECONDS
log() { echo "[interop] $*" >&2; }

export SM_INTEROP=1
if bin=$(bash test/interop/build-sm.sh | tail -1) && [[ -n "$bin" ]]; then
  export SM_INTEROP_BIN_DIR="$bin"
  log "SM's binaries: $bin ($(cat "$bin/VERSION" 2>/dev/null || echo "from SM_BIN_DIR"))"
else
  export SM_INTEROP_SKIP="no SM binaries (see the reason above; set SM_BIN_DIR to a directory with sctool, scylla-manager-agent and scylla-manager)"
  log "SKIP: $SM_INTEROP_SKIP"
fi

cassandra_state=""
stop_cassandra() {
  if [[ -n "$cassandra_state" ]]; then "$BUN" test/external/cassandra/cli.ts stop "$cassandra_state" || true; fi
}
trap stop_cassandra EXIT
trap 'exit 143' TERM INT # so an interrupted run still stops its Cassandra (through the EXIT trap)
if [[ -z "${SM_INTEROP_SKIP:-}" ]]; then
  # SM's server keeps its state in Scylla or Cassandra: one Cassandra node on this tier's range.
  if out=$("$BUN" test/external/cassandra/cli.ts start --ips 127.5.9.1 2>"${TMPDIR:-/tmp}/sm-interop-cassandra.log"); then
    eval "$out"
    cassandra_state="$CASSANDRA_STATE"
    export SM_INTEROP_CASSANDRA="$CASSANDRA_CONTACT_POINTS"
    log "Cassandra for SM's server: $CASSANDRA_CONTACT_POINTS"
  else
    export SM_INTEROP_SERVER_SKIP="Cassandra did not start: $(tail -3 "${TMPDIR:-/tmp}/sm-interop-cassandra.log" | tr '\n' ' ')"
    log "SKIP (SM's server suite): $SM_INTEROP_SERVER_SKIP"
  fi
  rm -f "${TMPDIR:-/tmp}/sm-interop-cassandra.log"
fi

"$BUN" test --timeout 180000 "${@:-test/interop}"
rc=$?
log "interop tier took $((SECONDS - started))s (exit $rc)"
exit "$rc"
