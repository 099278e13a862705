/**
 * The version this build reports (`GET /version`, `sctool version`, the `scylla_manager_server_current_version` gauge).
 * @module
 */
import pkg from "../../package.json" with { type: "json" };

/** The server and CLI version, taken from package.json at build time. */
export const MANAGER_VERSION: string = pkg.version;
