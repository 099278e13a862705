#!/usr/bin/env bash
# Installs (cached) and starts the storage servers the external provider suites talk to, each on its own
# loopback address from D2's range (127.0.25.x-127.0.29.x; Cassandra on 127.6.0.x). Sourced by run.sh; every start_* function either
# records (setenv) the variables its suite reads, or SM_EXT_<NAME>_SKIP with the reason, and returns 0.
# start_* may run in background subshells: run.sh sources "$STATE/env" once they are done.
#
# Cache: $SM_TS_CACHE (default ~/.cache/scylla-manager-ts). Works from scratch: Go servers come from the Go
# module proxy (go install), moto from PyPI into a venv, azurite from the project's npm devDependencies.

MINIO_VERSION="v0.0.0-20260212201848-7aac2a2c5b7c"
FAKE_GCS_VERSION="v1.56.1"
MOTO_VERSION="5.2.5"
# Prometheus's module tags are v0.<major><minor>.<patch>: v0.316.0 is Prometheus 3.16.0.
PROMTOOL_VERSION="v0.316.0"
GO_BUILD_TIMEOUT="${SM_EXT_GO_BUILD_TIMEOUT:-420}"
# From scratch here (2 cores, empty module and build caches) promtool builds in ~120 s with PROMTOOL_TAGS
# (~325 s without: the tags drop every service discovery but Consul's, and their cloud SDKs).
PROMTOOL_TAGS="remove_all_sd,enable_consul_sd"
PROMTOOL_BUILD_TIMEOUT="${SM_EXT_PROMTOOL_BUILD_TIMEOUT:-300}"

CACHE="${SM_TS_CACHE:-$HOME/.cache/scylla-manager-ts}"
ROOT="${ROOT:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}"
BUN="$ROOT/node_modules/.bin/bun"
STATE="${STATE:-$(mktemp -d "${TMPDIR:-/tmp}/sm-external-XXXXXX")}"
mkdir -p "$CACHE" "$STATE"

log() { echo "[external] $*" >&2; }

# setenv NAME=VALUE...: records variables for the test run (works from background subshells).
setenv() {
  local kv
  for kv in "$@"; do printf 'export %q\n' "$kv" >>"$STATE/env"; done
}

# free_port IP: a free TCP port on IP (asks the kernel via bun).
free_port() {
  "$BUN" -e "const s=require('node:net').createServer();s.listen(0,'$1',()=>{console.log(s.address().port);s.close()})"
}

# wait_http URL SECONDS: waits until URL answers with any HTTP status.
wait_http() {
  local url="$1" deadline=$((SECONDS + $2))
  while ((SECONDS < deadline)); do
    if curl -s -o /dev/null --max-time 2 "$url"; then return 0; fi
    sleep 0.3
  done
  return 1
}

# go_install MODULE VERSION NAME [TAGS]: builds a Go server once into the cache; prints the binary path.
# TAGS (comma-separated Go build tags) are part of the cache key.
go_install() {
  local module="$1" version="$2" name="$3" tags="${4:-}"
  local dir="$CACHE/go-bin/$name-$version${tags:+-${tags//,/-}}"
  local flags=()
  [[ -n "$tags" ]] && flags=(-tags "$tags")
  if [[ -x "$dir/$name" ]]; then echo "$dir/$name"; return 0; fi
  if ! command -v go >/dev/null; then log "go is not installed"; return 1; fi
  mkdir -p "$dir"
  local started=$SECONDS
  log "building $name $version with go install (first run only; cached in $dir)"
  # One Go build at a time (a lock in the cache): side by side on a small machine each took so long that one hit
  # its time limit and its suite skipped. The limit counts from when the build gets the lock.
  if ! GOBIN="$dir" GOTOOLCHAIN=local GOFLAGS=-buildvcs=false flock "$CACHE/.go-build.lock" timeout "$GO_BUILD_TIMEOUT" \
    go install "${flags[@]}" "$module@$version" >"$STATE/build-$name.log" 2>&1; then
    log "go install $module@$version failed or took over ${GO_BUILD_TIMEOUT}s (log: $STATE/build-$name.log)"
    tail -5 "$STATE/build-$name.log" >&2
    rm -rf "$dir"
    return 1
  fi
  log "built $name in $((SECONDS - started))s"
  echo "$dir/$name"
}

