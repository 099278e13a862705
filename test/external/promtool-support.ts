/**
 * Helpers of promtool.test.ts: run promtool without blocking the event loop (the daemon and the agents it talks to
 * live in the test process), read its lint output, and write the Consul SD prometheus.yml.
 * @module
 */

/** promtool's exit code and its stdout and stderr, interleaved as one text. */
export interface PromtoolResult {
  code: number;
  output: string;
}

/** Runs `bin args...`, feeding `stdin` when given; killed after `timeoutMs`. */
export async function runPromtool(
  bin: string,
  args: readonly string[],
  stdin?: string,
  timeoutMs = 30_000,
): Promise<PromtoolResult> {
  const child = Bun.spawn([bin, ...args], {
    stdin: stdin === undefined ? "ignore" : new Blob([stdin]),
    stdout: "pipe",
    stderr: "pipe",
    timeout: timeoutMs,
  });
  const [stdout, stderr, code] = await Promise.all([
    new Response(child.stdout).text(),
    new Response(child.stderr).text(),
    child.exited,
  ]);
  return { code, output: `${stdout}${stderr}` };
}

/**
 * Splits `promtool check metrics` output into its problems (one per line: `<metric> <problem>`, or a parse
 * error) and those not in `known`.
 */
export function diffLintProblems(output: string, known: readonly string[]): { problems: string[]; added: string[] } {
  const problems = output
    .split("\n")
    .map((line) => line.trim())
    .filter((line) => line !== "");
  return { problems, added: problems.filter((problem) => !known.includes(problem)) };
}

/**
 * A prometheus.yml scraping every Scylla node our Consul SD endpoints list (`server` = `host:port` of the
 * Prometheus listener), relabelled from what the endpoints send: instance from the node, dc and cluster from the service metadata.
 */
export function buildConsulSdConfig(server: string): string {
  return `global:
  scrape_interval: 20s
  evaluation_interval: 20s
scrape_configs:
  - job_name: scylla
    honor_labels: false
    consul_sd_configs:
      - server: "${server}"
        services: [scylla]
        refresh_interval: 30s
    relabel_configs:
      - source_labels: [__meta_consul_node]
        target_label: instance
      - source_labels: [__meta_consul_service_metadata_dc]
        target_label: dc
      - source_labels: [__meta_consul_service_metadata_cluster_name]
        target_label: cluster
`;
}

/** One target of `promtool check service-discovery` (its JSON output). */
export interface SdTarget {
  discoveredLabels: Record<string, string>;
  labels: Record<string, string>;
  error: string | null;
}

/** Reads `promtool check service-discovery` output: a JSON array of targets (stderr lines around it ignored). */
export function parseSdTargets(output: string): SdTarget[] {
  const start = output.indexOf("[");
  const end = output.lastIndexOf("]");
  if (start < 0 || end < start) throw new Error(`no JSON target list in promtool output:\n${output}`);
  return JSON.parse(output.slice(start, end + 1)) as SdTarget[];
}
