/**
 * `/console/`: the web console, plain ES modules and CSS the daemon carries (no framework, no build step at run
 * time). It reads and writes only through the public REST API (`/api/v1`), so it shows any server with SM's API.
 * @module
 */
import type { Hono } from "hono";
// The browser scripts are embedded as text; tsc has no types for them (TS7016) and needs none.
// @ts-expect-error TS7016
import apiJs from "./console/api.js" with { type: "text" };
// @ts-expect-error TS7016
import appJs from "./console/app.js" with { type: "text" };
// @ts-expect-error TS7016
import backupsJs from "./console/backups.js" with { type: "text" };
// @ts-expect-error TS7016
import clusterJs from "./console/cluster.js" with { type: "text" };
// @ts-expect-error TS7016
import clustersJs from "./console/clusters.js" with { type: "text" };
import consoleCss from "./console/console.css" with { type: "text" };
// @ts-expect-error TS7016
import domJs from "./console/dom.js" with { type: "text" };
// @ts-expect-error TS7016
import formatJs from "./console/format.js" with { type: "text" };
// @ts-expect-error TS7016
import formsJs from "./console/forms.js" with { type: "text" };
// bun-types type `*.html` imports as HTML bundles; `with { type: "text" }` makes it the file's text.
import indexHtml from "./console/index.html" with { type: "text" };
// @ts-expect-error TS7016
import progressJs from "./console/progress.js" with { type: "text" };
// @ts-expect-error TS7016
import taskJs from "./console/task.js" with { type: "text" };
import { CONTENT_TYPES, createAssetServer, type StaticAsset } from "./static.ts";

const js = (body: unknown): StaticAsset => ({ type: CONTENT_TYPES.js, body: body as string });

/** Every file of the console, by the name it is served under. */
export const CONSOLE_ASSETS: Readonly<Record<string, StaticAsset>> = {
  "index.html": { type: CONTENT_TYPES.html, body: indexHtml as unknown as string },
  "console.css": { type: CONTENT_TYPES.css, body: consoleCss },
  "api.js": js(apiJs),
  "app.js": js(appJs),
  "backups.js": js(backupsJs),
  "cluster.js": js(clusterJs),
  "clusters.js": js(clustersJs),
  "dom.js": js(domJs),
  "format.js": js(formatJs),
  "forms.js": js(formsJs),
  "progress.js": js(progressJs),
  "task.js": js(taskJs),
};

const serve = createAssetServer(CONSOLE_ASSETS);

/** Registers `/console` (redirect) and `/console/*`. */
export function registerConsoleRoutes(app: Hono): void {
  app.get("/console", (c) => c.redirect("/console/", 301));
  app.get("/console/:name{[^/]*}", (c) => serve(c, c.req.param("name")) ?? c.notFound());
}
