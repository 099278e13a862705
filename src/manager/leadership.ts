/**
 * Several servers on one store: exactly one leads (schedules and runs tasks), the others serve the REST API from
 * the store and hand start/stop requests to the leader. A `LeaderElector` (e.g. the CQL store's lease) says who
 * leads; the Manager reacts to its callbacks.
 * @module
 */

/** Who leads, as the status API and metrics show it. */
export interface LeaderInfo {
  /** This server's id (host/pid/random). */
  self: string;
  /** The leader's id, "" when nobody holds the lease. */
  leader: string;
  /** The leader's advertised API address ("" when unknown). */
  leaderAddress: string;
  isLeader: boolean;
  /** When the current lease ends (ISO), null when nobody holds it. */
  leaseExpiresAt: string | null;
}

export interface LeaderCallbacks {
  /** This server now leads: take over (abort the old leader's runs, schedule everything). */
  onElected(): Promise<void>;
  /** This server no longer leads (lost or could not renew the lease): stop every run now. */
  onDemoted(reason: string): Promise<void>;
}

export interface LeaderElector {
  start(callbacks: LeaderCallbacks): void;
  isLeader(): boolean;
  info(): LeaderInfo;
  /** Gives up leadership (releasing the lease) and stops electing. */
  stop(): Promise<void>;
}

/**
 * Where followers leave start/stop requests for the leader (a generic progress row set of the store); the leader
 * deletes each row once it acted on it.
 */
export const LEADER_REQUEST_KIND = "scheduler_request";
export const LEADER_REQUEST_SCOPE = { clusterId: "leader", taskId: "requests", runId: "queue" } as const;

/**
 * Where the leader publishes what its scheduler knows of each task (next activation, retry, running), one row per
 * task keyed by `clusterId/type/id`, so task listings through other servers show it too.
 */
export const LEADER_SCHEDULE_KIND = "scheduler_schedule";
export const LEADER_SCHEDULE_SCOPE = { clusterId: "leader", taskId: "schedule", runId: "current" } as const;

/** A start, stop, suspend or resume request a follower hands to the leader. */
export interface LeaderRequest {
  op: "start" | "stop" | "suspend" | "resume";
  clusterId: string;
  /** start/stop: the task. */
  type: string;
  taskId: string;
  noContinue?: boolean;
  /** suspend: the options of `SuspendService.suspend`. */
  suspend?: { allowTaskType?: string; policy?: "stop_running_tasks" | "fail_if_running_tasks" };
  /** resume: the options of `SuspendService.resume`. */
  resume?: { startTasks?: boolean; startTasksMissedActivation?: boolean };
  /** Set by leaders of earlier versions once acted on (they kept the row); such rows are deleted unread. */
  done?: boolean;
  from: string;
}
