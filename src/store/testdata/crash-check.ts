// The crash tests' check: after crash-writer.ts was killed, every group it wrote must be complete or absent, and the
// counter must equal the number of groups. Returns what is wrong (empty when consistent) and the counter.
import type { Store } from "../store.ts";
import { CLUSTER, TASK } from "./crash-writer.ts";

export async function checkCrashGroups(store: Store): Promise<{ count: number; problems: string[] }> {
  const problems: string[] = [];
  const counter = (await store.getDrawer(CLUSTER, "counter")) as { count: number; lastRunId: string } | undefined;
  if (!counter) return { count: 0, problems: ["no counter"] };
  const runs = await store.listRuns(CLUSTER, "repair", TASK, 0);
  if (runs.length !== counter.count) problems.push(`${runs.length} runs, counter ${counter.count}`);
  if (runs[0]?.id !== counter.lastRunId) problems.push(`newest run ${runs[0]?.id}, counter names ${counter.lastRunId}`);
  const summaries = await store.listServiceRuns("repair_run", CLUSTER, TASK, 0);
  if (summaries.length !== counter.count) problems.push(`${summaries.length} summaries, counter ${counter.count}`);
  const groups = new Set<number>();
  for (const summary of summaries) {
    const { group, rowCount } = summary.value as { group: number; rowCount: number };
    groups.add(group);
    const rows = await store.listProgress("repair_run_progress", CLUSTER, TASK, summary.runId);
    if (rows.length !== rowCount) problems.push(`group ${group}: ${rows.length} of ${rowCount} progress rows`);
    if (!rows.every((row) => (row.value as { group: number }).group === group)) {
      problems.push(`group ${group}: progress rows of another group`);
    }
    if (!(await store.getRun(CLUSTER, "repair", TASK, summary.runId))) problems.push(`group ${group}: no run`);
  }
  // groups 0..count-1, each exactly once
  if (groups.size !== counter.count || (counter.count > 0 && Math.max(...groups) !== counter.count - 1)) {
    problems.push(`groups ${[...groups].sort((a, b) => a - b).join(",")} for counter ${counter.count}`);
  }
  return { count: counter.count, problems };
}
