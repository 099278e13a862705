import { expect, test } from "bun:test";
import { throttledPublisher } from "./throttle.ts";

test("drops requests inside the interval unless forced, and publishes in request order", async () => {
  let clock = 1_000;
  const published: string[] = [];
  const publisher = throttledPublisher(
    250,
    async (label: string) => {
      // The first publication is the slowest: order must still hold.
      await Bun.sleep(label === "a" ? 20 : 0);
      published.push(label);
    },
    () => clock,
  );
  publisher.request(false, "a");
  clock += 100;
  publisher.request(false, "dropped");
  publisher.request(true, "forced");
  clock += 250;
  publisher.request(false, "b");
  await publisher.settled();
  expect(published).toEqual(["a", "forced", "b"]);
});

test("a failing publication rejects settled()", async () => {
  const publisher = throttledPublisher(0, () => Promise.reject(new Error("store gone")));
  publisher.request(true);
  await expect(publisher.settled()).rejects.toThrow("store gone");
});
