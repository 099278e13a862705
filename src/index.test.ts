import { expect, test } from "bun:test";
import * as api from "./index.ts";

test("the public export names (review any change here)", () => {
  expect(Object.keys(api).sort()).toMatchInlineSnapshot(`
    [
      "Backup",
      "Cluster",
      "ClusterInputSchema",
      "ClusterService",
      "ConfigError",
      "ConflictError",
      "HealthCheck",
      "MANAGER_VERSION",
      "Manager",
      "ManagerApiClient",
      "ManagerApiError",
      "ManagerError",
      "NotFoundError",
      "One2OneRestore",
      "Repair",
      "RepairFailedError",
      "Restore",
      "ScyllaApiError",
      "ServerConfigSchema",
      "StoreError",
      "ValidationError",
      "createLogger",
      "createMemoryStore",
      "createSilentLogger",
      "defaultServerConfig",
      "errorMessage",
      "formatDuration",
      "formatGoDuration",
      "isManagerError",
      "isUuid",
      "loadServerConfig",
      "loadYamlConfig",
      "newTimeUuid",
      "newUuid",
      "openStore",
      "parseDuration",
      "parseNodesMapping",
      "resolveDataDir",
      "wrapError",
    ]
  `);
});
