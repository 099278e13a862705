/**
 * A keyspace's ring as non-wrapping pieces with their replicas, for replica lookups by token and ring coverage.
 * @module
 */
import type { ClusterState } from "../node-context.ts";
import type { TokenRange } from "../topology/ring.ts";
import { type TokenInterval, unwrap } from "./tokens.ts";

/** One non-wrapping piece of the ring and its replicas. */
export interface RingPiece extends TokenInterval {
  replicas: string[];
}

/** Converts describe_ring ranges to sorted non-wrapping pieces. */
export function toRingPieces(ranges: readonly TokenRange[]): RingPiece[] {
  const pieces = ranges.flatMap((r) =>
    unwrap(BigInt(r.start_token), BigInt(r.end_token)).map((i) => ({ ...i, replicas: [...r.endpoints] })),
  );
  return pieces.sort((a, b) => (a.start < b.start ? -1 : a.start > b.start ? 1 : 0));
}

/** The ring pieces of a vnode keyspace (as `localIp` sees it) or of a tablet table. */
export function ringPieces(cluster: ClusterState, keyspace: string, table: string | undefined, localIp: string) {
  return toRingPieces(cluster.describeRing(keyspace, table, localIp));
}

/** The piece holding `token` (the range `(start, end]` with start < token <= end). */
export function pieceOf(pieces: readonly RingPiece[], token: bigint): RingPiece | undefined {
  let lo = 0;
  let hi = pieces.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    const p = pieces[mid];
    if (p === undefined) break;
    if (token <= p.start) hi = mid - 1;
    else if (token > p.end) lo = mid + 1;
    else return p;
  }
  return undefined;
}
