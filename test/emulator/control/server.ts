/**
 * The control HTTP API on 127.0.0.1:<random> (what `cli.ts up` publishes as `control` in cluster.json):
 *
 * - `GET  /cluster` → the cluster.json document; `GET /ledger[?kind=repair|snapshot|load|fault]`; `GET /schema` → `{version}`
 * - `POST /nodes/{ip}/stop`, `POST /nodes/{ip}/start`
 * - `POST /nodes/{ip}/blackhole/{rest|cql|prometheus|alternator}`, `DELETE` the same to unblackhole
 * - `POST /faults/errors` `{ip?, path, regex?, status, body?, count?, method?}`; `POST /faults/latency` `{ip?, path, regex?, ms}`
 * - `DELETE /faults` → clears errors, latency and blackholes
 * @module
 */
import * as v from "valibot";
import type { Faults } from "../faults/faults.ts";
import type { PortKind } from "../faults/port-slot.ts";
import type { Ledger, LedgerKind } from "../ledger.ts";
import type { SchemaModel } from "../schema/model.ts";

/** What the control API needs from the cluster. */
export interface ControlTarget {
  faults: Faults;
  ledger: Ledger;
  schema: SchemaModel;
  ips(): string[];
  document(): unknown;
}

const ErrorBody = v.strictObject({
  ip: v.optional(v.string()),
  path: v.string(),
  regex: v.optional(v.boolean()),
  status: v.pipe(v.number(), v.integer(), v.minValue(100), v.maxValue(599)),
  body: v.optional(v.unknown()),
  count: v.optional(v.pipe(v.number(), v.integer(), v.minValue(1))),
  method: v.optional(v.string()),
});
const LatencyBody = v.strictObject({
  ip: v.optional(v.string()),
  path: v.string(),
  regex: v.optional(v.boolean()),
  ms: v.pipe(v.number(), v.minValue(0)),
});
const PORTS = ["rest", "cql", "prometheus", "alternator"];

const json = (value: unknown, status = 200) =>
  new Response(JSON.stringify(value), { status, headers: { "content-type": "application/json" } });

async function body<T extends v.GenericSchema>(request: Request, schema: T): Promise<v.InferOutput<T>> {
  const result = v.safeParse(schema, await request.json().catch(() => undefined));
  if (!result.success)
    throw new Error(
      `bad request body: ${result.issues.map((i) => `${i.path?.map((p) => String(p.key)).join(".") ?? ""} ${i.message}`).join("; ")}`,
    );
  return result.output;
}

/** Handles one control request. */
export async function handleControl(target: ControlTarget, request: Request): Promise<Response> {
  const url = new URL(request.url);
  const parts = url.pathname.split("/").filter(Boolean);
  const m = request.method;
  try {
    if (m === "GET" && url.pathname === "/cluster") return json(target.document());
    if (m === "GET" && url.pathname === "/schema") return json({ version: target.schema.version });
    if (m === "GET" && url.pathname === "/ledger") {
      const kind = url.searchParams.get("kind") as LedgerKind | null;
      return json(kind === null ? target.ledger.all() : target.ledger.of(kind));
    }
    if (parts[0] === "nodes" && parts[1] !== undefined) {
      const ip = parts[1];
      if (!target.ips().includes(ip)) return json({ message: `no node ${ip}` }, 404);
      if (m === "POST" && parts[2] === "stop" && parts.length === 3)
        return json(await target.faults.stopNode(ip).then(() => ({ ok: true })));
      if (m === "POST" && parts[2] === "start" && parts.length === 3)
        return json(await target.faults.startNode(ip).then(() => ({ ok: true })));
      if (parts[2] === "blackhole" && parts[3] !== undefined && PORTS.includes(parts[3])) {
        const port = parts[3] as PortKind;
        if (m === "POST") await target.faults.blackhole(ip, port);
        else if (m === "DELETE") await target.faults.unblackhole(ip, port);
        else return json({ message: "method not allowed" }, 405);
        return json({ ok: true });
      }
    }
    if (m === "POST" && url.pathname === "/faults/errors") {
      const b = await body(request, ErrorBody);
      const opts = {
        ...(b.count === undefined ? {} : { count: b.count }),
        ...(b.method === undefined ? {} : { method: b.method }),
      };
      target.faults.injectError(b.ip, b.regex ? new RegExp(b.path) : b.path, b.status, b.body, opts);
      return json({ ok: true });
    }
    if (m === "POST" && url.pathname === "/faults/latency") {
      const b = await body(request, LatencyBody);
      target.faults.setLatency(b.ip, b.regex ? new RegExp(b.path) : b.path, b.ms);
      return json({ ok: true });
    }
    if (m === "DELETE" && url.pathname === "/faults") {
      await target.faults.clear(target.ips());
      return json({ ok: true });
    }
    return json({ message: `unknown control route ${m} ${url.pathname}` }, 404);
  } catch (err) {
    return json({ message: err instanceof Error ? err.message : String(err) }, 400);
  }
}

/** Starts the control API on 127.0.0.1 (port 0 = random). */
export function startControlServer(target: ControlTarget, port = 0): { url: string; close(): void } {
  const server = Bun.serve({
    hostname: "127.0.0.1",
    port,
    development: false,
    // Bun turns SO_REUSEPORT on when development is off: a second server on the port would then share it silently.
    reusePort: false,
    fetch: (request) => handleControl(target, request),
  });
  return { url: `http://127.0.0.1:${server.port}`, close: () => server.stop(true) };
}
