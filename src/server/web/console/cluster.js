// One cluster: nodes per DC with SM's status columns, its tasks with schedule, next run, last status and
// start/stop/enable/disable actions, suspend/resume of the whole cluster, and the new-task form.
import { ApiError, api, paths } from "./api.js";
import { nodeUp } from "./clusters.js";
import { badge, bar, confirmDialog, errorBox, h, mount, openDialog, table, toast } from "./dom.js";
import { bytes, date, duration, pct, relative, schedule, shortVersion, statusKind } from "./format.js";
import { field, formError, taskBody, validators } from "./forms.js";
import { progressPercent } from "./progress.js";

const PROGRESS_TYPES = new Set(["repair", "backup", "restore", "validate_backup", "tablet_repair", "1_1_restore"]);

function ping(status, rtt, ssl) {
  if (!status) return "-";
  return badge(`${status}${ssl ? " SSL" : ""} (${Math.round(rtt || 0)}ms)`, statusKind(status));
}

/** Nodes of the cluster, one table per DC, in SM's status columns; causes listed under each table. */
export function renderNodes(status) {
  const withAlternator = status.some((n) => n.alternator_status);
  const dcs = new Map();
  for (const node of status) dcs.set(node.dc, [...(dcs.get(node.dc) || []), node]);
  return [...dcs].map(([dc, nodes]) => {
    const errors = nodes.flatMap((n) =>
      [
        ["Alternator", n.alternator_cause],
        ["CQL", n.cql_cause],
        ["REST", n.rest_cause],
      ]
        .filter(([, cause]) => cause)
        .map(([what, cause]) => h("li", { class: "error" }, `${n.host} ${what}: ${cause}`)),
    );
    const up = nodes.filter(nodeUp).length;
    return h(
      "section",
      { class: "dc", dataset: { dc } },
      h(
        "h3",
        { class: "row" },
        `Datacenter: ${dc}`,
        badge(`${up}/${nodes.length} UP`, up === nodes.length ? "ok" : "bad"),
      ),
      table(
        [
          ["", (n) => badge(n.status, statusKind(n.status))],
          ...(withAlternator ? [["Alternator", (n) => ping(n.alternator_status, n.alternator_rtt_ms, n.ssl)]] : []),
          ["CQL", (n) => ping(n.cql_status, n.cql_rtt_ms, n.ssl)],
          ["REST", (n) => ping(n.rest_status, n.rest_rtt_ms, false)],
          ["Address", (n) => n.host],
          ["Uptime", (n) => (n.uptime ? duration(n.uptime) : "-"), "hide-narrow"],
          ["CPUs", (n) => n.cpu_count || "-", "num hide-narrow"],
          ["Memory", (n) => (n.total_ram ? bytes(n.total_ram) : "-"), "num hide-narrow"],
          ["Scylla", (n) => (n.scylla_version ? shortVersion(n.scylla_version) : "-"), "hide-narrow"],
          ["Agent", (n) => (n.agent_version ? shortVersion(n.agent_version) : "-"), "hide-narrow"],
          ["Host ID", (n) => n.host_id, "hide-narrow"],
        ],
        nodes,
        { rowAttrs: (n) => ({ dataset: { host: n.host, status: n.status } }) },
      ),
      errors.length ? h("ul", {}, errors) : null,
    );
  });
}

async function taskAction(clusterId, task, action, ctx) {
  const base = paths.task(clusterId, task.type, task.id);
  const label = `${task.type}/${task.name || task.id}`;
  try {
    if (action === "start") await api("PUT", `${base}/start`);
    if (action === "stop") await api("PUT", `${base}/stop`);
    if (action === "disable") await api("PUT", `${base}/stop`, { query: { disable: true } });
    if (action === "enable") {
      const full = await api("GET", base);
      await api("PUT", base, {
        body: {
          type: full.type,
          name: full.name,
          labels: full.labels || {},
          enabled: true,
          schedule: full.schedule,
          properties: full.properties || {},
        },
      });
    }
    toast(`${action}: ${label}`);
  } catch (error) {
    toast(`${action} ${label}: ${error.message}${error.details ? ` (${error.details})` : ""}`, "bad");
  }
  await ctx.refresh?.();
}

