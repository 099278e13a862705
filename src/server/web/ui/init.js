// The API explorer: Swagger UI over /api/v1/openapi.json. With the server's auth_token set, every call (the
// document itself and "Try it out") needs `Authorization: Bearer <token>`; the token is kept in localStorage under
// the same key the console uses, so logging in to one logs in to both.
const TOKEN_KEY = "scylla-manager.api-token";
const specUrl = new URL("../api/v1/openapi.json", location.href).toString();

const token = () => localStorage.getItem(TOKEN_KEY) || "";
const authHeaders = () => (token() ? { Authorization: `Bearer ${token()}` } : {});

function showLogin(reason) {
  const form = document.getElementById("sm-login");
  document.getElementById("sm-login-reason").textContent = reason;
  form.hidden = false;
  document.getElementById("sm-token").focus();
}

async function start() {
  const response = await fetch(specUrl, { headers: authHeaders() });
  if (response.status === 401) {
    showLogin(
      token() ? "The API token was refused; enter the server's auth_token." : "This server needs an API token.",
    );
    return;
  }
  if (!response.ok) {
    showLogin(`Could not load ${specUrl}: HTTP ${response.status}`);
    return;
  }
  document.getElementById("sm-login").hidden = true;
  window.ui = window.SwaggerUIBundle({
    spec: await response.json(),
    dom_id: "#swagger-ui",
    deepLinking: true,
    presets: [window.SwaggerUIBundle.presets.apis],
    layout: "BaseLayout",
    requestInterceptor: (request) => {
      if (token() && !request.headers.Authorization) request.headers.Authorization = `Bearer ${token()}`;
      return request;
    },
  });
}

document.getElementById("sm-login").addEventListener("submit", (event) => {
  event.preventDefault();
  localStorage.setItem(TOKEN_KEY, document.getElementById("sm-token").value.trim());
  void start();
});
document.getElementById("sm-token-button").addEventListener("click", () => showLogin("Set or change the API token."));
void start();
