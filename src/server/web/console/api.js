// The console's only way to the server: SM's public REST API under /api/v1 (so it works against any server with
// that API). The bearer token, when the server has auth_token set, lives in localStorage under the key the API
// explorer uses too. A 401 asks for the token and retries; other errors carry SM's {message, details}.
export const TOKEN_KEY = "scylla-manager.api-token";
const BASE = new URL("../api/v1", location.href).pathname;

/** An error answer of the API, worded as the server worded it. */
export class ApiError extends Error {
  constructor(status, body, path) {
    super(body?.message || `HTTP ${status} from ${path}`);
    this.status = status;
    this.details = body?.details || "";
    this.traceId = body?.trace_id || "";
  }
}

let askToken = async () => false;

/** Sets what to do on a 401: show the login prompt; resolves true when the user entered a token. */
export function onUnauthorized(handler) {
  askToken = handler;
}

export const getToken = () => localStorage.getItem(TOKEN_KEY) || "";
export const setToken = (token) =>
  token ? localStorage.setItem(TOKEN_KEY, token) : localStorage.removeItem(TOKEN_KEY);

/** Calls the API; `query` values that are arrays are sent comma-separated, as SM's swagger says. */
export async function api(method, path, { query, body } = {}) {
  const url = new URL(BASE + path, location.origin);
  for (const [key, value] of Object.entries(query || {})) {
    if (value === undefined || value === null || value === "") continue;
    url.searchParams.set(key, Array.isArray(value) ? value.join(",") : String(value));
  }
  for (;;) {
    const headers = { Accept: "application/json" };
    if (getToken()) headers.Authorization = `Bearer ${getToken()}`;
    if (body !== undefined) headers["Content-Type"] = "application/json";
    const response = await fetch(url, {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    if (response.status === 401 && (await askToken(getToken() !== ""))) continue;
    const text = await response.text();
    let data = null;
    try {
      data = text ? JSON.parse(text) : null;
    } catch {
      data = text;
    }
    if (!response.ok) throw new ApiError(response.status, typeof data === "object" ? data : { message: text }, path);
    return data;
  }
}

const enc = encodeURIComponent;
export const paths = {
  cluster: (c) => `/cluster/${enc(c)}`,
  task: (c, type, id) => `/cluster/${enc(c)}/task/${enc(type)}/${enc(id)}`,
};