function taskRow(clusterId, ctx, running) {
  return [
    [
      "Task",
      (t) =>
        h(
          "a",
          { href: `#/c/${encodeURIComponent(clusterId)}/task/${t.type}/${t.id}` },
          `${t.type}/${t.name || t.id.slice(0, 8)}`,
        ),
    ],
    ["Schedule", (t) => schedule(t.schedule) || (t.enabled ? "once" : "-"), "hide-narrow"],
    [
      "Next run",
      (t) =>
        t.suspended
          ? badge("SUSPENDED", "warn")
          : t.next_activation
            ? h("span", { title: date(t.next_activation) }, relative(t.next_activation))
            : "-",
    ],
    [
      "Status",
      (t) => {
        const p = running.get(t.id);
        return h(
          "div",
          { class: "row" },
          badge(t.status || "NEW", statusKind(t.status)),
          p !== undefined ? [bar(p), pct(p)] : null,
          t.retry ? badge(`retry ${t.retry}`, "warn") : null,
        );
      },
    ],
    ["Success", (t) => t.success_count || 0, "num hide-narrow"],
    ["Error", (t) => t.error_count || 0, "num hide-narrow"],
    ["Last success", (t) => (t.last_success ? relative(t.last_success) : "-"), "hide-narrow"],
    [
      "Actions",
      (t) =>
        h(
          "div",
          { class: "row" },
          t.status === "RUNNING"
            ? h("button", { type: "button", onclick: () => taskAction(clusterId, t, "stop", ctx) }, "Stop")
            : h("button", { type: "button", onclick: () => taskAction(clusterId, t, "start", ctx) }, "Start"),
          t.enabled
            ? h("button", { type: "button", onclick: () => taskAction(clusterId, t, "disable", ctx) }, "Disable")
            : h("button", { type: "button", onclick: () => taskAction(clusterId, t, "enable", ctx) }, "Enable"),
        ),
    ],
  ];
}

/** Renders `#/c/<cluster>`. */
export async function renderCluster(main, [clusterId], ctx) {
  const cluster = await api("GET", paths.cluster(clusterId));
  if (!ctx.alive) return;
  const head = h("div");
  const nodes = h("div", { id: "nodes" }, h("p", { class: "muted" }, "Checking nodes…"));
  const tasks = h("div", { id: "tasks" });
  const showAll = h("input", { type: "checkbox", onchange: () => refreshTasks() });
  mount(
    main,
    h("p", {}, h("a", { href: "#/" }, "Clusters"), " / ", cluster.name || cluster.id),
    head,
    h("h2", {}, "Nodes"),
    nodes,
    h(
      "div",
      { class: "row spread" },
      h("h2", {}, "Tasks"),
      h(
        "div",
        { class: "row" },
        h("label", { class: "row" }, showAll, "show disabled"),
        h("button", { type: "button", class: "primary", onclick: () => newTask(cluster, ctx) }, "New task"),
      ),
    ),
    tasks,
  );

  const refreshHead = async () => {
    const suspended = await api("GET", `${paths.cluster(cluster.id)}/suspended`).catch(() => false);
    if (!ctx.alive) return;
    mount(
      head,
      h(
        "div",
        { class: "row spread" },
        h("h1", { class: "row" }, cluster.name || cluster.id, suspended ? badge("SUSPENDED", "warn") : null),
        h(
          "div",
          { class: "row" },
          h("a", { class: "button", href: `#/c/${encodeURIComponent(cluster.id)}/backups` }, "Backups"),
          h(
            "button",
            {
              type: "button",
              class: suspended ? "primary" : "danger",
              onclick: () => suspendCluster(cluster, !suspended, ctx),
            },
            suspended ? "Resume" : "Suspend",
          ),
        ),
      ),
      h("div", { class: "muted" }, `host ${cluster.host} · id ${cluster.id}`),
    );
  };
  const refreshNodes = async () => {
    try {
      const status = (await api("GET", `${paths.cluster(cluster.id)}/status`)) || [];
      if (ctx.alive) mount(nodes, renderNodes(status));
    } catch (error) {
      if (ctx.alive) mount(nodes, errorBox(error));
    }
  };
  const refreshTasks = async () => {
    try {
      const list =
        (await api("GET", `${paths.cluster(cluster.id)}/tasks`, { query: { all: showAll.checked || undefined } })) ||
        [];
      const running = new Map();
      await Promise.all(
        list
          .filter((t) => t.status === "RUNNING" && PROGRESS_TYPES.has(t.type))
          .map(async (t) => {
            const answer = await api("GET", `${paths.task(cluster.id, t.type, t.id)}/latest`).catch(() => null);
            const p = progressPercent(t.type, answer?.progress);
            if (p !== undefined) running.set(t.id, p);
          }),
      );
      list.sort((a, b) => a.type.localeCompare(b.type) || (a.name || "").localeCompare(b.name || ""));
      if (ctx.alive)
        mount(
          tasks,
          table(taskRow(cluster.id, ctx, running), list, {
            empty: "No tasks.",
            rowAttrs: (t) => ({ dataset: { type: t.type, name: t.name, id: t.id, status: t.status } }),
          }),
        );
    } catch (error) {
      if (ctx.alive) mount(tasks, errorBox(error));
    }
  };
  ctx.refresh = () => Promise.all([refreshHead(), refreshTasks()]);
  await Promise.all([refreshHead(), refreshNodes(), refreshTasks()]);
  ctx.every(3000, refreshNodes);
  ctx.every(2000, refreshTasks);
}

