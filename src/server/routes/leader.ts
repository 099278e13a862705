/**
 * `GET /api/v1/leader` (extension beyond SM): which server leads when several share one CQL store.
 * `{ self, leader, leader_address, is_leader, lease_expires_at }`; a server that always leads (SQLite, memory)
 * answers `is_leader: true` with empty ids.
 * @module
 */
import type { Hono } from "hono";
import * as v from "valibot";
import type { ServerDeps } from "../deps.ts";
import { API_PREFIX } from "./clusters.ts";

/** The answer of GET /leader (extension). */
export const LeaderSchema = v.object({
  self: v.string(),
  leader: v.string(),
  leader_address: v.string(),
  is_leader: v.boolean(),
  lease_expires_at: v.nullable(v.string()),
});

export function registerLeaderRoutes(app: Hono, deps: Pick<ServerDeps, "manager">): void {
  app.get(`${API_PREFIX}/leader`, (c) => {
    const info = deps.manager?.leaderInfo();
    const answer: v.InferOutput<typeof LeaderSchema> = {
      self: info?.self ?? "",
      leader: info?.leader ?? "",
      leader_address: info?.leaderAddress ?? "",
      is_leader: info?.isLeader ?? true,
      lease_expires_at: info?.leaseExpiresAt ?? null,
    };
    return c.json(answer);
  });
}
