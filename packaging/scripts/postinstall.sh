#!/bin/sh
# Both packages: the service user, its state directory, and (agent) access to Scylla's data through its group.
# Runs on install and upgrade; never touches a config file (the package manager keeps edited ones).
set -e
if ! getent group scylla-manager >/dev/null; then
  groupadd --system scylla-manager
fi
if ! getent passwd scylla-manager >/dev/null; then
  useradd --system --gid scylla-manager --home-dir /var/lib/scylla-manager --no-create-home \
    --shell /usr/sbin/nologin --comment "Scylla Manager" scylla-manager
fi
if getent group scylla >/dev/null; then
  usermod -a -G scylla scylla-manager
fi
install -d -o scylla-manager -g scylla-manager -m 0750 /var/lib/scylla-manager
for config in /etc/scylla-manager/scylla-manager.yaml /etc/scylla-manager-agent/scylla-manager-agent.yaml; do
  # Configs may hold secrets (auth_token, database password): readable by the service, not by everyone.
  if [ -f "$config" ]; then
    chgrp scylla-manager "$config"
    chmod 0640 "$config"
  fi
done
if command -v systemctl >/dev/null 2>&1 && [ -d /run/systemd/system ]; then
  systemctl daemon-reload || true
fi
echo "Scylla Manager: installed. Next steps: on each Scylla node 'sudo scylla-manager-agent setup'; on the manager host" \
  "'sudo systemctl enable --now scylla-manager', then 'sudo -u scylla-manager scylla-manager doctor'" \
  "(README: /usr/share/doc/scylla-manager-ts/README.md)."
