/**
 * The reverse proxy to Scylla's REST API and Prometheus endpoint (SM's `pkg/cmd/agent/router.go`): method, path, query, headers
 * (Authorization included) and body pass unchanged; bodies stream both ways. An unreachable upstream gives 502
 * with an empty body, as Go's ReverseProxy answers.
 * @module
 */

/** Hop-by-hop headers a proxy must not forward (RFC 9110 §7.6.1), plus Host, which becomes the target's. */
const HOP_BY_HOP = new Set([
  "connection",
  "keep-alive",
  "proxy-connection",
  "proxy-authenticate",
  "proxy-authorization",
  "te",
  "trailer",
  "transfer-encoding",
  "upgrade",
  "host",
]);

function forwardHeaders(source: Headers): Headers {
  const headers = new Headers();
  for (const [name, value] of source) if (!HOP_BY_HOP.has(name)) headers.append(name, value);
  return headers;
}

/** Forwards `request` to `targetBase` (e.g. `http://127.0.0.1:10000`) keeping its path and query. */
export async function proxyRequest(request: Request, targetBase: string): Promise<Response> {
  const url = new URL(request.url);
  const target = `${targetBase}${url.pathname}${url.search}`;
  const hasBody = request.body !== null && request.method !== "GET" && request.method !== "HEAD";
  // `duplex` is required by fetch for streamed request bodies but is missing from the DOM RequestInit type.
  const init: RequestInit & { duplex: "half"; decompress: boolean } = {
    method: request.method,
    headers: forwardHeaders(request.headers),
    body: hasBody ? request.body : undefined,
    redirect: "manual",
    // A caller that goes away (SM cancelling a blocking repair_status, say) cancels the upstream call too.
    signal: request.signal,
    duplex: "half",
    // Keep Content-Encoding and the compressed bytes as they are: a proxy must not transcode.
    decompress: false,
  };
  let upstream: Response;
  try {
    upstream = await fetch(target, init);
  } catch {
    return new Response(null, { status: 502 });
  }
  return new Response(upstream.body, {
    status: upstream.status,
    statusText: upstream.statusText,
    headers: forwardHeaders(upstream.headers),
  });
}
