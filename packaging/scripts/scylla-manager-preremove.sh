#!/bin/sh
# Stops scylla-manager before its files go; configs, state and the service user stay (remove them by hand to purge).
set -e
if command -v systemctl >/dev/null 2>&1 && [ -d /run/systemd/system ] && systemctl is-active --quiet scylla-manager.service; then
  systemctl stop scylla-manager.service || true
fi
exit 0
