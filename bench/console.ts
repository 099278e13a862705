/**
 * `bun bench/console.ts [runs]`: the console's first load in headless Chromium (Debian's chromium) against the
 * browser tier's stack (emulated 2-DC × 3-node cluster, our agents and daemon on 127.8.4.x), each run in a fresh
 * browser context (empty cache). Prints, median over the runs:
 *  - bytes transferred until the cluster page is interactive (all requests: HTML, CSS, JS modules, API JSON), and
 *    the static part alone; goal < 300 KB;
 *  - DOMContentLoaded, load, and time-to-interactive = navigation start until the page shows the six nodes and the
 *    tasks table (data rendered, buttons wired), from the browser's performance timings; goal < 1 s.
 */
import { findChromium, launchChromium } from "../test/browser/browser.ts";
import { startConsoleStack } from "../test/browser/stack.ts";

const runs = Number(process.argv[2] ?? 5);
const chromium = findChromium();
if (!chromium.path) {
  console.log(`console bench skipped: ${chromium.why}`);
  process.exit(0);
}

interface Sample {
  totalBytes: number;
  staticBytes: number;
  requests: number;
  domContentLoadedMs: number;
  loadMs: number;
  interactiveMs: number;
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? 0;
const stack = await startConsoleStack({ net: 4 });
const browser = await launchChromium(chromium.path);
try {
  const samples: Sample[] = [];
  for (let i = 0; i < runs; i++) {
    const context = await browser.createBrowserContext();
    const page = await context.newPage();
    await page.setViewport({ width: 1280, height: 900 });
    const cdp = await page.createCDPSession();
    await cdp.send("Network.enable");
    await cdp.send("Network.setCacheDisabled", { cacheDisabled: true });
    const urls = new Map<string, string>();
    const bytes = new Map<string, number>();
    cdp.on("Network.requestWillBeSent", (e) => urls.set(e.requestId, e.request.url));
    cdp.on("Network.loadingFinished", (e) => bytes.set(e.requestId, e.encodedDataLength));
    await page.goto(`${stack.base}/console/#/c/demo`, { waitUntil: "domcontentloaded" });
    await page.waitForFunction(
      'document.querySelectorAll("tr[data-host]").length === 6 && document.querySelector("tr[data-type]") !== null',
      { polling: "raf", timeout: 30_000 },
    );
    const timings = (await page.evaluate(`(() => {
      const nav = performance.getEntriesByType("navigation")[0];
      return { dcl: nav.domContentLoadedEventEnd, load: nav.loadEventEnd, now: performance.now() };
    })()`)) as { dcl: number; load: number; now: number };
    let totalBytes = 0;
    let staticBytes = 0;
    for (const [id, size] of bytes) {
      totalBytes += size;
      if (!(urls.get(id) ?? "").includes("/api/v1/")) staticBytes += size;
    }
    samples.push({
      totalBytes,
      staticBytes,
      requests: bytes.size,
      domContentLoadedMs: timings.dcl,
      loadMs: timings.load,
      interactiveMs: timings.now,
    });
    await context.close();
  }
  const m = (key: keyof Sample) => median(samples.map((s) => s[key]));
  console.log(`console first load, median of ${runs} cold loads of /console/#/c/demo (6 nodes, 2 DCs):`);
  console.log(
    `  transferred until interactive: ${(m("totalBytes") / 1024).toFixed(1)} KB in ${m("requests")} requests`,
  );
  console.log(
    `    of which the console's static files: ${(m("staticBytes") / 1024).toFixed(1)} KB (goal: all < 300 KB)`,
  );
  console.log(`  DOMContentLoaded: ${m("domContentLoadedMs").toFixed(0)} ms, load: ${m("loadMs").toFixed(0)} ms`);
  console.log(`  time to interactive (nodes and tasks shown): ${m("interactiveMs").toFixed(0)} ms (goal < 1000 ms)`);
  console.log(`  all runs' TTI: ${samples.map((s) => s.interactiveMs.toFixed(0)).join(", ")} ms`);
} finally {
  await browser.close();
  await stack.close();
}
