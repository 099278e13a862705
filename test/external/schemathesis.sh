#!/usr/bin/env bash
# Fuzzes the daemon's REST API with schemathesis (PyPI, in a cached venv outside the repo) against the served
# /api/v1/openapi.json with the server-error, response-schema and status-code checks, bounded in examples and time.
#
# Generated cluster hosts are random, so the daemon and schemathesis run inside a network namespace whose only
# interface is loopback (`unshare -n`, as root): no generated request can leave the machine.
#
# usage: test/external/schemathesis.sh      (from anywhere; prints schemathesis' report)
# env:   SM_EXT_SCHEMATHESIS_EXAMPLES (max examples per operation, default 30)
#        SM_EXT_SCHEMATHESIS_TIME     (time budget of both passes in seconds, default 160)
#        SCHEMATHESIS_VENV            (venv dir, default ~/.cache/scylla-manager-ts/schemathesis-<version>)
# exit:  0 all checks passed, 1 a check failed, 3 cannot run here (the reason is the last line on stderr)
set -uo pipefail
ROOT="$(cd "$(dirname "$0")/../.." && pwd)"
VERSION=4.32.5
# Newest Python first: CPython 3.11's ast module can fail inside hypothesis ("AST constructor recursion depth").
PYTHON=${SM_EXT_SCHEMATHESIS_PYTHON:-}
if [[ -z "$PYTHON" ]]; then
  # pyenv machines: its newest 3.12+ even when the global python3 is older.
  pyenv_pythons=()
  if command -v pyenv >/dev/null 2>&1; then
    while read -r v; do pyenv_pythons+=("$(pyenv root)/versions/$v/bin/python3"); done < <(
      pyenv versions --bare 2>/dev/null | grep -E '^3\.(1[2-9])(\.[0-9]+)?$' | sort -V -r
    )
  fi
  for candidate in "${pyenv_pythons[@]}" python3.13 python3.12 python3; do
    if "$candidate" -c 'import venv' >/dev/null 2>&1; then
      PYTHON=$candidate
      break
    fi
  done
fi
PYVER=$("${PYTHON:-python3}" -c 'import sys; print(f"{sys.version_info[0]}.{sys.version_info[1]}")' 2>/dev/null || echo none)
VENV=${SCHEMATHESIS_VENV:-${XDG_CACHE_HOME:-$HOME/.cache}/scylla-manager-ts/schemathesis-$VERSION-py$PYVER}
EXAMPLES=${SM_EXT_SCHEMATHESIS_EXAMPLES:-30}
BUDGET=${SM_EXT_SCHEMATHESIS_TIME:-160}
ADDRESS=127.4.5.1:5080
BUN="$ROOT/node_modules/.bin/bun"
log() { echo "[schemathesis] $*" >&2; }
cannot() {
  log "cannot run: $*"
  exit 3
}

if [[ -z "${SM_SCHEMATHESIS_IN_NETNS:-}" ]]; then
  [[ -n "$PYTHON" && "$PYVER" != none ]] || cannot "python3 is not installed"
  if [[ ! -x "$VENV/bin/schemathesis" ]]; then
    log "installing schemathesis==$VERSION into $VENV"
    "$PYTHON" -m venv "$VENV" >&2 || cannot "python3 cannot create a venv (install python3-venv)"
    "$VENV/bin/python" -m pip install --quiet --disable-pip-version-check "schemathesis==$VERSION" >&2 ||
      cannot "pip could not install schemathesis==$VERSION (no access to PyPI?)"
  fi
  command -v unshare >/dev/null 2>&1 || cannot "unshare (util-linux) is not installed: no loopback-only namespace"
  unshare -n true 2>/dev/null || cannot "unshare -n is not permitted here (needs root): no loopback-only namespace"
  exec unshare -n env SM_SCHEMATHESIS_IN_NETNS=1 bash "$0" "$@"
fi

# Inside the namespace: loopback only.
ip link set lo up 2>/dev/null || python3 - <<'PY' || cannot "cannot bring loopback up in the namespace"
import fcntl, socket, struct
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
flags = struct.unpack("16sh", fcntl.ioctl(s, 0x8913, struct.pack("16sh", b"lo", 0)))[1]
fcntl.ioctl(s, 0x8914, struct.pack("16sh", b"lo", flags | 1))
PY
dir=$(mktemp -d "${TMPDIR:-/tmp}/sm-schemathesis-XXXXXX")
daemon=""
stop_daemon() {
  if [[ -n "$daemon" ]]; then
    kill "$daemon" 2>/dev/null && wait "$daemon" 2>/dev/null
    daemon=""
  fi
}
cleanup() {
  stop_daemon
  rm -rf "$dir"
}
trap cleanup EXIT
cat >"$dir/scylla-manager.yaml" <<YAML
http: $ADDRESS
prometheus: ""
data_dir: $dir
logger:
  level: error
