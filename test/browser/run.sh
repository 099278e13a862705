#!/usr/bin/env bash
# The browser tier: the console and the API explorer in headless Chromium (test/browser/console.test.ts).
# Installs Debian's chromium when it is missing (once, under the machine's heavy-work lock when there is one);
# when it cannot, the tests are skipped with the reason printed and this script still exits 0.
set -uo pipefail
ROOT="$(cd "$(dirname "$0")/../.." && pwd)"
cd "$ROOT"
BUN="$ROOT/node_modules/.bin/bun"
started=$SECONDS

chromium_path() {
  for candidate in "${CHROMIUM_PATH:-}" /usr/bin/chromium /usr/bin/chromium-browser; do
    if [[ -n "$candidate" && -x "$candidate" ]]; then
      echo "$candidate"
      return 0
    fi
  done
  return 1
}

install_chromium() {
  command -v apt-get >/dev/null || return 1
  local sudo=""
  [[ $(id -u) -ne 0 ]] && sudo="sudo -n"
  local lock="${HOME}/.cache/scylla-manager-ts/install.lock"
  mkdir -p "$(dirname "$lock")" 2>/dev/null || true
  local run=(bash -c "$sudo apt-get update -qq && DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends chromium fonts-dejavu-core")
  if [[ -w "$(dirname "$lock")" ]]; then flock "$lock" "${run[@]}"; else "${run[@]}"; fi
}

if ! chromium_path >/dev/null; then
  echo "[browser] installing Debian's chromium (first run only)..."
  if ! install_chromium >/tmp/sm-browser-apt.log 2>&1; then
    echo "[browser] SKIPPED: chromium could not be installed (see /tmp/sm-browser-apt.log)"
    exit 0
  fi
fi
CHROMIUM_PATH="$(chromium_path)" || {
  echo "[browser] SKIPPED: no chromium after installing it"
  exit 0
}
export CHROMIUM_PATH SM_BROWSER_TESTS=1
export SM_BROWSER_ARTIFACTS="${SM_BROWSER_ARTIFACTS:-$ROOT/.tmp/browser-artifacts}"
echo "[browser] $("$CHROMIUM_PATH" --version 2>/dev/null); screenshots in $SM_BROWSER_ARTIFACTS"
"$BUN" test --timeout 600000 test/browser/console.test.ts
rc=$?
echo "[browser] took $((SECONDS - started))s (exit $rc)"
exit "$rc"
