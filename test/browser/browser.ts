/**
 * Headless Chromium for the console's browser tests and bench: finds Debian's `chromium` (the test script
 * installs it), launches it through puppeteer-core, and records what a page does wrong (console errors, failed
 * requests, HTTP errors) so tests can assert there was nothing unexpected.
 * @module
 */
import { existsSync } from "node:fs";
import puppeteer, { type Browser, type Page } from "puppeteer-core";

const CANDIDATES = ["/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/bin/google-chrome"];

/** The Chromium executable, or undefined with the reason in `why`. */
export function findChromium(): { path?: string; why: string } {
  const env = process.env.CHROMIUM_PATH;
  if (env) return existsSync(env) ? { path: env, why: "" } : { why: `CHROMIUM_PATH=${env} does not exist` };
  const path = CANDIDATES.find((candidate) => existsSync(candidate));
  return path ? { path, why: "" } : { why: `no Chromium at ${CANDIDATES.join(", ")} (apt-get install chromium)` };
}

export async function launchChromium(path: string): Promise<Browser> {
  return puppeteer.launch({
    executablePath: path,
    headless: true,
    // --no-sandbox: the tests run as root in CI, where Chromium's sandbox refuses to start.
    args: ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--no-first-run"],
  });
}

/** Something a page did that a test did not expect. */
export interface PageProblem {
  kind: "console" | "pageerror" | "requestfailed" | "http";
  text: string;
}

/**
 * Records every console error, uncaught exception, failed request and HTTP error answer of `page`. `expect(...)`
 * marks answers a step provokes on purpose (e.g. the 401 before logging in): HTTP errors matching an expected
 * (status, URL part) are not problems.
 */
export function watchPage(page: Page) {
  const problems: PageProblem[] = [];
  const expected: { status: number; urlPart: string }[] = [];
  const isExpected = (status: number, url: string) =>
    expected.some((e) => e.status === status && url.includes(e.urlPart));
  page.on("console", (message) => {
    if (message.type() !== "error") return;
    const text = message.text();
    // Chrome logs every HTTP error answer as a console error without its URL; the response handler below judges
    // each of those answers (expected or a problem), so the console line adds nothing.
    if (/^Failed to load resource: the server responded with a status of \d+/.test(text)) return;
    problems.push({ kind: "console", text: `${text} (${message.location()?.url ?? ""})` });
  });
  page.on("pageerror", (error) => problems.push({ kind: "pageerror", text: String(error) }));
  page.on("requestfailed", (request) => {
    const reason = request.failure()?.errorText ?? "";
    // A navigation away cancels the view's in-flight polls; that is not a failure the user sees.
    if (reason === "net::ERR_ABORTED") return;
    problems.push({ kind: "requestfailed", text: `${request.method()} ${request.url()}: ${reason}` });
  });
  page.on("response", (response) => {
    if (response.status() < 400) return;
    if (isExpected(response.status(), response.url())) return;
    problems.push({ kind: "http", text: `${response.status()} ${response.request().method()} ${response.url()}` });
  });
  return {
    problems,
    /** Allows HTTP `status` answers for URLs containing `urlPart` from now on. */
    expect(status: number, urlPart: string) {
      expected.push({ status, urlPart });
    },
    /** Stops allowing everything allowed so far. */
    clearExpected() {
      expected.length = 0;
    },
  };
}
