/**
 * `scylla_manager_server_leader{server, leader}`: 1 when this server leads, 0 when another one does (several
 * servers on one CQL store). Absent when the server always leads (SQLite, memory).
 * @module
 */
import { Gauge, type Registry } from "prom-client";
import type { LeaderInfo } from "../manager/leadership.ts";

export function registerLeaderMetrics(registry: Registry, source: { leaderInfo(): LeaderInfo | undefined }): void {
  new Gauge({
    name: "scylla_manager_server_leader",
    help: "1 when this server is the leader that schedules and runs tasks, 0 when another server is (label leader).",
    labelNames: ["server", "leader"],
    registers: [registry],
    collect() {
      this.reset();
      const info = source.leaderInfo();
      if (info) this.set({ server: info.self, leader: info.leader }, info.isLeader ? 1 : 0);
    },
  });
}