async function suspendCluster(cluster, suspend, ctx) {
  const ok = await confirmDialog({
    title: suspend ? `Suspend ${cluster.name}?` : `Resume ${cluster.name}?`,
    body: h(
      "p",
      {},
      suspend
        ? "Running tasks are stopped and no task but health checks runs until the cluster is resumed."
        : "Tasks are scheduled again.",
    ),
    confirm: suspend ? "Suspend" : "Resume",
    danger: suspend,
  });
  if (!ok) return;
  try {
    await api("PUT", `${paths.cluster(cluster.id)}/suspended`, {
      body: suspend,
      query: suspend ? {} : { start_tasks: false },
    });
    toast(suspend ? "Cluster suspended" : "Cluster resumed");
  } catch (error) {
    toast(`${error.message}${error.details ? ` (${error.details})` : ""}`, "bad");
  }
  await ctx.refresh();
}

function newTask(cluster, ctx) {
  return openDialog((close) => {
    const errors = h("div");
    const extra = h("div", { class: "form" });
    const showFields = (type) => {
      const fields = {
        repair: [
          field("Keyspaces (globs, comma-separated)", { name: "keyspace", placeholder: "*,!system_traces" }),
          field("DCs (globs)", { name: "dc", placeholder: "*" }),
          field("Intensity (0 = max)", { name: "intensity", type: "number", min: 0, step: "any" }),
          field("Parallel (0 = max)", { name: "parallel", type: "number", min: 0 }),
          h(
            "label",
            { class: "check" },
            h("input", { type: "checkbox", name: "ignore_down_hosts" }),
            "Ignore down hosts",
          ),
        ],
        backup: [
          field("Location ([dc:]provider:bucket, comma-separated)", {
            name: "location",
            required: true,
            placeholder: "s3:backups",
          }),
          field("Keyspaces (globs)", { name: "keyspace", placeholder: "*" }),
          field("DCs (globs)", { name: "dc", placeholder: "*" }),
          field("Retention (snapshots kept)", { name: "retention", type: "number", min: 0, placeholder: "3" }),
          field("Retention days", { name: "retention_days", type: "number", min: 0, placeholder: "0" }),
        ],
        validate_backup: [field("Location (empty = the backup tasks' locations)", { name: "location" })],
      };
      mount(extra, fields[type] || []);
    };
    const type = field("Type", { name: "type", value: "repair", onchange: (e) => showFields(e.target.value) }, [
      ["repair", "repair"],
      ["backup", "backup"],
      ["validate_backup", "validate_backup"],
    ]);
    showFields("repair");
    const form = h(
      "form",
      {
        class: "form",
        id: "new-task",
        novalidate: true,
        onsubmit: async (event) => {
          event.preventDefault();
          const data = Object.fromEntries(new FormData(form));
          const problem = validators.task(data);
          if (problem) return mount(errors, formError(problem));
          try {
            await api("POST", `${paths.cluster(cluster.id)}/tasks`, { body: taskBody(data) });
            close(true);
            toast(`${data.type} task created`);
            await ctx.refresh();
          } catch (error) {
            mount(errors, error instanceof ApiError ? errorBox(error) : formError(error.message));
          }
        },
      },
      h("h2", {}, `New task on ${cluster.name}`),
      type,
      field("Name (optional)", { name: "name" }),
      field("Cron (empty = run once now)", { name: "cron", placeholder: "0 23 * * SAT or @every 1h" }),
      field("Retries", { name: "num_retries", type: "number", min: 0, placeholder: "3" }),
      extra,
      errors,
      h(
        "div",
        { class: "actions" },
        h("button", { type: "button", onclick: () => close(false) }, "Cancel"),
        h("button", { type: "submit", class: "primary" }, "Create"),
      ),
    );
    return form;
  });
}
