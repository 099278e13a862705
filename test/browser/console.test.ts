/**
 * The console and the API explorer in headless Chromium against an emulated 2-DC × 3-node cluster, our agents and
 * our daemon (auth_token on) on 127.8.3.x: log in, six nodes UP, a node stopped in the emulator shows DN within one
 * health check interval, a backup started from the console's form runs to 100 % and its snapshot is listed, a
 * repair (when the repair service is in) or the internal mock task started from the tasks table, forms that
 * refuse bad input and show the server's message, and /ui/ executing GET /api/v1/clusters. Every page: no console
 * errors, no failed requests, no HTTP errors but the ones a step provokes. Screenshots go to
 * $SM_BROWSER_ARTIFACTS (default .tmp/browser-artifacts).
 *
 * Run by test/browser/run.sh (which installs Chromium); skipped, saying why, in `npm test` and without Chromium.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import type { Browser, Page } from "puppeteer-core";
import { findChromium, launchChromium, type PageProblem, watchPage } from "./browser.ts";
import { type ConsoleStack, startConsoleStack } from "./stack.ts";

// The callbacks given to page.$eval/waitForFunction run in the browser, where `document` exists.
declare const document: any;

const chromium = findChromium();
const skip =
  process.env.SM_BROWSER_TESTS !== "1"
    ? "browser tests run from test/browser/run.sh (SM_BROWSER_TESTS=1)"
    : chromium.path
      ? undefined
      : chromium.why;
if (skip) console.warn(`SKIP console browser tests: ${skip}`);

const TOKEN = "console-secret";
const ARTIFACTS = process.env.SM_BROWSER_ARTIFACTS ?? join(import.meta.dir, "../../.tmp/browser-artifacts");
/** The CQL health check's interval in the daemon's default config (`cql_ping_cron: "* * * * *"`). */
const HEALTH_CHECK_INTERVAL_MS = 60_000;

