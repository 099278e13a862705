// The clusters overview: one card per cluster with its nodes UP per DC, running and failed tasks; and the
// "Add cluster" form (POST /clusters).
import { ApiError, api, paths } from "./api.js";
import { badge, errorBox, h, mount, openDialog, toast } from "./dom.js";
import { statusKind } from "./format.js";
import { field, formError, validators } from "./forms.js";

/** Nodes that are UN and answer CQL count as UP, as the health check sees them. */
export const nodeUp = (node) => node.status === "UN" && (node.cql_status === "UP" || node.rest_status === "UP");

async function clusterSummary(cluster) {
  const [status, tasks, suspended] = await Promise.allSettled([
    api("GET", `${paths.cluster(cluster.id)}/status`),
    api("GET", `${paths.cluster(cluster.id)}/tasks`),
    api("GET", `${paths.cluster(cluster.id)}/suspended`),
  ]);
  const dcs = new Map();
  for (const node of status.value || []) {
    const dc = dcs.get(node.dc) || { up: 0, total: 0 };
    dc.total++;
    if (nodeUp(node)) dc.up++;
    dcs.set(node.dc, dc);
  }
  const list = tasks.value || [];
  return h(
    "a",
    { class: "card", href: `#/c/${encodeURIComponent(cluster.id)}`, style: "text-decoration:none;color:inherit" },
    h(
      "h3",
      { class: "row spread" },
      cluster.name || cluster.id,
      suspended.value === true ? badge("SUSPENDED", "warn") : null,
    ),
    h("div", { class: "muted" }, `${cluster.host} · ${cluster.id}`),
    status.status === "rejected"
      ? h("p", { class: "error" }, `status: ${status.reason.message}`)
      : h(
          "div",
          { class: "row", style: "margin-top:.5rem" },
          [...dcs].map(([dc, n]) => badge(`${dc}: ${n.up}/${n.total} UP`, n.up === n.total ? "ok" : "bad")),
        ),
    h(
      "div",
      { class: "row", style: "margin-top:.5rem" },
      badge(`${list.filter((t) => t.status === "RUNNING").length} running`, "run"),
      list.some((t) => statusKind(t.status) === "bad")
        ? badge(`${list.filter((t) => statusKind(t.status) === "bad").length} failed`, "bad")
        : null,
      badge(`${list.length} tasks`),
    ),
  );
}

/** Renders `#/`. */
export async function renderClusters(main, _params, ctx) {
  const cards = h("div", { class: "cards" });
  mount(
    main,
    h(
      "div",
      { class: "row spread" },
      h("h1", {}, "Clusters"),
      h("button", { type: "button", class: "primary", onclick: () => addCluster(ctx) }, "Add cluster"),
    ),
    cards,
  );
  const refresh = async () => {
    try {
      const clusters = (await api("GET", "/clusters")) || [];
      if (!ctx.alive) return;
      if (clusters.length === 0) {
        mount(cards, h("p", { class: "muted" }, "No clusters yet. Add one with its host and the agents' auth token."));
        return;
      }
      const rendered = await Promise.all(clusters.map(clusterSummary));
      if (ctx.alive) mount(cards, rendered);
    } catch (error) {
      if (ctx.alive) mount(cards, errorBox(error));
    }
  };
  await refresh();
  ctx.every(5000, refresh);
}

function addCluster(ctx) {
  return openDialog((close) => {
    const errors = h("div");
    const form = h(
      "form",
      {
        class: "form",
        id: "add-cluster",
        novalidate: true,
        onsubmit: async (event) => {
          event.preventDefault();
          const data = Object.fromEntries(new FormData(form));
          const problem = validators.cluster(data);
          if (problem) return mount(errors, formError(problem));
          const body = { name: data.name.trim(), host: data.host.trim(), auth_token: data.auth_token };
          if (data.port) body.port = Number(data.port);
          if (data.username) Object.assign(body, { username: data.username, password: data.password });
          if (data.without_repair) body.without_repair = true;
          try {
            await api("POST", "/clusters", { body });
            close(true);
            toast(`Cluster ${body.name} added`);
            ctx.reload();
          } catch (error) {
            mount(errors, error instanceof ApiError ? errorBox(error) : formError(error.message));
          }
        },
      },
      h("h2", {}, "Add cluster"),
      field("Name", { name: "name", required: true, placeholder: "prod-eu" }),
      field("Host (a node's IP or name)", { name: "host", required: true, placeholder: "192.168.100.11" }),
      field("Agent auth token", { name: "auth_token", type: "password", autocomplete: "off" }),
      field("Agent port", { name: "port", type: "number", min: 1, max: 65535, placeholder: "10001" }),
      field("CQL username (optional)", { name: "username", autocomplete: "off" }),
      field("CQL password", { name: "password", type: "password", autocomplete: "off" }),
      h(
        "label",
        { class: "check" },
        h("input", { type: "checkbox", name: "without_repair" }),
        "Without the weekly repair task",
      ),
      errors,
      h(
        "div",
        { class: "actions" },
        h("button", { type: "button", onclick: () => close(false) }, "Cancel"),
        h("button", { type: "submit", class: "primary" }, "Add"),
      ),
    );
    return form;
  });
}
