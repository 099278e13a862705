#!/usr/bin/env bash
# Provides Scylla Manager's own binaries (sctool, scylla-manager-agent, scylla-manager) for the interop tier and
# prints the directory that holds them as the last line of stdout. Exit 0 with that line, or exit 3 with the reason
# on stderr when there is no way to get them (the tier then skips and prints the reason).
#
# Where they come from, in order:
#   1. $SM_BIN_DIR, when it holds all three executables (built elsewhere, e.g. `make build` in SM's checkout).
#   2. The cache, ${SM_CACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/scylla-manager-ts/sm}/<commit>/, filled by 3.
#   3. A build from a local git directory of SM's public source (github.com/scylladb/scylla-manager), by default
#      $SM_SOURCE_GIT_DIR or scylla-manager.git beside this checkout (a bare clone is enough): `git archive` of
#      its HEAD (or $SM_COMMIT) into a scratch dir outside the repository, then
#      `CGO_ENABLED=0 go build -trimpath -mod=vendor` of ./pkg/cmd/{sctool,agent,scylla-manager} with SM's vendored
#      modules and GOPROXY=off (no network). About 70 s per binary on a cold Go cache; once per commit.
#
# The changes made to SM's source before building, both only where Apache Cassandra 5 (on which the tier runs SM's
# server) differs from ScyllaDB, and both only in the server (sctool and the agent are built from SM's source as is):
#   1. SM's migration schema/007-task_properties_as_blob.cql drops scheduler_task.properties (map<text,text>) and
#      re-adds it as blob. Cassandra refuses to re-add a dropped column with another type, so the scratch copy's 007
#      drops and re-creates the table with the blob column instead (on the fresh database the tier uses the result
#      is the same table).
#   2. When a restore task is validated before it exists (`sctool restore`, POST .../tasks), SM's
#      pkg/service/restore/worker.go decorateWithPrevRun looks up the previous run with task_id bound to null (the
#      nil UUID). ScyllaDB answers such a condition with no rows (so SM carries on); Cassandra refuses it ("Invalid
#      null value in condition for column task_id"). The scratch copy returns early for the nil task id, which is
#      what the no-rows answer leads to on ScyllaDB.
# SERVER_PATCHES names this set; a cached server built with another set is rebuilt (alone).
set -euo pipefail

names=(sctool scylla-manager-agent scylla-manager)
SERVER_PATCHES="cassandra-007,restore-nil-task"

have_all() {
  local dir=$1
  for n in "${names[@]}"; do [[ -x "$dir/$n" ]] || return 1; done
}

# The binaries of the cache dir $1 that must be (re)built: the missing ones, and the server when its patches differ.
missing() {
  local dir=$1
  for n in "${names[@]}"; do
    if [[ ! -x "$dir/$n" ]] || { [[ $n == scylla-manager ]] && [[ "$(cat "$dir/SERVER_PATCHES" 2>/dev/null)" != "$SERVER_PATCHES" ]]; }; then
      echo "$n"
    fi
  done
}

if [[ -n "${SM_BIN_DIR:-}" ]]; then
  if have_all "$SM_BIN_DIR"; then
    echo "$SM_BIN_DIR"
    exit 0
  fi
  echo "SM_BIN_DIR=$SM_BIN_DIR lacks one of: ${names[*]}" >&2
  exit 3
fi

src=${SM_SOURCE_GIT_DIR:-$(cd "$(dirname "$0")/../../.." && pwd)/scylla-manager.git}
if ! git --git-dir="$src" rev-parse --verify -q "${SM_COMMIT:-HEAD}^{commit}" >/dev/null 2>&1; then
  echo "no SM binaries: set SM_BIN_DIR to a directory with ${names[*]}, or SM_SOURCE_GIT_DIR to a git dir of scylladb/scylla-manager (none at $src)" >&2
  exit 3
