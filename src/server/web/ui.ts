/**
 * `/ui/`: the API explorer, Swagger UI (swagger-ui-dist, embedded in the build; no CDN) over
 * `/api/v1/openapi.json`, with a link to the console. The page logs in with the API's bearer token when the server
 * has `auth_token` set (see ui/init.js).
 * @module
 */
import type { Hono } from "hono";
import swaggerCss from "swagger-ui-dist/swagger-ui.css" with { type: "text" };
// @ts-expect-error TS7016: a browser script, embedded as text (no types needed)
import swaggerBundle from "swagger-ui-dist/swagger-ui-bundle.js" with { type: "text" };
import { CONTENT_TYPES, createAssetServer } from "./static.ts";
import explorerCss from "./ui/explorer.css" with { type: "text" };
// bun-types type `*.html` imports as HTML bundles; `with { type: "text" }` makes it the file's text.
import indexHtml from "./ui/index.html" with { type: "text" };
// @ts-expect-error TS7016: a browser script, embedded as text (no types needed)
import initJs from "./ui/init.js" with { type: "text" };

/** The source map is not shipped; without this line browsers' dev tools ask for it and log a 404. */
const stripSourceMap = (text: string) => text.replace(/\n\/\/# sourceMappingURL=\S+\s*$/, "\n");

const serve = createAssetServer({
  "index.html": { type: CONTENT_TYPES.html, body: indexHtml as unknown as string },
  "init.js": { type: CONTENT_TYPES.js, body: initJs as string },
  "explorer.css": { type: CONTENT_TYPES.css, body: explorerCss },
  "swagger-ui-bundle.js": { type: CONTENT_TYPES.js, body: stripSourceMap(swaggerBundle as string) },
  "swagger-ui.css": { type: CONTENT_TYPES.css, body: stripSourceMap(swaggerCss) },
});

/** Registers `/ui` (redirect) and `/ui/*`. */
export function registerUiRoutes(app: Hono): void {
  app.get("/ui", (c) => c.redirect("/ui/", 301));
  app.get("/ui/:name{[^/]*}", (c) => serve(c, c.req.param("name")) ?? c.notFound());
}