# remember PID: stop_all kills what was started here, by pid.
remember() {
  echo "$1" >>"$STATE/pids"
  disown "$1" 2>/dev/null || true
}

stop_all() {
  local group cstate
  if [[ -f "$STATE/cassandra-states" ]]; then
    while read -r cstate; do "$BUN" "$ROOT/test/external/cassandra/cli.ts" stop "$cstate"; done <"$STATE/cassandra-states"
  fi
  # Background installers (run with setsid by run.sh) are stopped as whole process groups first.
  if [[ -f "$STATE/groups" ]]; then
    while read -r group; do kill -- "-$group" 2>/dev/null; done <"$STATE/groups"
  fi
  if [[ -f "$STATE/pids" ]]; then
    while read -r pid; do kill "$pid" 2>/dev/null; done <"$STATE/pids"
    local deadline=$((SECONDS + 5))
    while read -r pid; do
      while kill -0 "$pid" 2>/dev/null && ((SECONDS < deadline)); do sleep 0.1; done
      kill -9 "$pid" 2>/dev/null
    done <"$STATE/pids"
  fi
  rm -rf "$STATE"
}

start_s3() {
  local ip=127.0.25.1 port key=smtestaccess secret=smtestsecret123
  port=$(free_port $ip) || port=9000
  local minio
  if [[ -z "${SM_EXT_FORCE_MOTO:-}" ]] && minio=$(go_install github.com/minio/minio "$MINIO_VERSION" minio); then
    mkdir -p "$STATE/minio"
    MINIO_ROOT_USER=$key MINIO_ROOT_PASSWORD=$secret MINIO_BROWSER=off \
      "$minio" server --quiet --address "$ip:$port" "$STATE/minio" >"$STATE/minio.log" 2>&1 &
    remember $!
    if wait_http "http://$ip:$port/minio/health/live" 30; then
      setenv SM_EXT_S3_ENDPOINT="http://$ip:$port" SM_EXT_S3_PROVIDER=Minio SM_EXT_S3_KEY=$key SM_EXT_S3_SECRET=$secret
      log "S3: MinIO on http://$ip:$port"
      return 0
    fi
    log "MinIO did not start: $(tail -3 "$STATE/minio.log")"
  fi
  # Fallback: moto's S3 server from PyPI (a venv in the cache).
  local venv="$CACHE/moto-$MOTO_VERSION"
  if [[ ! -x "$venv/bin/moto_server" ]]; then
    if ! command -v python3 >/dev/null; then
      setenv SM_EXT_S3_SKIP="neither MinIO (go install) nor moto (python3 missing) could be installed"
      return 0
    fi
    log "installing moto[server]==$MOTO_VERSION into $venv"
    if ! { python3 -m venv "$venv" && "$venv/bin/pip" install -q "moto[server]==$MOTO_VERSION"; } >"$STATE/moto-install.log" 2>&1; then
      rm -rf "$venv"
      setenv SM_EXT_S3_SKIP="neither MinIO nor moto could be installed: $(tail -1 "$STATE/moto-install.log")"
      return 0
    fi
  fi
  "$venv/bin/moto_server" -H $ip -p "$port" >"$STATE/moto.log" 2>&1 &
  remember $!
  if wait_http "http://$ip:$port/" 30; then
    setenv SM_EXT_S3_ENDPOINT="http://$ip:$port" SM_EXT_S3_PROVIDER=Other SM_EXT_S3_KEY=$key SM_EXT_S3_SECRET=$secret
    setenv SM_EXT_S3_SERVER=moto
    log "S3: moto on http://$ip:$port"
  else
    setenv SM_EXT_S3_SKIP="moto_server did not start: $(tail -1 "$STATE/moto.log")"
  fi
}

