#!/usr/bin/env bash
# Connects the Python CQL driver from PyPI (scylla-driver) to an emulated node and prints what it discovered
# as JSON: {"hosts": [{"address", "dc", "rack"}], "keyspaces": {ks: [tables]}, "now": "<timeuuid>"}.
#
# usage: test/external/python-cql.sh HOST PORT [USER PASS]
# The venv lives in $PYTHON_CQL_VENV (default: a cache dir) so later runs skip the install.
# Exit 3 when python3 or its venv/pip modules are unavailable (the caller skips with that reason).
set -euo pipefail

host=${1:?usage: python-cql.sh HOST PORT [USER PASS]}
port=${2:?usage: python-cql.sh HOST PORT [USER PASS]}
user=${3:-}
pass=${4:-}
driver_version=3.29.12
venv=${PYTHON_CQL_VENV:-${XDG_CACHE_HOME:-$HOME/.cache}/scylla-manager-ts/python-cql-${driver_version}}

if ! command -v python3 >/dev/null 2>&1; then
  echo "python3 is not installed" >&2
  exit 3
fi
if [ ! -x "$venv/bin/python" ] || ! "$venv/bin/python" -c "import cassandra" >/dev/null 2>&1; then
  if ! python3 -m venv "$venv" >&2; then
    echo "python3 cannot create a venv (install python3-venv)" >&2
    exit 3
  fi
  # Pure-Python install: no Cython build, no C extensions, so it installs in seconds.
  if ! CASS_DRIVER_NO_CYTHON=1 CASS_DRIVER_NO_EXTENSIONS=1 "$venv/bin/python" -m pip install --quiet --disable-pip-version-check \
    "scylla-driver==${driver_version}" >&2; then
    echo "pip could not install scylla-driver==${driver_version}" >&2
    exit 3
  fi
fi

exec "$venv/bin/python" - "$host" "$port" "$user" "$pass" <<'PY'
import json
import sys

from cassandra.auth import PlainTextAuthProvider
from cassandra.cluster import Cluster
from cassandra.io.asyncioreactor import AsyncioConnection

host, port, user, password = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4]
auth = PlainTextAuthProvider(username=user, password=password) if user else None
cluster = Cluster([host], port=port, auth_provider=auth, connection_class=AsyncioConnection, connect_timeout=5, control_connection_timeout=5)
try:
    session = cluster.connect()
    now = session.execute("SELECT now() FROM system.local WHERE key='local'").one()[0]
    out = {
        "protocol_version": cluster.protocol_version,
        "hosts": sorted(
            ({"address": h.endpoint.address, "dc": h.datacenter, "rack": h.rack} for h in cluster.metadata.all_hosts()),
            key=lambda h: h["address"],
        ),
        "keyspaces": {name: sorted(ks.tables.keys()) for name, ks in cluster.metadata.keyspaces.items()},
        "views": {name: sorted(ks.views.keys()) for name, ks in cluster.metadata.keyspaces.items()},
        "now": str(now),
    }
    print(json.dumps(out))
finally:
    cluster.shutdown()
PY
