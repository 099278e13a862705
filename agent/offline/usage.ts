/** Usage of the agent's offline commands (kept apart so the daemon's start-up does not load them). */

export const OFFLINE_USAGE = `Offline commands:
  scylla-manager-agent download-files -L <location> [flags]
                                     list nodes and snapshots in a backup location, print a node's manifest or
                                     tokens, or download its files of a snapshot into a data dir (restore by hand)
  scylla-manager-agent benchmark -L <location> -d <scenario dirs> [flags]
                                     measure upload speed from this node to a location
  scylla-manager-agent benchmark create-scenario -d <dir> (--default | -s <MiB> -c <count>)
                                     create the files of a benchmark scenario
  Run a command with --help for its flags.
`;
