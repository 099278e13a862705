/**
 * The root command of sctool / scylla-manager.
 * @module
 */
import type { AnyCommand } from "./command.ts";
import { commands } from "./commands/index.ts";

/** The root command for `program` (`sctool` or `scylla-manager`). */
export function createRootCommand(program: string): AnyCommand {
  const server =
    program === "sctool"
      ? ""
      : "\n\nRun the server with: scylla-manager --daemon [-c/--config-file <path>]... (`scylla-manager --version` prints the version).";
  return {
    meta: {
      name: program,
      description: `Scylla Manager (TypeScript).\n\nA drop-in for Scylla Manager's sctool; documentation of the commands is available online at https://manager.docs.scylladb.com/.${server}`,
    },
    subCommands: commands,
  };
}
