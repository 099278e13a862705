import { expect, test } from "bun:test";
import { renderClusterAddBanner, renderClusterList } from "./cluster-render.ts";
import { drawTable, formatBytes } from "./cluster-table.ts";
import { renderClusterStatus, type StatusRow, shortVersion } from "./status-render.ts";

const table = (header: string[], rows: string[][]) => drawTable(header, rows, {});
const up = {
  status: "UN",
  ssl: false,
  cql_status: "UP",
  cql_rtt_ms: 2.6,
  rest_status: "UP",
  rest_rtt_ms: 1.2,
  total_ram: 16571158528,
  uptime: 853321,
  cpu_count: 4,
  scylla_version: "2025.1.0-0.20250101.abcdef",
  agent_version: "3.5.0",
};
const statuses: StatusRow[] = [
  { ...up, dc: "dc1", host: "127.0.100.1", host_id: "8bfd18f1-ac3b-4694-bcba-30bc272554df", ssl: true },
  {
    ...up,
    dc: "dc1",
    host: "127.0.100.2",
    host_id: "238acd01-813c-4c55-bd65-5219bb19bc20",
    rest_status: "TIMEOUT",
    rest_rtt_ms: 0,
    rest_cause: "GET /storage_service/scylla_release_version: timeout after 1000ms",
  },
  { dc: "dc2", host: "127.0.100.4", host_id: "bde4581a-b25e-49fc-8cd9-1651d7683f80", status: "DN" },
];

test("status: one table per DC, SSL marker, rounded RTTs, '-' for unchecked nodes, Errors block", () => {
  expect(renderClusterStatus(statuses, table, formatBytes)).toMatchInlineSnapshot(`
"Datacenter: dc1
╭────┬──────────────┬───────────────┬─────────────┬──────────┬──────┬───────────┬──────────┬───────┬──────────────────────────────────────╮
│    │ CQL          │ REST          │ Address     │ Uptime   │ CPUs │ Memory    │ Scylla   │ Agent │ Host ID                              │
├────┼──────────────┼───────────────┼─────────────┼──────────┼──────┼───────────┼──────────┼───────┼──────────────────────────────────────┤
│ UN │ UP SSL (3ms) │ UP (1ms)      │ 127.0.100.1 │ 237h2m1s │ 4    │ 15.433GiB │ 2025.1.0 │ 3.5.0 │ 8bfd18f1-ac3b-4694-bcba-30bc272554df │
│ UN │ UP (3ms)     │ TIMEOUT (0ms) │ 127.0.100.2 │ 237h2m1s │ 4    │ 15.433GiB │ 2025.1.0 │ 3.5.0 │ 238acd01-813c-4c55-bd65-5219bb19bc20 │
╰────┴──────────────┴───────────────┴─────────────┴──────────┴──────┴───────────┴──────────┴───────┴──────────────────────────────────────╯
Errors:
- 127.0.100.2 REST: GET /storage_service/scylla_release_version: timeout after 1000ms

Datacenter: dc2
╭────┬─────┬──────┬─────────────┬────────┬──────┬────────┬────────┬───────┬──────────────────────────────────────╮
│    │ CQL │ REST │ Address     │ Uptime │ CPUs │ Memory │ Scylla │ Agent │ Host ID                              │
├────┼─────┼──────┼─────────────┼────────┼──────┼────────┼────────┼───────┼──────────────────────────────────────┤
│ DN │ -   │ -    │ 127.0.100.4 │ -      │ -    │ -      │ -      │ -     │ bde4581a-b25e-49fc-8cd9-1651d7683f80 │
╰────┴─────┴──────┴─────────────┴────────┴──────┴────────┴────────┴───────┴──────────────────────────────────────╯
"
`);
});

test("status: the Alternator column appears only when a node reports it", () => {
  const text = renderClusterStatus(
    [{ ...up, dc: "dc1", host: "h", host_id: "id", alternator_status: "UP", alternator_rtt_ms: 4 }],
    table,
    formatBytes,
  );
  expect(text.split("\n")[2]).toContain("│ Alternator │ CQL");
  expect(text).toContain("│ UP (4ms)   │");
});

test("versions are shortened to their numeric part", () => {
  expect(shortVersion("2025.1.0-0.20250101.abcdef")).toBe("2025.1.0");
  expect(shortVersion("3.5.0-dev")).toBe("3.5.0");
  expect(shortVersion("dev")).toBe("dev");
});

