import { expect, test } from "bun:test";
import { makeHealthcheckTasks } from "../cluster/default-tasks.ts";
import { createMemoryStore } from "../store/memory.ts";
import { ensureClusterServices } from "./wiring.ts";

test("at start-up, healthcheck crons that differ from the config are rewritten (SM's UpdateHealthcheckTasks)", async () => {
  const store = createMemoryStore();
  const old = makeHealthcheckTasks("6bd0f1a2-0b1f-4a4e-8c52-6a6d5a1c8f10", { cql_ping_cron: "*/15 * * * *" }, "UTC");
  for (const task of old) await store.putTask(task);
  const services = ensureClusterServices({
    store,
    config: {
      healthcheck: {
        max_timeout: 1_000,
        node_info_ttl: 300_000,
        cql_ping_cron: "* * * * *",
        rest_ping_cron: "*/2 * * * *",
        alternator_ping_cron: "* * * * *",
      },
    },
  });
  await services.ready;
  const tasks = await store.listTasks("6bd0f1a2-0b1f-4a4e-8c52-6a6d5a1c8f10");
  expect(Object.fromEntries(tasks.map((t) => [t.name, t.schedule.cron]))).toEqual({
    cql: "* * * * *",
    rest: "*/2 * * * *",
    alternator: "* * * * *",
  });
  // Same services for the same deps key.
  expect(ensureClusterServices({ store })).toBe(services);
});
