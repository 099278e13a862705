import { expect, test } from "bun:test";
import { JOB_EXPIRE_MS, JobRegistry } from "./jobs.ts";

test("job ids start at the start time in unix seconds and increase", async () => {
  const jobs = new JobRegistry({ startTime: new Date("2026-01-01T00:00:00Z") });
  const a = jobs.start(async () => ({ n: 1 }));
  const b = jobs.start(async () => {
    throw new Error("boom");
  });
  expect(a.id).toBe(Date.parse("2026-01-01T00:00:00Z") / 1000);
  expect(b.id).toBe(a.id + 1);
  await Promise.all([a.done, b.done]);
  expect(a).toMatchObject({ finished: true, success: true, error: "", output: { n: 1 } });
  expect(b).toMatchObject({ finished: true, success: false, error: "boom" });
  await jobs.close();
});

test("finished jobs expire after 12 h; running ones never", async () => {
  const jobs = new JobRegistry();
  const done = jobs.start(async () => ({}));
  const running = jobs.start((signal) => new Promise((resolve) => signal.addEventListener("abort", resolve)));
  await done.done;
  const end = done.endTime?.getTime() ?? 0;
  jobs.expire(end + JOB_EXPIRE_MS - 1000);
  expect(jobs.get(done.id)).toBeDefined();
  jobs.expire(end + JOB_EXPIRE_MS + 1000);
  expect(jobs.get(done.id)).toBeUndefined();
  expect(jobs.get(running.id)).toBeDefined();
  await jobs.close();
  expect(running).toMatchObject({ finished: true, success: false });
});
