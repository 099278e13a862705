/**
 * The rclone-compatible rc server behind `/agent/rclone/<call>` (SM's `pkg/rclone/rcserver`): POST only, the whitelisted calls,
 * the JSON body merged over the query, `_async=true` jobs, SM's error bodies and the `unexposed_access` metric.
 * @module
 */
import type { Counter } from "prom-client";
import { CORE_CALLS } from "./calls/core.ts";
import { LIST_CALLS } from "./calls/list.ts";
import { OBJECT_LOCK_CALLS } from "./calls/object-lock.ts";
import { OPERATION_CALLS } from "./calls/operations.ts";
import { PERMISSION_CALLS } from "./calls/permissions.ts";
import { SYNC_CALLS } from "./calls/sync.ts";
import type { CallSpec, RcContext } from "./context.ts";
import { RcError, rcErrorResponse, statusOf } from "./errors.ts";
import { Params, readInput } from "./params.ts";

/** Every call the agent exposes (SM's `rclone_supported_calls` plus `operations/cat` and `operations/put`). */
export const RC_CALLS: ReadonlyMap<string, CallSpec> = new Map(
  Object.entries({
    ...CORE_CALLS,
    ...LIST_CALLS,
    ...OPERATION_CALLS,
    ...PERMISSION_CALLS,
    ...OBJECT_LOCK_CALLS,
    ...SYNC_CALLS,
  }),
);

/** SM answers unknown calls with Go's http.Error: this text and a newline. */
const NOT_FOUND_BODY = '{"message":"Not found","status":404}\n';

export interface RcRequest {
  request: Request;
  url: URL;
  /** Path after `/agent/rclone/`. */
  call: string;
  /** Caller's address, for the `unexposed_access` metric. */
  remoteAddress: string;
}

/** Distinct paths `unexposed_access` keeps as labels; later ones (and odd ones) count under one label. */
const MAX_UNEXPOSED_PATHS = 100;

/** Creates the rc request handler. */
export function createRcHandler(ctx: RcContext, unexposedAccess?: Counter<"addr" | "path">) {
  const seenPaths = new Set<string>();
  const unexposedPathLabel = (path: string): string => {
    if (seenPaths.has(path)) return path;
    if (path.length > 64 || !/^[\w/.-]+$/.test(path) || seenPaths.size >= MAX_UNEXPOSED_PATHS) return "other";
    seenPaths.add(path);
    return path;
  };
  return async function handleRc({ request, url, call, remoteAddress }: RcRequest): Promise<Response> {
    if (request.method !== "POST") {
      return withJobId(
        rcErrorResponse(
          call,
          null,
          new RcError(405, `method ${JSON.stringify(request.method)} not allowed: rc calls must be POST`),
        ),
        0,
      );
    }
    const spec = RC_CALLS.get(call);
    if (spec === undefined) {
      unexposedAccess?.inc({ addr: remoteAddress, path: unexposedPathLabel(url.pathname) });
      ctx.logger?.warn(`SECURITY call to unexported endpoint ${url.pathname} from ${remoteAddress}`);
      return new Response(NOT_FOUND_BODY, { status: 404, headers: { "content-type": "text/plain; charset=utf-8" } });
    }
    let input: Record<string, unknown> = {};
    try {
      input = await readInput(request, url, spec.rawBody ?? false);
      const params = new Params(input);
      // A raw-body call (put) reads the request body, which is gone once the job's response is sent: run it inline.
      if (params.bool("_async") && !spec.rawBody) {
        await spec.precheck?.({ ctx, params, group: "", signal: request.signal, request });
        const job = ctx.jobs.start(async (signal, group) => {
          const result = await spec.handler({ ctx, params, group, signal, request });
          if (result instanceof Response) {
            await result.body?.cancel();
            return {};
          }
          return result;
        });
        return withJobId(Response.json({ jobid: job.id }), job.id);
      }
      const result = await spec.handler({
        ctx,
        params,
        group: params.optionalString("_group"),
        signal: request.signal,
        request,
      });
      if (result instanceof Response) return withJobId(result, 0);
      return withJobId(Response.json(result), 0);
    } catch (error) {
      if (statusOf(error) >= 500)
        ctx.stats.recordError(
          input._group === undefined ? "" : String(input._group),
          (error as Error).message ?? String(error),
        );
      return withJobId(rcErrorResponse(call, input, error), 0);
    }
  };
}

function withJobId(response: Response, id: number): Response {
  response.headers.set("X-Rclone-Jobid", String(id));
  return response;
}
