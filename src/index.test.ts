import { expect, test } from "bun:test";
import * as api from "./index.ts";

test("the public export names (review any change here)", () => {
  expect(Object.keys(api).sort()).toMatchInlineSnapshot(`
    [
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
      "resolveDataDir",
      "wrapError",
    ]
  `);
});
