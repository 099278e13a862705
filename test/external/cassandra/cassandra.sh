#!/usr/bin/env bash
# Apache Cassandra for the external tier (see launcher.ts). Usage:
#   eval "$(bash test/external/cassandra/cassandra.sh start [--nodes 3] [--ips 127.6.1.1,...] [--auth])"
#   ... use $CASSANDRA_CONTACT_POINTS (port $CASSANDRA_PORT, DC $CASSANDRA_LOCAL_DC) ...
#   bash test/external/cassandra/cassandra.sh stop "$CASSANDRA_STATE"
# `install` only resolves the jars into the cache ($SM_TS_CACHE, default ~/.cache/scylla-manager-ts).
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/../../.." && pwd)"
exec "$ROOT/node_modules/.bin/bun" "$ROOT/test/external/cassandra/cli.ts" "$@"