YAML

start_daemon() {
  "$BUN" "$ROOT/bin/scylla-manager.ts" --daemon -c "$dir/scylla-manager.yaml" 2>>"$dir/daemon.log" &
  daemon=$!
  for _ in $(seq 1 100); do
    "$VENV/bin/python" -c "import urllib.request; urllib.request.urlopen('http://$ADDRESS/ping', timeout=1)" 2>/dev/null && return 0
    kill -0 "$daemon" 2>/dev/null || cannot "the daemon did not start: $(tail -5 "$dir/daemon.log")"
    sleep 0.2
  done
  cannot "the daemon did not answer /ping"
}

failed=0
# One pass: schemathesis with the checks, then the daemon must still be alive.
fuzz() {
  local name=$1 budget=$2 config=$3
  shift 3
  local global=()
  [[ -n "$config" ]] && global=(--config-file "$config")
  log "pass '$name': fuzzing http://$ADDRESS/api/v1 (at most $EXAMPLES examples per operation, ${budget}s)"
  # From the temp dir: schemathesis keeps its cache (.schemathesis/) in the working directory, never in the repo.
  (cd "$dir" && timeout $((budget + 120)) "$VENV/bin/schemathesis" "${global[@]}" run "http://$ADDRESS/api/v1/openapi.json" "$@" \
    --url "http://$ADDRESS/api/v1" \
    --checks not_a_server_error,response_schema_conformance,status_code_conformance \
    --max-examples "$EXAMPLES" --max-time "$budget" --workers 2 --request-timeout 15 \
    --phases examples,fuzzing,stateful --seed 10 --no-color)
  local rc=$?
  if ! kill -0 "$daemon" 2>/dev/null; then
    log "pass '$name': the daemon died during the run: $(tail -20 "$dir/daemon.log")"
    failed=1
  elif [[ $rc -eq 124 ]]; then
    log "pass '$name': schemathesis overran its time budget"
    failed=1
  elif [[ $rc -ne 0 ]]; then
    log "pass '$name': schemathesis found failures (exit $rc)"
    failed=1
  fi
}

# Pass 1: an empty server, every operation (cluster ids are generated, so most cluster routes answer 404).
start_daemon
fuzz "every operation, empty store" $((BUDGET / 2)) ""
stop_daemon

# Pass 2: a cluster in the store and a task of it, so cluster- and task-scoped operations reach their handlers.
# The seed cluster's node does not exist (nothing but loopback here): operations that dial it (status, targets,
# backups, repair control) would answer SM's 500 naming the failed dial, a server-side failure; pass 1 covers them.
CLUSTER_ID=5c4e3a10-0000-4000-8000-000000000001
(cd "$ROOT" && "$BUN" -e "
  const v = await import('valibot');
  const { ServerConfigSchema } = await import('./src/config/server.ts');
  const { openStore } = await import('./src/store/open.ts');
  const store = await openStore(v.parse(ServerConfigSchema, { data_dir: '$dir' }));
  await store.putCluster({ id: '$CLUSTER_ID', name: 'fuzz', labels: {}, host: '127.4.5.2', knownHosts: [], port: 0,
    authToken: '', forceTlsDisabled: false, forceNonSslSessionPort: false });
  await store.close();
") >&2 || cannot "could not seed the store"
start_daemon
task=$("$VENV/bin/python" - "$ADDRESS" "$CLUSTER_ID" <<'PY'
import json, sys, urllib.request
address, cluster = sys.argv[1], sys.argv[2]
body = json.dumps({"type": "healthcheck", "name": "fuzz", "enabled": False, "properties": {"mode": "rest"}}).encode()
request = urllib.request.Request(f"http://{address}/api/v1/cluster/{cluster}/tasks", data=body, method="POST")
print(urllib.request.urlopen(request, timeout=10).headers["Location"].rsplit("/", 1)[-1])
PY
) || cannot "could not create the seed task"
cat >"$dir/schemathesis.toml" <<TOML
[parameters]
"path.cluster_id" = "$CLUSTER_ID"
"path.task_id" = "$task"
TOML
fuzz "seeded cluster and task" $((BUDGET / 2)) "$dir/schemathesis.toml" \
  --exclude-path-regex '/(status|target|backups.*|repairs/.*)$'
exit "$failed"
