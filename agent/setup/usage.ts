/** Names and usage of the agent's set-up commands (kept apart so the daemon's start-up does not load them). */
export const SETUP_COMMANDS = ["setup", "token-gen", "ssl-cert-gen"] as const;

export const SETUP_USAGE = `Set-up commands:
  scylla-manager-agent setup [-c file] [--auth-token T] [--tls-cert-dir DIR]
                                     auth token, TLS certificate and Scylla API check; prints next steps
  scylla-manager-agent token-gen     print a new auth token
  scylla-manager-agent ssl-cert-gen [--dir DIR] [--host H]...
                                     write a self-signed certificate pair (default /etc/scylla-manager-agent)
`;