describe.skipIf(skip !== undefined)("console in Chromium", () => {
  let stack: ConsoleStack;
  let browser: Browser;
  let page: Page;
  let watch: ReturnType<typeof watchPage>;
  let snapshotTag = "";
  const shot = (name: string) => page.screenshot({ path: join(ARTIFACTS, `${name}.png`), fullPage: true });
  const text = (selector: string) => page.$eval(selector, (el: any) => el.textContent as string);
  const api = async (method: string, path: string, body?: unknown) =>
    fetch(`${stack.apiUrl}${path}`, {
      method,
      headers: { authorization: `Bearer ${TOKEN}`, "content-type": "application/json" },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  const expectNoProblems = () => {
    const problems: PageProblem[] = watch.problems.splice(0);
    expect(problems).toEqual([]);
  };

  beforeAll(async () => {
    mkdirSync(ARTIFACTS, { recursive: true });
    stack = await startConsoleStack({ net: 3, authToken: TOKEN });
    browser = await launchChromium(chromium.path as string);
    page = await browser.newPage();
    await page.setViewport({ width: 1280, height: 900 });
    watch = watchPage(page);
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await stack?.close();
  });

  test("a missing token shows a login prompt, not a blank page; after logging in six nodes are UP", async () => {
    watch.expect(401, "/api/v1/");
    await page.goto(`${stack.base}/console/`);
    await page.waitForSelector("#login-form", { visible: true });
    await shot("01-login");
    await page.type("#login-form input[name=token]", TOKEN);
    await page.click("#login-form button[type=submit]");
    await page.waitForFunction(() => document.querySelectorAll(".card .badge.ok").length === 2, { timeout: 20_000 });
    const card = await text(".card");
    expect(card).toContain("dc1: 3/3 UP");
    expect(card).toContain("dc2: 3/3 UP");
    await shot("02-clusters");
    watch.clearExpected();
    expectNoProblems();
  }, 60_000);

  test("the cluster page lists six nodes UN in SM's status columns; a stopped node shows DN within one health check interval", async () => {
    await page.goto(`${stack.base}/console/#/c/demo`);
    await page.waitForFunction(() => document.querySelectorAll("tr[data-host]").length === 6, { timeout: 20_000 });
    const headers = await page.$$eval("section.dc thead th", (ths) => ths.map((th) => th.textContent));
    for (const column of ["CQL", "REST", "Address", "Uptime", "CPUs", "Memory", "Scylla", "Agent", "Host ID"]) {
      expect(headers).toContain(column);
    }
    expect(await page.$$eval('tr[data-status="UN"]', (rows) => rows.length)).toBe(6);
    await shot("03-cluster");
    const victim = stack.cluster.nodes[5]?.ip ?? "";
    const stoppedAt = Date.now();
    await stack.cluster.faults.stopNode(victim);
    await page.waitForSelector(`tr[data-host="${victim}"][data-status="DN"]`, { timeout: HEALTH_CHECK_INTERVAL_MS });
    const seenAfterMs = Date.now() - stoppedAt;
    console.log(`node ${victim} shown DN ${seenAfterMs} ms after it stopped`);
    expect(seenAfterMs).toBeLessThan(HEALTH_CHECK_INTERVAL_MS);
    await shot("04-node-down");
    await stack.cluster.faults.startNode(victim);
    await page.waitForSelector(`tr[data-host="${victim}"][data-status="UN"]`, { timeout: HEALTH_CHECK_INTERVAL_MS });
    expectNoProblems();
  }, 150_000);

  test("forms refuse bad input before sending, and show the server's own message for what it refuses", async () => {
    await page.goto(`${stack.base}/console/#/`);
    await page.waitForSelector(".card");
    const requests: string[] = [];
    const onRequest = (r: { method(): string; url(): string }) => requests.push(`${r.method()} ${r.url()}`);
    page.on("request", onRequest);
    await page.click("button.primary"); // Add cluster
    await page.waitForSelector("#add-cluster");
    await page.click("#add-cluster button[type=submit]");
    expect(await text("#add-cluster .error-box")).toContain("name is required");
    expect(requests.filter((r) => r.startsWith("POST"))).toEqual([]);
    // A host where no agent answers: the server refuses it; the form shows SM's message.
    watch.expect(400, "/api/v1/clusters");
    watch.expect(500, "/api/v1/clusters");
    await page.type("#add-cluster input[name=name]", "nowhere");
    await page.type("#add-cluster input[name=host]", "127.8.3.99");
    await page.type("#add-cluster input[name=auth_token]", "x");
    await page.click("#add-cluster button[type=submit]");
    await page.waitForFunction(() => document.querySelector("#add-cluster .error-box .error")?.textContent?.length, {
      timeout: 30_000,
    });
    const message = await text("#add-cluster .error-box");
    const answer = await (
      await api("POST", "/clusters", { name: "nowhere", host: "127.8.3.99", auth_token: "x" })
    ).json();
    expect(message).toContain((answer as { message: string }).message);
    await shot("05-form-error");
    page.off("request", onRequest);
    await page.keyboard.press("Escape");
    watch.clearExpected();
    expectNoProblems();
  }, 60_000);

  test("a backup started from the console's form runs to 100 % with live progress, and its snapshot is listed", async () => {
    await page.goto(`${stack.base}/console/#/c/demo`);
    await page.waitForSelector("#tasks");
    await page.click("#tasks ~ * button.primary, .row button.primary");
    await page.waitForSelector("#new-task");
    await page.select("#new-task select[name=type]", "backup");
    await page.type("#new-task input[name=name]", "console-backup");
    // The emulator's default schema has a tablet keyspace, which backup's target does not take yet.
    await page.type("#new-task input[name=keyspace]", "*,!tablet_ks");
    // Bad location first: refused in the browser.
    await page.type("#new-task input[name=location]", "nowhere");
    await page.click("#new-task button[type=submit]");
    expect(await text("#new-task .error-box")).toContain("[dc:]provider:bucket");
    await page.$eval("#new-task input[name=location]", (el: any) => {
      el.value = "";
    });
    await page.type("#new-task input[name=location]", "localstorage:backups");
    await page.click("#new-task button[type=submit]");
    await page.waitForSelector('tr[data-type="backup"][data-name="console-backup"]', { timeout: 20_000 });
    const id = await page.$eval(
      'tr[data-type="backup"][data-name="console-backup"]',
      (tr: any) => tr.dataset.id as string,
    );
    await page.goto(`${stack.base}/console/#/c/demo/task/backup/${id}`);
    await page.waitForFunction('document.querySelector("main h1")?.textContent.includes("backup/console-backup")');
    const seen = new Set<number>();
    const deadline = Date.now() + 120_000;
    let status = "";
    while (Date.now() < deadline) {
      status = (await page.$eval("#run", (el: any) => el.dataset.status as string).catch(() => "")) ?? "";
      const value = await page
        .$eval(".run-progress [role=progressbar]", (el) => Number(el.getAttribute("aria-valuenow")))
        .catch(() => Number.NaN);
      if (Number.isFinite(value)) seen.add(value);
      if (status === "RUNNING" && seen.size === 1) await shot("06-backup-running");
      if (status === "DONE" || status === "ERROR") break;
      await Bun.sleep(200);
    }
    await page.$$eval("details", (all) => {
      for (const d of all as any[]) d.open = true;
    });
    await shot("07-backup-done");
    expect(status).toBe("DONE");
    expect(Math.max(...seen)).toBe(100);
    expect(await text(".run-progress .stats")).toContain("Uploaded");
    console.log(`backup progress values seen: ${[...seen].sort((a, b) => a - b).join(", ")}`);
    expectNoProblems();

    const progress = (await (await api("GET", `/cluster/demo/task/backup/${id}/latest`)).json()) as {
      progress: { snapshot_tag: string };
    };
    snapshotTag = progress.progress.snapshot_tag;
    // The snapshot in the backups list, when the server has SM's GET /backups.
    const probe = await api("GET", "/cluster/demo/backups?locations=localstorage:backups");
    if (probe.status === 404) {
      console.warn("SKIP backups list check: this server has no GET /cluster/{id}/backups yet");
      return;
    }
    await page.goto(`${stack.base}/console/#/c/demo/backups`);
    await page.waitForFunction(
      (tag) => document.querySelector("#backups")?.textContent?.includes(tag),
      { timeout: 30_000 },
      progress.progress.snapshot_tag,
    );
    await shot("08-backups");
    expectNoProblems();
  }, 180_000);

  test("a restore of that snapshot shows its live progress (stage, bytes) to 100 %", async () => {
    expect(snapshotTag).toMatch(/^sm_\d{14}UTC$/);
    const created = await api("POST", "/cluster/demo/tasks", {
      type: "restore",
      name: "console-restore",
      enabled: true,
      schedule: {},
      properties: {
        location: ["localstorage:backups"],
        snapshot_tag: snapshotTag,
        restore_tables: true,
        keyspace: ["ks1"],
      },
    });
    expect(created.status).toBe(201);
    const id = created.headers.get("location")?.split("/").pop();
    await page.goto(`${stack.base}/console/#/c/demo/task/restore/${id}`);
    // A hash change keeps the previous view's nodes until the new one renders: wait for this task's page.
    await page.waitForFunction('document.querySelector("main h1")?.textContent.includes("restore/console-restore")');
    const stages = new Set<string>();
    const deadline = Date.now() + 120_000;
    let status = "";
    while (Date.now() < deadline) {
      status = (await page.$eval("#run", (el: any) => el.dataset.status as string).catch(() => "")) ?? "";
      const stats = await page.$eval(".run-progress .stats", (el: any) => el.textContent as string).catch(() => "");
      const stage = /Stage([A-Z_]+?)Snapshot/.exec(stats)?.[1];
      if (stage) stages.add(stage);
      if (stage === "DATA" && !stages.has("shot")) {
        stages.add("shot");
        await shot("08b-restore-running");
      }
      if (status === "DONE" || status === "ERROR") break;
      await Bun.sleep(250);
    }
    stages.delete("shot");
    console.log(`restore stages seen: ${[...stages].join(", ")}`);
    expect(status).toBe("DONE");
    expect(await page.$eval(".run-progress [role=progressbar]", (el: any) => el.getAttribute("aria-valuenow"))).toBe(
      "100",
    );
    await shot("08c-restore-done");
    expectNoProblems();
  }, 150_000);

  test("a repair (or, before the repair service, the mock task) started from the tasks table shows its progress to the end", async () => {
    const repairs = (await (await api("GET", "/cluster/demo/tasks?type=repair")).json()) as { id: string }[] | null;
    let type = "repair";
    let id = repairs?.[0]?.id;
    if (!id) {
      console.warn("NOTE: no repair task on this server (repair service not in); the mock task stands in");
      type = "mock";
      const created = await api("POST", "/cluster/demo/tasks", {
        type: "mock",
        name: "console-mock",
        enabled: true,
        schedule: { cron: "@every 1h" },
        properties: { duration: "4s" },
      });
      id = created.headers.get("location")?.split("/").pop();
    }
    await page.goto(`${stack.base}/console/#/c/demo`);
    const row = `tr[data-type="${type}"][data-id="${id}"]`;
    await page.waitForSelector(row);
    await page.$$eval(`${row} button`, (buttons: any[]) => {
      buttons.find((b: any) => b.textContent === "Start").click();
    });
    await page.waitForSelector(`${row}[data-status="RUNNING"], ${row}[data-status="DONE"]`, { timeout: 20_000 });
    await page.goto(`${stack.base}/console/#/c/demo/task/${type}/${id}`);
    await page.waitForFunction(`document.querySelector("main h1")?.textContent.startsWith("${type}/")`);
    await page.waitForSelector('#run[data-status="DONE"], #run[data-status="ERROR"]', { timeout: 300_000 });
    await shot(`09-${type}-done`);
    expect(await page.$eval("#run", (el: any) => el.dataset.status as string)).toBe("DONE");
    if (type === "repair") {
      const value = await page.$eval(".run-progress [role=progressbar]", (el) => el.getAttribute("aria-valuenow"));
      expect(value).toBe("100");
    }
    expect(await page.$$eval("#history tbody tr", (rows) => rows.length)).toBeGreaterThan(0);
    expectNoProblems();
  }, 330_000);

  test("restore, validate_backup, tablet_repair and 1_1_restore progress in SM's JSON shapes render with their percentage", async () => {
    await page.goto(`${stack.base}/console/#/`);
    await page.waitForSelector(".card");
    const now = new Date().toISOString();
    const run = { id: "r", task_id: "t", status: "RUNNING", start_time: now };
    const cases: [string, unknown, number][] = [
      [
        "restore",
        {
          size: 1000,
          restored: 250,
          downloaded: 250,
          failed: 0,
          started_at: now,
          completed_at: null,
          snapshot_tag: "sm_20260101000000UTC",
          stage: "DATA",
          keyspaces: [
            {
              keyspace: "ks",
              size: 1000,
              restored: 250,
              failed: 0,
              tables: [{ table: "t", size: 1000, restored: 250, failed: 0, tombstone_gc: "repair" }],
            },
          ],
          hosts: [
            {
              host: "10.0.0.1",
              shard_cnt: 2,
              restored_bytes: 250,
              restore_duration: 1000,
              downloaded_bytes: 250,
              download_duration: 500,
              streamed_bytes: 250,
              stream_duration: 500,
            },
          ],
          views: [{ keyspace: "ks", view: "v", type: "MaterializedView", base_table: "t", status: "SUCCESS" }],
          repair_progress: null,
        },
        25,
      ],
      [
        "validate_backup",
        [
          {
            dc: "dc1",
            host: "10.0.0.1",
            location: "s3:b",
            manifests: 2,
            scanned_files: 10,
            broken_snapshots: [],
            missing_files: 0,
            orphaned_files: 1,
            orphaned_bytes: 100,
            deleted_files: 0,
            started_at: now,
            completed_at: now,
          },
          {
            dc: "dc1",
            host: "10.0.0.2",
            location: "s3:b",
            manifests: 2,
            scanned_files: 4,
            broken_snapshots: [],
            missing_files: 0,
            orphaned_files: 0,
            orphaned_bytes: 0,
            deleted_files: 0,
            started_at: now,
            completed_at: null,
          },
        ],
        50,
      ],
      [
        "tablet_repair",
        {
          tables: [
            { keyspace: "ks", table: "a", started_at: now, completed_at: now, error: "" },
            { keyspace: "ks", table: "b", started_at: now, completed_at: null, error: "" },
          ],
        },
        50,
      ],
      [
        "1_1_restore",
        { tables: [{ keyspace: "ks", table: "t", size: 100, restored: 75, status: "in_progress" }], views: [] },
        75,
      ],
    ];
    for (const [type, progress, percent] of cases) {
      const value = await page.evaluate(
        `import("/console/progress.js").then((m) => {
          const el = m.renderProgress(${JSON.stringify(type)}, { run: ${JSON.stringify(run)}, progress: ${JSON.stringify(progress)} });
          document.getElementById("main").replaceChildren(el);
          return el.querySelector("[role=progressbar]").getAttribute("aria-valuenow");
        })`,
      );
      expect({ type, value }).toEqual({ type, value: String(percent) });
      await shot(`12-progress-${type}`);
    }
    expectNoProblems();
  }, 60_000);

  test("suspend and resume the cluster, each after a confirmation", async () => {
    await page.goto(`${stack.base}/console/#/c/demo`);
    const clickButton = (label: string) =>
      page.$$eval(
        "button",
        (buttons: any[], text: string) => buttons.find((b) => b.textContent === text)?.click(),
        label,
      );
    const suspended = async () => (await (await api("GET", "/cluster/demo/suspended")).json()) as boolean;
    await page.waitForSelector("main h1");
    await page.waitForFunction('[...document.querySelectorAll("button")].some((b) => b.textContent === "Suspend")');
    await clickButton("Suspend");
    await page.waitForSelector("dialog[open] button.primary");
    await page.click("dialog[open] button"); // Cancel
    expect(await suspended()).toBe(false);
    await clickButton("Suspend");
    await page.waitForSelector("dialog[open] button.primary");
    await page.click("dialog[open] button.primary");
    await page.waitForFunction('document.querySelector("main h1")?.textContent.includes("SUSPENDED")');
    expect(await suspended()).toBe(true);
    await shot("09b-suspended");
    await clickButton("Resume");
    await page.waitForSelector("dialog[open] button.primary");
    await page.click("dialog[open] button.primary");
    await page.waitForFunction('!document.querySelector("main h1")?.textContent.includes("SUSPENDED")');
    expect(await suspended()).toBe(false);
    expectNoProblems();
  }, 60_000);

  test("the console is readable on a phone", async () => {
    await page.setViewport({ width: 390, height: 844, isMobile: true, hasTouch: true });
    await page.goto(`${stack.base}/console/#/c/demo`);
    await page.waitForFunction('document.querySelectorAll("tr[data-host]").length === 6');
    // Nothing wider than the screen but the tables, which scroll inside their own box.
    const overflow = (await page.evaluate(
      "document.documentElement.scrollWidth - window.innerWidth",
    )) as Promise<number>;
    expect(overflow).toBeLessThanOrEqual(0);
    await shot("10-phone");
    await page.setViewport({ width: 1280, height: 900 });
    expectNoProblems();
  }, 60_000);

  test("/ui/ loads the API explorer (logged in with the console's token) and executes GET /api/v1/clusters", async () => {
    await page.goto(`${stack.base}/ui/`);
    const summary = await page.waitForSelector(
      "xpath/(//*[contains(@class,'opblock-get')][.//*[contains(@class,'opblock-summary-path') and normalize-space()='/clusters']])[1]",
      { timeout: 30_000 },
    );
    await summary?.click();
    await page.waitForSelector(".opblock.is-open .try-out__btn");
    await page.click(".opblock.is-open .try-out__btn");
    await page.click(".opblock.is-open .execute");
    await page.waitForSelector(".opblock.is-open .live-responses-table tbody .response-col_status", {
      timeout: 20_000,
    });
    const status = await text(".opblock.is-open .live-responses-table tbody .response-col_status");
    expect(status.trim()).toStartWith("200");
    expect(await text(".opblock.is-open .live-responses-table")).toContain('"name": "demo"');
    await shot("11-api-explorer");
    expectNoProblems();
  }, 60_000);
  test("backups page: snapshots per location, files on demand, delete and restore only after a confirmation", async () => {
    expect(snapshotTag).toMatch(/^sm_\d{14}UTC$/);
    const location = "localstorage:backups";
    const hasList = (await api("GET", `/cluster/demo/backups?locations=${location}`)).status !== 404;
    const deletes: string[] = [];
    if (!hasList) {
      // This server has no GET /backups yet: answer the console's backups calls with SM's shapes (contract
      // BackupListItem, BackupFilesInfo) so the page and its actions are exercised; the restore still goes to the server.
      console.warn("NOTE: GET /backups stubbed in the browser with SM's shapes (not on this server yet)");
      await page.setRequestInterception(true);
      page.on("request", (request) => {
        const url = new URL(request.url());
        const json = (body: unknown) =>
          request.respond({ status: 200, contentType: "application/json", body: JSON.stringify(body) });
        if (url.pathname.endsWith("/backups") && request.method() === "GET") {
          return json([
            {
              cluster_id: stack.clusterId,
              task_id: "00000000-0000-4000-8000-000000000001",
              units: [{ keyspace: "ks1", tables: ["small_table", "users"], all_tables: true }],
              snapshot_info: [{ snapshot_tag: snapshotTag, nodes: 6, size: 52_000_000 }],
            },
          ]);
        }
        if (url.pathname.endsWith("/backups/files")) {
          return json([
            {
              location,
              schema: "backup/schema/cluster/x/task_y_tag_z_schema_with_internals.json.gz",
              files: [
                {
                  keyspace: "ks1",
                  table: "users",
                  replication_type: "vnodes",
                  version: "abc",
                  files: ["a-Data.db", "a-Index.db"],
                  size: 8_000_000,
                  path: "backup/sst/...",
                },
              ],
            },
          ]);
        }
        if (url.pathname.endsWith("/backups") && request.method() === "DELETE") {
          deletes.push(url.search);
          return request.respond({ status: 200, body: "" });
        }
        return request.continue();
      });
    }
    try {
      await page.goto(`${stack.base}/console/#/c/demo/backups`);
      const row = `section.location tr[data-tag="${snapshotTag}"]`;
      await page.waitForSelector(row, { timeout: 30_000 });
      await shot("13-backups");
      const click = (label: string) =>
        page.$$eval(
          `${row} button`,
          (buttons: any[], text: string) => buttons.find((b) => b.textContent === text)?.click(),
          label,
        );
      // Files, on demand.
      await click("Files");
      await page.waitForFunction('document.querySelector("dialog[open]")?.textContent.includes("ks1.users")', {
        timeout: 30_000,
      });
      await page.click("dialog[open] .actions button");
      // Delete: nothing happens on Cancel.
      await click("Delete");
      await page.waitForSelector("dialog[open] button.primary");
      expect(await text("dialog[open] h2")).toContain(snapshotTag);
      await page.click("dialog[open] .actions button"); // Cancel
      await Bun.sleep(300);
      if (!hasList) expect(deletes).toEqual([]);
      // Restore: the form is filled from the row; the server is only asked after the confirmation.
      await click("Restore");
      await page.waitForSelector("#restore-form");
      expect(await page.$eval("#restore-form input[name=snapshot_tag]", (el: any) => el.value as string)).toBe(
        snapshotTag,
      );
      await page.type("#restore-form input[name=keyspace]", "ks1");
      await page.click("#restore-form button[type=submit]");
      await page.waitForFunction('document.querySelector("dialog[open] h2")?.textContent.startsWith("Restore ")', {
        timeout: 10_000,
      });
      await shot("14-restore-confirm");
      await page.click("dialog[open] button.primary");
      await page.waitForFunction('location.hash === "#/c/demo" || location.hash.startsWith("#/c/")', {
        timeout: 10_000,
      });
      const restores = (await (await api("GET", "/cluster/demo/tasks?type=restore&all=true")).json()) as {
        properties: { snapshot_tag?: string; keyspace?: string[] };
      }[];
      expect(
        restores.some((t) => t.properties.snapshot_tag === snapshotTag && t.properties.keyspace?.[0] === "ks1"),
      ).toBe(true);
      // Delete, confirmed.
      await page.goto(`${stack.base}/console/#/c/demo/backups`);
      await page.waitForSelector(row, { timeout: 30_000 });
      await click("Delete");
      await page.waitForSelector("dialog[open] button.primary");
      await page.click("dialog[open] button.primary");
      if (!hasList) {
        for (let i = 0; i < 50 && deletes.length === 0; i++) await Bun.sleep(100);
        expect(deletes).toHaveLength(1);
        expect(new URLSearchParams(deletes[0]).get("snapshot_tags")).toBe(snapshotTag);
        expect(new URLSearchParams(deletes[0]).get("locations")).toBe(location);
      } else {
        await page.waitForSelector(row, { hidden: true, timeout: 30_000 });
      }
      expectNoProblems();
    } finally {
      if (!hasList) {
        page.removeAllListeners("request");
        await page.setRequestInterception(false);
      }
    }
  }, 120_000);
});
