import { expect, test } from "bun:test";
import { scheduleFromSm } from "./read.ts";

test("an imported schedule keeps the cron's own start date apart from start_date (Go's zero time is null)", () => {
  const health = scheduleFromSm({
    cron: '{"spec":"* * * * *","start_date":"0001-01-01T00:00:00Z"}',
    start_date: new Date("2026-01-02T03:04:05Z"),
  });
  expect(health).toMatchObject({ cron: "* * * * *", startDate: "2026-01-02T03:04:05.000Z", cronStartDate: null });
  const dated = scheduleFromSm({ cron: '{"spec":"0 1 * * *","start_date":"2026-05-01T00:00:00Z"}' });
  expect(dated).toMatchObject({ cron: "0 1 * * *", cronStartDate: "2026-05-01T00:00:00.000Z" });
  expect(scheduleFromSm({ cron: "0 1 * * *" }).cronStartDate).toBeNull();
});