fi
commit=$(git --git-dir="$src" rev-parse "${SM_COMMIT:-HEAD}^{commit}")
cache_root=${SM_CACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/scylla-manager-ts/sm}
out="$cache_root/$commit"
if [[ -z "$(missing "$out")" ]]; then
  echo "$out"
  exit 0
fi
if ! command -v go >/dev/null 2>&1; then
  echo "no SM binaries cached in $out and no Go toolchain to build them from $src" >&2
  exit 3
fi

mkdir -p "$cache_root"
# One build at a time per cache (a second caller waits, then finds the binaries).
exec 9>"$cache_root/.build.lock"
flock 9
mapfile -t build < <(missing "$out")
if [[ ${#build[@]} -eq 0 ]]; then
  echo "$out"
  exit 0
fi

scratch=$(mktemp -d "${TMPDIR:-/tmp}/sm-src-XXXXXX")
trap 'chmod -R u+w "$scratch" 2>/dev/null; rm -rf "$scratch"' EXIT
git --git-dir="$src" archive "$commit" | tar -x -C "$scratch"

# See the header: Cassandra 5 refuses 007's re-add of a dropped column with another type.
if grep -q "ADD properties BLOB" "$scratch/schema/007-task_properties_as_blob.cql"; then
  create=$(awk '/CREATE TABLE IF NOT EXISTS scheduler_task \(/,/\);/' "$scratch/schema/001-init_scheduler.cql" |
    sed 's/properties map<text, text>/properties blob/')
  cat >"$scratch/schema/007-task_properties_as_blob.cql" <<EOF
-- Scheduler (patched by scylla-manager-ts test/interop/build-sm.sh for Apache Cassandra 5, which refuses to re-add
-- a dropped column with another type: the table is re-created with properties as blob instead).

DROP TABLE scheduler_task;

${create}
EOF
fi

# See the header: Cassandra refuses the null task_id SM's restore binds while validating a task not yet created.
worker="$scratch/pkg/service/restore/worker.go"
if grep -q '^func (w \*worker) decorateWithPrevRun(ctx context.Context) error {$' "$worker"; then
  sed -i 's/^func (w \*worker) decorateWithPrevRun(ctx context.Context) error {$/&\n\tif w.run.TaskID == uuid.Nil { \/\/ patched by scylla-manager-ts test\/interop\/build-sm.sh for Cassandra\n\t\treturn nil\n\t}/' "$worker"
else
  echo "build-sm.sh: SM's restore worker changed (no decorateWithPrevRun); the restore patch is not applied" >&2
fi

version=$(git --git-dir="$src" describe --tags "$commit" 2>/dev/null || echo "Snapshot-${commit:0:12}")
tmp_out="$out.tmp.$$"
mkdir -p "$tmp_out"
# Keep what need not be rebuilt.
for n in "${names[@]}"; do
  if [[ ! " ${build[*]} " == *" $n "* ]]; then cp -p "$out/$n" "$tmp_out/$n"; fi
done
(
  cd "$scratch"
  export CGO_ENABLED=0 GOFLAGS=-mod=vendor GOPROXY=off GOTOOLCHAIN=local GOWORK=off
  ldflags="-X github.com/scylladb/scylla-manager/v3/pkg.version=$version"
  for pair in sctool:sctool scylla-manager-agent:agent scylla-manager:scylla-manager; do
    name=${pair%%:*}
    pkg=${pair#*:}
    [[ " ${build[*]} " == *" $name "* ]] || continue
    echo "building SM's $name ($version) from $src" >&2
    start=$SECONDS
    go build -trimpath -ldflags "$ldflags" -o "$tmp_out/$name" "./pkg/cmd/$pkg" >&2
    echo "built $name in $((SECONDS - start))s" >&2
  done
)
echo "$commit" >"$tmp_out/COMMIT"
echo "$version" >"$tmp_out/VERSION"
echo "$SERVER_PATCHES" >"$tmp_out/SERVER_PATCHES"
rm -rf "$out"
mv "$tmp_out" "$out"
echo "$out"
