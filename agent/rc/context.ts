import type { Logger } from "../../src/util/log.ts";
import type { Backend } from "../providers/provider.ts";
import type { BandwidthLimiter } from "../transfer/bwlimit.ts";
import type { TransferPool } from "../transfer/pool.ts";
import type { JobRegistry } from "./jobs.ts";
import type { Params } from "./params.ts";
import type { StatsRegistry } from "./stats.ts";

/** What every rc call can reach: the agent's backends and its shared transfer machinery. */
export interface RcContext {
  backends: Map<string, Backend>;
  stats: StatsRegistry;
  jobs: JobRegistry;
  /** One token bucket for every transfer (`core/bwlimit`, `bandwidth_rate`). */
  limiter: BandwidthLimiter;
  /** One concurrency gate for every transfer (`core/transfers`, `transfers`). */
  pool: TransferPool;
  /** `rclone.transfers` from the YAML: what `transfers: -1` means. */
  defaultTransfers: number;
  logger?: Logger;
}

/** One call's environment. */
export interface CallEnv {
  ctx: RcContext;
  params: Params;
  /** Stats group: `job/<id>` for async calls, `_group` or "" otherwise. */
  group: string;
  signal: AbortSignal;
  request: Request;
}

/** A JSON result, or a ready response for streamed answers (`operations/list`, `operations/cat`). */
export type CallResult = Record<string, unknown> | Response;

export type CallHandler = (env: CallEnv) => Promise<CallResult>;

/** One exposed rc call. */
export interface CallSpec {
  handler: CallHandler;
  /** The body is the payload (`operations/put`): params come from the query only. */
  rawBody?: boolean;
  /** Checks run before an `_async` job is started, so bad input is a 4xx answer rather than a failed job. */
  precheck?: (env: CallEnv) => Promise<void>;
}
