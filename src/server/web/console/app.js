// The console: a hash-routed page over SM's REST API. Each view renders into <main> and refreshes itself on a
// timer while it is shown; navigating away stops its timers.
import { api, getToken, onUnauthorized, setToken } from "./api.js";
import { renderBackups } from "./backups.js";
import { renderCluster } from "./cluster.js";
import { renderClusters } from "./clusters.js";
import { errorBox, h, mount, openDialog } from "./dom.js";
import { renderTask } from "./task.js";

const main = document.getElementById("main");

const ROUTES = [
  [/^#?\/?$/, renderClusters],
  [/^#\/c\/([^/]+)\/?$/, renderCluster],
  [/^#\/c\/([^/]+)\/backups\/?$/, renderBackups],
  [/^#\/c\/([^/]+)\/task\/([^/]+)\/([^/?]+)\/?$/, renderTask],
];

let current = { timers: [], alive: false };

/** What a view gets: its params, a timer helper bound to its lifetime, and navigation. */
function makeContext() {
  const ctx = {
    timers: [],
    alive: true,
    every(ms, fn) {
      let busy = false;
      const tick = async () => {
        if (busy || !ctx.alive) return;
        busy = true;
        try {
          await fn();
        } finally {
          busy = false;
        }
      };
      ctx.timers.push(setInterval(tick, ms));
    },
    go(hash) {
      location.hash = hash;
    },
    reload: () => route(),
  };
  return ctx;
}

async function route() {
  current.alive = false;
  for (const timer of current.timers) clearInterval(timer);
  const ctx = makeContext();
  current = ctx;
  const hash = location.hash || "#/";
  for (const [pattern, view] of ROUTES) {
    const match = pattern.exec(hash);
    if (!match) continue;
    const params = match.slice(1).map(decodeURIComponent);
    try {
      await view(main, params, ctx);
    } catch (error) {
      if (ctx.alive) mount(main, h("h1", {}, "Something went wrong"), errorBox(error));
    }
    return;
  }
  mount(main, h("h1", {}, "Not found"), h("p", {}, h("a", { href: "#/" }, "Back to the clusters")));
}

let pendingLogin;

/** The login prompt: asks for the server's API token (auth_token); resolves true once one is entered. */
function login(refused) {
  pendingLogin ??= openDialog((close) => {
    const input = h("input", {
      type: "password",
      name: "token",
      required: true,
      autocomplete: "current-password",
      placeholder: "auth_token of the server",
    });
    return h(
      "form",
      {
        class: "form",
        id: "login-form",
        onsubmit: (event) => {
          event.preventDefault();
          const token = input.value.trim();
          if (!token) return;
          setToken(token);
          close(true);
        },
      },
      h("h2", {}, "Log in"),
      h(
        "p",
        {},
        refused
          ? "The server refused the API token (expired or wrong). Enter the current one."
          : "This server needs an API token: the auth_token of its config.",
      ),
      h("input", { type: "text", name: "username", autocomplete: "username", value: "api", hidden: true }),
      h("label", {}, "API token", input),
      h("div", { class: "actions" }, h("button", { type: "submit", class: "primary" }, "Log in")),
    );
  }).then((ok) => {
    pendingLogin = undefined;
    return ok === true;
  });
  return pendingLogin;
}

onUnauthorized(login);

document.getElementById("token-button").addEventListener("click", async () => {
  const had = getToken() !== "";
  setToken("");
  if (had || (await login(false))) route();
});

window.addEventListener("hashchange", route);
route();
api("GET", "/version")
  .then((v) => {
    document.getElementById("server-version").textContent = `server ${v.version}`;
  })
  .catch(() => undefined);
