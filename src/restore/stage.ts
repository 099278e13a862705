/**
 * The restore stages (SM's `pkg/service/restore/stage.go`) in execution order, their progress descriptions, and the
 * resume rule: a run that continues a previous one skips the stages before the one the previous run reached.
 * @module
 */

/** Restore stages, SM's wire strings. */
export const RESTORE_STAGES = [
  "INIT",
  "DROP_VIEWS",
  "DISABLE_TGC",
  "DATA",
  "REPAIR",
  "ENABLE_TGC",
  "RECREATE_VIEWS",
  "DONE",
] as const;

export type RestoreStage = (typeof RESTORE_STAGES)[number];

/** What `sctool progress` shows after the status, e.g. `RUNNING (restoring backed-up data)`. */
export const RESTORE_STAGE_DESCRIPTIONS: Record<RestoreStage, string> = {
  INIT: "initialising",
  DROP_VIEWS: "dropping restored views",
  DISABLE_TGC: "disabling restored tables tombstone_gc",
  DATA: "restoring backed-up data",
  REPAIR: "repairing restored tables",
  ENABLE_TGC: "enabling restored tables tombstone_gc",
  RECREATE_VIEWS: "recreating restored views",
  DONE: "",
};

/** Position of a stage in {@link RESTORE_STAGES}; -1 for an unknown string. */
export function stageIndex(stage: string): number {
  return (RESTORE_STAGES as readonly string[]).indexOf(stage);
}

/** Whether `stage` is one of SM's restore stages. */
export function isRestoreStage(stage: string): stage is RestoreStage {
  return stageIndex(stage) >= 0;
}

/**
 * The stages a run executes, in order, between INIT and DONE (both excluded: INIT is the target/units setup that
 * every run does, DONE is only recorded). `resumeFrom` is the stage a continued run starts at (the previous run's
 * stage); stages before it are skipped, the stage itself is run again (its work is idempotent or resumable).
 */
export function stagesToRun(resumeFrom: RestoreStage = "INIT"): RestoreStage[] {
  const from = Math.max(stageIndex(resumeFrom), stageIndex("DROP_VIEWS"));
  return RESTORE_STAGES.filter((stage, i) => i >= from && stage !== "DONE");
}
