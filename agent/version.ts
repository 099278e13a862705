import pkg from "../package.json" with { type: "json" };

/** The agent's version, as `GET /version`, `node_info.agent_version` and `--version` report it. */
export const AGENT_VERSION: string = pkg.version;
