import { describe, expect, test } from "bun:test";
import { createHash } from "node:crypto";
import { mkdirSync, mkdtempSync, readdirSync, readlinkSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { LocalBackend } from "../providers/local.ts";
import { BandwidthLimiter, createThrottleStream, describeRate, formatRate, parseRate } from "./bwlimit.ts";
import { checkEtag, HashingStream } from "./checksum.ts";
import { transferFile } from "./copy.ts";
import { forEachInPool, TransferPool } from "./pool.ts";

const MiB = 1024 * 1024;

/** A pipeline sink that consumes everything. */
async function drain(source: AsyncIterable<unknown>): Promise<void> {
  for await (const _ of source) {
  }
}

describe("rates", () => {
  test.each([
    ["100M", 100 * MiB],
    ["0M", 0],
    ["off", 0],
    ["", 0],
    ["512K", 512 * 1024],
    ["1.5G", 1.5 * 1024 * MiB],
    ["10", 10 * 1024],
  ])("parseRate(%p)", (text, bytes) => {
    expect(parseRate(text)).toBe(bytes);
  });

  test("bad rates name the value and the fix", () => {
    expect(() => parseRate("fast")).toThrow(/invalid bandwidth rate "fast".*100M/);
  });

  test("formatRate round-trips", () => {
    expect(formatRate(100 * MiB)).toBe("100M");
    expect(formatRate(0)).toBe("off");
    expect(formatRate(512 * 1024)).toBe("512k");
    expect(describeRate(new BandwidthLimiter(MiB))).toEqual({
      rate: "1M",
      bytesPerSecond: MiB,
      bytesPerSecondTx: MiB,
      bytesPerSecondRx: MiB,
    });
    expect(describeRate(new BandwidthLimiter(0)).bytesPerSecond).toBe(-1);
    expect(parseRate(formatRate(1536 * 1024))).toBe(1536 * 1024);
  });
});

describe("BandwidthLimiter", () => {
  test("concurrent streams share one limit", async () => {
    const limiter = new BandwidthLimiter(2 * MiB);
    const started = performance.now();
    let total = 0;
    await Promise.all(
      [0, 1, 2].map(async () => {
        const source = Readable.from(
          (function* () {
            for (let i = 0; i < 8; i++) yield Buffer.alloc(128 * 1024);
          })(),
        );
        for await (const chunk of source.pipe(createThrottleStream(limiter))) total += (chunk as Buffer).length;
      }),
    );
    const seconds = (performance.now() - started) / 1000;
    expect(total).toBe(3 * MiB);
    // 3 MiB at 2 MiB/s: never meaningfully faster than the limit.
    expect(seconds).toBeGreaterThan(1.3);
  });

  test("rate 0 is unlimited and setRate applies at once", async () => {
    const limiter = new BandwidthLimiter(0);
    const started = performance.now();
    await limiter.take(1024 * MiB);
    expect(performance.now() - started).toBeLessThan(100);
    limiter.setRate(MiB);
    expect(limiter.rate).toBe(MiB);
    expect(() => limiter.setRate(-1)).toThrow(/>= 0/);
  });
});

describe("HashingStream", () => {
  test("computes md5 and the S3 multipart ETag while streaming", async () => {
    const data = Buffer.alloc(25, 7);
    const hasher = new HashingStream({ partSize: 10 });
    await pipeline(Readable.from([data.subarray(0, 7), data.subarray(7)]), hasher, drain);
    const md5 = createHash("md5").update(data).digest("hex");
    const parts = [data.subarray(0, 10), data.subarray(10, 20), data.subarray(20)].map((p) =>
      createHash("md5").update(p).digest(),
    );
    const etag = `${createHash("md5").update(Buffer.concat(parts)).digest("hex")}-3`;
    expect(hasher.digest).toEqual({ size: 25, md5, multipartEtag: etag });
    expect(checkEtag(`"${md5}"`, hasher.digest!)).toBe("ok");
    expect(checkEtag(`"${etag}"`, hasher.digest!)).toBe("ok");
    expect(checkEtag('"00000000000000000000000000000000"', hasher.digest!)).toBe("mismatch");
    expect(checkEtag("opaque-etag", hasher.digest!)).toBe("unverifiable");
  });

  test("a size mismatch fails the stream", async () => {
    await expect(
      pipeline(Readable.from([Buffer.alloc(5)]), new HashingStream({ expectedSize: 6 }), drain),
    ).rejects.toThrow(/declared 6 bytes but sent 5 bytes/);
    await expect(
      pipeline(Readable.from([Buffer.alloc(7)]), new HashingStream({ expectedSize: 6 }), drain),
    ).rejects.toThrow(/sent more than 6 bytes/);
  });

  test("md5: false checks the size only", async () => {
    const hasher = new HashingStream({ expectedSize: 6, md5: false });
    await pipeline(Readable.from([Buffer.alloc(6, 1)]), hasher, drain);
    expect(hasher.digest).toEqual({ size: 6, md5: "" });
    await expect(
      pipeline(Readable.from([Buffer.alloc(5)]), new HashingStream({ expectedSize: 6, md5: false }), drain),
    ).rejects.toThrow(/declared 6 bytes but sent 5 bytes/);
  });
});

describe("TransferPool", () => {
  test("runs at most `transfers` tasks at once and pulls lazily", async () => {
    const pool = new TransferPool(3);
    let running = 0;
    let peak = 0;
    let pulled = 0;
    function* items() {
      for (let i = 0; i < 20; i++) {
        pulled++;
        yield i;
      }
    }
    const done: number[] = [];
    await forEachInPool(pool, items(), async (i) => {
      running++;
      peak = Math.max(peak, running);
      expect(pulled - done.length).toBeLessThanOrEqual(3);
      await Bun.sleep(5);
      running--;
      done.push(i);
    });
    expect(peak).toBe(3);
    expect(done.sort((a, b) => a - b)).toEqual([...Array(20).keys()]);
  });

  test("the first failure stops pulling and is rethrown", async () => {
    const pool = new TransferPool(2);
    const seen: number[] = [];
    const run = forEachInPool(pool, [1, 2, 3, 4, 5, 6], async (i) => {
      seen.push(i);
      if (i === 2) throw new Error("boom 2");
      await Bun.sleep(5);
    });
    await expect(run).rejects.toThrow("boom 2");
    expect(seen.length).toBeLessThan(6);
  });

  test("invalid transfers are refused", () => {
    expect(() => new TransferPool(0)).toThrow(/positive integer/);
  });
});

describe("transferFile into a local disk", () => {
  test("a destination that refuses the path before reading closes the source file", async () => {
    const root = mkdtempSync(join(tmpdir(), "transfer-refused-"));
    try {
      mkdirSync(join(root, "src", "b"), { recursive: true });
      mkdirSync(join(root, "dst", "b"), { recursive: true });
      const file = join(root, "src", "b", "f");
      writeFileSync(file, "payload");
      const src = new LocalBackend({ provider: "localstorage", root: join(root, "src"), bucketed: true });
      const dst = new LocalBackend({ provider: "localstorage", root: join(root, "dst"), bucketed: true });
      // A bucket root is not a file path: refused before a byte is read.
      const copy = transferFile(src, "b/f", dst, "b", { limiter: new BandwidthLimiter(0), onBytes: () => {} });
      await expect(copy).rejects.toThrow(/a file path is required/);
      await Bun.sleep(20); // the handle closes asynchronously
      const open = readdirSync("/proc/self/fd").filter((fd) => {
        try {
          return readlinkSync(`/proc/self/fd/${fd}`) === file;
        } catch {
          return false;
        }
      });
      expect(open).toEqual([]);
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });
});