start_azurite() {
  local ip=127.0.26.1 port
  port=$(free_port $ip) || port=10000
  local bin="$ROOT/node_modules/azurite/dist/src/blob/main.js"
  if [[ ! -f "$bin" ]]; then
    setenv SM_EXT_AZURE_SKIP="azurite is not installed (run npm ci: it is a devDependency)"
    return 0
  fi
  local runtime=node
  command -v node >/dev/null || runtime="$BUN"
  mkdir -p "$STATE/azurite"
  "$runtime" "$bin" --blobHost $ip --blobPort "$port" --location "$STATE/azurite" --silent --skipApiVersionCheck \
    >"$STATE/azurite.log" 2>&1 &
  remember $!
  if wait_http "http://$ip:$port/devstoreaccount1?comp=list" 30; then
    setenv SM_EXT_AZURE_ENDPOINT="http://$ip:$port/devstoreaccount1"
    log "Azure: azurite on http://$ip:$port"
  else
    setenv SM_EXT_AZURE_SKIP="azurite did not start: $(tail -1 "$STATE/azurite.log")"
  fi
}

start_gcs() {
  local ip=127.0.27.1 port bin
  port=$(free_port $ip) || port=4443
  if ! bin=$(go_install github.com/fsouza/fake-gcs-server "$FAKE_GCS_VERSION" fake-gcs-server); then
    setenv SM_EXT_GCS_SKIP="fake-gcs-server could not be built with go install (see the log above)"
    return 0
  fi
  "$bin" -scheme http -host $ip -port "$port" -backend memory -external-url "http://$ip:$port" \
    -public-host "$ip:$port" -log-level error >"$STATE/gcs.log" 2>&1 &
  remember $!
  if wait_http "http://$ip:$port/storage/v1/b" 30; then
    setenv SM_EXT_GCS_ENDPOINT="http://$ip:$port"
    log "GCS: fake-gcs-server on http://$ip:$port"
  else
    setenv SM_EXT_GCS_SKIP="fake-gcs-server did not start: $(tail -1 "$STATE/gcs.log")"
  fi
}

# Apache Cassandra (one node on 127.6.0.1 with PasswordAuthenticator, user cassandra/cassandra; jars from Maven
# Central cached in $CACHE/cassandra-<version>): for the CQL store's suites. Started and stopped through test/external/cassandra/cli.ts; stop_all ends it via its state dir.
start_cassandra() {
  local out
  if ! out=$("$BUN" "$ROOT/test/external/cassandra/cli.ts" start --ips 127.6.0.1 --auth 2>"$STATE/cassandra.log"); then
    setenv SM_EXT_CASSANDRA_SKIP="Cassandra did not start: $(tail -3 "$STATE/cassandra.log" | tr '\n' ' ')"
    return 0
  fi
  eval "$out"
  echo "$CASSANDRA_STATE" >>"$STATE/cassandra-states"
  setenv SM_EXT_CASSANDRA_CONTACT_POINTS="$CASSANDRA_CONTACT_POINTS" SM_EXT_CASSANDRA_LOCAL_DC="$CASSANDRA_LOCAL_DC" \
    SM_EXT_CASSANDRA_USER="$CASSANDRA_USER" SM_EXT_CASSANDRA_PASSWORD="$CASSANDRA_PASSWORD"
  log "Cassandra: $CASSANDRA_CONTACT_POINTS:$CASSANDRA_PORT ($(grep -o 'after .*' "$STATE/cassandra.log" | tail -1))"
}

# Not a server: promtool (Prometheus's CLI) checks our /metrics output and a consul_sd_configs config.
install_promtool() {
  local bin
  if ! bin=$(GO_BUILD_TIMEOUT=$PROMTOOL_BUILD_TIMEOUT go_install github.com/prometheus/prometheus/cmd/promtool \
    "$PROMTOOL_VERSION" promtool "$PROMTOOL_TAGS"); then
    setenv SM_EXT_PROMTOOL_SKIP="promtool $PROMTOOL_VERSION could not be built with go install (no go, a build error, or over the ${PROMTOOL_BUILD_TIMEOUT}s limit SM_EXT_PROMTOOL_BUILD_TIMEOUT; see the log above)"
    return 0
  fi
  setenv SM_EXT_PROMTOOL="$bin"
  log "promtool: $bin"
}

# Executed (not sourced) with a function name: `servers.sh start_s3` (how run.sh runs installs in parallel).
if [[ "${BASH_SOURCE[0]}" == "$0" && $# -gt 0 ]]; then
  "$@"
fi
