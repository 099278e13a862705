/**
 * The flags of `sctool restore --in-process`, apart from the run itself (restore-local.ts), which `restore` imports
 * only when the flag is given: a client command never loads the cluster client and the CQL driver.
 * @module
 */

/** Connection flags of the in-process mode. */
export const inProcessArgs = {
  "in-process": {
    type: "boolean",
    description: "Run the restore in this process against --host (no server), with live progress.",
  },
  host: { type: "string", description: "With --in-process: any node of the cluster (its agent)." },
  "auth-token": { type: "string", description: "With --in-process: the agents' auth token." },
  port: { type: "string", description: "With --in-process: the agents' port. (default 10001)" },
  username: { type: "string", alias: "u", description: "With --in-process: CQL user name." },
  password: { type: "string", alias: "p", description: "With --in-process: CQL password." },
} as const;