test("cluster list: port 'default', credential markers, labels", () => {
  expect(
    renderClusterList(
      [
        { id: "1e0bf6b2-f5d6-4a54-bd0e-3e1bbd3c9a77", name: "prod", labels: { env: "prod" }, username: "set" },
        {
          id: "6bd0f1a2-0b1f-4a4e-8c52-6a6d5a1c8f10",
          name: "",
          port: 10002,
          username: "set",
          alternator_access_key_id: "set",
        },
      ],
      table,
    ),
  ).toMatchInlineSnapshot(`
"╭──────────────────────────────────────┬──────┬──────────┬─────────┬─────────────────╮
│ ID                                   │ Name │ Labels   │ Port    │ Credentials     │
├──────────────────────────────────────┼──────┼──────────┼─────────┼─────────────────┤
│ 1e0bf6b2-f5d6-4a54-bd0e-3e1bbd3c9a77 │ prod │ env=prod │ default │ CQL             │
│ 6bd0f1a2-0b1f-4a4e-8c52-6a6d5a1c8f10 │      │          │ 10002   │ CQL, Alternator │
╰──────────────────────────────────────┴──────┴──────────┴─────────┴─────────────────╯
"
`);
});

test("cluster add banner: clipper, export lines, no-token warning", () => {
  expect(
    renderClusterAddBanner({
      id: "c1bbabf3-cad1-4a59-ab8f-84e2a73b623f",
      name: "prod cluster",
      authToken: "",
      forceTlsDisabled: false,
      forceNonSslSessionPort: false,
    }),
  ).toMatchInlineSnapshot(`
" __  
/  \\     Cluster added! You can set it as default, by exporting its name or ID as env variable:
@  @     $ export SCYLLA_MANAGER_CLUSTER=c1bbabf3-cad1-4a59-ab8f-84e2a73b623f
|  |     $ export SCYLLA_MANAGER_CLUSTER="prod cluster"
|| |/
|| ||    Now run:
|\\_/|    $ sctool status -c "prod cluster"
\\___/    $ sctool tasks -c "prod cluster"

WARNING! Scylla data may be exposed
Protect it by specifying auth_token in /etc/scylla-manager-agent/scylla-manager-agent.yaml on Scylla nodes
"
`);
});

test("status: the Alternator column is decided once per cluster, so every DC table has it (as SM's managerclient ClusterStatus.Render)", () => {
  const text = renderClusterStatus(
    [
      { ...up, dc: "dc1", host: "h1", host_id: "id1", alternator_status: "UP", alternator_rtt_ms: 4 },
      { ...up, dc: "dc2", host: "h2", host_id: "id2" },
    ],
    table,
    formatBytes,
  );
  const headers = text.split("\n").filter((line) => line.includes("│ CQL"));
  expect(headers).toHaveLength(2);
  for (const header of headers) expect(header).toContain("│ Alternator │ CQL");
  expect(text).toContain("│ UN │ -          │ UP (3ms) │");
});

test("status: RTTs are printed as Go's %.0f, which rounds exact halves to even (SM's v3/pkg/managerclient/model.go)", () => {
  const cells = (rtt: number) =>
    renderClusterStatus([{ ...up, dc: "dc1", host: "h", host_id: "id", cql_rtt_ms: rtt }], table, formatBytes);
  expect(cells(2.5)).toContain("│ UP (2ms) │");
  expect(cells(3.5)).toContain("│ UP (4ms) │");
  expect(cells(0.5)).toContain("│ UP (0ms) │");
  expect(cells(2.51)).toContain("│ UP (3ms) │");
});

test("versions are shortened like SM's version.Short (hashicorp go-version segments, padded to 3)", () => {
  expect(shortVersion("5.4")).toBe("5.4.0");
  expect(shortVersion("v3.5.1")).toBe("3.5.1");
  expect(shortVersion("2024.1.03-0.20240101.abc")).toBe("2024.1.3");
  expect(shortVersion("3.5.0+build.7")).toBe("3.5.0");
  expect(shortVersion("666.development")).toBe("666.development");
  expect(shortVersion("3.5.0 rc")).toBe("3.5.0 rc");
});
