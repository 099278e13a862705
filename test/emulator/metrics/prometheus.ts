/**
 * Scylla's Prometheus endpoint (`<ip>:9180/metrics`): per-shard families in the text exposition format, with
 * Scylla's `?name=` prefix filter (matched against the name without the `scylla_` prefix, and the full name).
 * @module
 */
import type { RequestFaults } from "../faults/faults.ts";
import type { Closable } from "../faults/port-slot.ts";
import type { NodeContext } from "../node-context.ts";

interface Family {
  name: string;
  help: string;
  type: "counter" | "gauge";
  samples(shard: number): Array<[Record<string, string>, number]>;
}

function families(node: NodeContext, startedAt: number): Family[] {
  const s = node.settings;
  const uptime = () => Math.max(0, (Date.now() - startedAt) / 1000);
  const perShard =
    (v: (shard: number) => number) =>
    (shard: number): Array<[Record<string, string>, number]> => [[{}, v(shard)]];
  const ownBytes = () => node.cluster.schema.columnFamilies().reduce((sum, t) => sum + t.sizeBytes, 0);
  return [
    {
      name: "scylla_database_total_writes",
      help: "Counts the total number of successful write operations performed by this shard.",
      type: "counter",
      samples: perShard((i) => Math.floor(1000 + uptime() * (37 + i))),
    },
    {
      name: "scylla_database_total_reads",
      help: "Counts the total number of successful user reads on this shard.",
      type: "counter",
      samples: perShard((i) => Math.floor(800 + uptime() * (29 + i))),
    },
    {
      name: "scylla_memory_total_memory",
      help: "total memory",
      type: "gauge",
      samples: perShard(() => s.memoryPerShard),
    },
    {
      name: "scylla_memory_allocated_memory",
      help: "Allocated memory size in bytes",
      type: "gauge",
      samples: perShard(() => Math.floor(s.memoryPerShard * 0.6)),
    },
    { name: "scylla_reactor_utilization", help: "CPU utilization", type: "gauge", samples: perShard((i) => 2 + i) },
    {
      name: "scylla_transport_requests_served",
      help: "Counts the number of served requests.",
      type: "counter",
      samples: perShard((i) => Math.floor(uptime() * (11 + i))),
    },
    {
      name: "scylla_cache_bytes_used",
      help: "current bytes used by the cache (in bytes)",
      type: "gauge",
      samples: perShard(() => Math.floor(ownBytes() / Math.max(1, s.shards) / 10)),
    },
    {
      name: "scylla_scylladb_current_version",
      help: "Current ScyllaDB version.",
      type: "gauge",
      samples: (shard) => (shard === 0 ? [[{ version: s.version }, 0]] : []),
    },
  ];
}

/** Renders the text exposition, filtered by the `name` prefix when given. */
export function renderMetrics(node: NodeContext, startedAt: number, name?: string | null): string {
  const lines: string[] = [];
  for (const f of families(node, startedAt)) {
    if (name && !f.name.startsWith(name) && !f.name.slice("scylla_".length).startsWith(name)) continue;
    lines.push(`# HELP ${f.name} ${f.help}`, `# TYPE ${f.name} ${f.type}`);
    for (let shard = 0; shard < node.settings.shards; shard++) {
      for (const [labels, value] of f.samples(shard)) {
        const all = { ...labels, shard: String(shard) };
        const text = Object.entries(all)
          .map(([k, v]) => `${k}="${v}"`)
          .join(",");
        lines.push(`${f.name}{${text}} ${value}`);
      }
    }
  }
  return `${lines.join("\n")}\n`;
}

/** Listens on `<ip>:<prometheusPort>`; only `/metrics` exists. */
export function startMetricsServer(node: NodeContext, faults?: RequestFaults): Closable {
  const startedAt = Date.now();
  const server = Bun.serve({
    hostname: node.ip,
    port: node.settings.prometheusPort,
    idleTimeout: 0,
    development: false,
    // Bun turns SO_REUSEPORT on when development is off: a second server on the port would then share it silently.
    reusePort: false,
    async fetch(request) {
      const url = new URL(request.url);
      const fault = faults?.check(node.ip, request.method, `metrics:${url.pathname}`);
      if (fault !== undefined && fault.delayMs > 0) await Bun.sleep(fault.delayMs);
      if (fault?.error !== undefined)
        return new Response(JSON.stringify(fault.error.body), { status: fault.error.status });
      if (url.pathname !== "/metrics") return new Response("Not found", { status: 404 });
      return new Response(renderMetrics(node, startedAt, url.searchParams.get("name")), {
        headers: { "content-type": "text/plain; version=0.0.4" },
      });
    },
  });
  return { close: () => server.stop(true) };
}
